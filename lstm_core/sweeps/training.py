"""A sweep whose base is a training run on the user's own data: an ``Experiment``.

The base is the experiment the Data, Model and Train pages describe (``lstm_core.experiment_io``:
where the rows come from, how they are windowed, the layer stack, the training settings). An axis
is a field of one of those parts (``TRAINING_AXES``: the swept rows of the windowing and training
field tables of ``lstm_core.fields``); ``kind`` and ``units`` set every layer of
the stack, ``layers`` replaces the stack (the Train command's notation, ``"lstm:16,lstm:8"``).
The seeds set ``TrainConfig.seed``. Each trial is one whole experiment, checked like an imported
one (``experiment_from_document``), so a trial that could not be trained is refused before
anything starts.

The rows themselves are not in the spec (a file is not shared, only its name): the driver loads
a sample by name, or is given the loaded file's rows, and hands them to every worker once
through Ray's object store (``rows``); on a cluster the workers need no copy of the data.
"""

from __future__ import annotations

import dataclasses

from lstm_core.data import SequenceSpec
from lstm_core.data.kinds import window_to_dict
from lstm_core.errors import ConfigError, LabError
from lstm_core.experiment_io import Experiment, experiment_document, experiment_from_document
from lstm_core.fields import SERIES, TRAIN, Table
from lstm_core.model import format_layers, parse_layers
from lstm_core.settings import Limits

OWNER = "SweepSpec"
# The axes on the model: every layer's kind, every layer's units, the whole stack.
MODEL_AXES = ("kind", "units", "layers")


def training_axes(tables: tuple[Table, ...] = (SERIES, TRAIN)) -> dict[str, str]:
    """axis -> the part of the experiment it changes: the model's axes, then the swept fields
    of the windowing and training tables (``lstm_core.fields``)."""
    axes = dict.fromkeys(MODEL_AXES, "model")
    axes.update({field.name: table.part for table in tables for field in table if field.swept})
    return axes


TRAINING_AXES = training_axes()
PARTS = ("data", "window", "model", "train")


def is_training(base) -> bool:
    """Whether a sweep's ``base`` is a training experiment (else a task comparison)."""
    return isinstance(base, Experiment)


def check_base(base: Experiment) -> Experiment:
    """Check that ``base`` has every part a training needs; return it.

    Raises:
        ConfigError: a part missing, naming it and where to set it.
    """
    missing = [part for part in PARTS if getattr(base, part) is None]
    if missing:
        raise ConfigError(
            f"{OWNER} base experiment has no {', '.join(missing)}; a training sweep needs the "
            "data, its windowing, the model and the training settings: set them on the Data, "
            "Model and Train pages (or in the experiment JSON)."
        )
    return base


def trial_experiment(base: Experiment, values: dict) -> Experiment:
    """``base`` with a trial's axis values and ``"seed"`` applied."""
    window, model, train = base.window, base.model, base.train
    for name, value in values.items():
        part = "train" if name == "seed" else TRAINING_AXES[name]
        if name == "layers":
            model = dataclasses.replace(model, layers=parse_layers(value))
        elif part == "model":
            layers = tuple(dataclasses.replace(layer, **{name: value}) for layer in model.layers)
            model = dataclasses.replace(model, layers=layers)
        elif part == "window":
            if isinstance(window, SequenceSpec):
                raise ConfigError(
                    f"{OWNER} axis {name!r} is a setting of a series' windows, but the base "
                    "experiment's data are labelled sequences; remove the axis."
                )
            window = dataclasses.replace(window, **{name: value})
        else:
            train = dataclasses.replace(train, **{name: value})
    return Experiment(data=base.data, window=window, model=model, train=train)


def check_trial(experiment: Experiment, limits: Limits) -> Experiment:
    """Check one trial's experiment as an imported one is checked; return it.

    Raises:
        LabError: the part and field that are wrong, with the fix.
    """
    try:
        return experiment_from_document(experiment_document(experiment), limits)
    except LabError:
        raise
    except (TypeError, ValueError) as error:  # e.g. a layers value that is not text
        raise ConfigError(f"{OWNER} trial settings are not valid ({error}).") from None


def run_fields(experiment: Experiment) -> dict:
    """``RunStore.create_run``'s settings of a trial: what the Runs and States pages read
    (``experiment_io.experiment_of_run``) to open it and train it again."""
    name = next(iter(experiment.data.values()))
    return {
        "model_spec": experiment.model.to_dict(),
        "train_config": experiment.train.to_dict(),
        "dataset": {"name": name, **experiment.data},
        "window_spec": window_to_dict(experiment.window),
    }


def describe(base: Experiment) -> str:
    """One line on a training base, e.g. ``"airline, lstm:16, 1 epochs, learning rate 0.001"``."""
    name = next(iter(base.data.values()))
    lookback = getattr(base.window, "lookback", None)
    steps = f", lookback {lookback}" if lookback else ""
    return (
        f"{name}{steps}, layers {format_layers(base.model.layers)}, {base.train.epochs} epochs, "
        f"batch {base.train.batch_size}, learning rate {base.train.learning_rate}"
    )


def rows_of(base: Experiment, rows=None):
    """The rows a training sweep windows: ``rows`` when given (a loaded file), else the
    sample the base names.

    Raises:
        DataError: an unknown sample; ConfigError: a file's rows not given.
    """
    if rows is not None:
        return rows
    if "sample" in base.data:
        from lstm_core.samples import load_sample

        return load_sample(base.data["sample"])
    raise ConfigError(
        f"This sweep trains on the file {base.data['file']!r}, whose rows are not kept with "
        "it; load that file (Data page, or --data FILE) and run the sweep again."
    )


def summary_of(test_metrics: dict | None, timings: dict | None) -> dict:
    """A training trial's row for the sweep's table: the test score beside its yardstick
    (``own_windows.headline``: ``"score"``, ``"yardstick_score"``, ``"skill"``) and
    ``"wall_s"``."""
    from lstm_core.experiments.own_windows import headline

    return {**headline(test_metrics), "wall_s": (timings or {}).get("train_s")}
