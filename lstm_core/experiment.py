"""One way to make an experiment: from a bundled sample or a CSV file, with overrides.

An experiment here is everything a training run needs: the rows, how they are windowed, the
windows themselves, the layer stack with the head those windows need, and the training
settings. The command line (``python -m lstm_core train``), the sweeps and
``scripts/sample_defaults.py`` make it with ``make_experiment``; the app loads the same
``base_settings`` into its pages and cuts the windows when the Data page asks, so that a
sample trains the same everywhere:

- a sample starts from its own windowing and training settings (``lstm_core.samples``) and the
  default stack (``lstm_core.model.DEFAULT_LAYERS``): what a fresh session of the app trains;
- a file starts from the app's first guess (``default_series_spec``), ``TrainConfig()`` and the
  default stack;
- each part can be overridden: a dict changes some of its fields, a whole spec or config
  replaces it, and a layer string (``"lstm:64:seq,lstm:32"``) replaces the stack.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lstm_core import data
from lstm_core.data import SequenceSpec, Windows, WindowSpec, cut_windows
from lstm_core.errors import DataError
from lstm_core.experiment_io import Experiment
from lstm_core.model import DEFAULT_LAYERS, LayerSpec, ModelSpec, parse_layers
from lstm_core.samples import get_sample, load_sample
from lstm_core.settings import Limits, load_limits
from lstm_core.train.config import TrainConfig

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_LOOKBACK = 12  # the first guess's steps per window, shortened for a short file


@dataclass(frozen=True)
class Setup:
    """An experiment made ready to train: its settings, its rows and its windows."""

    experiment: Experiment  # the settings: data source, window spec, model spec, TrainConfig
    frame: pd.DataFrame  # the rows, (rows, columns)
    windows: Windows  # x_*: (samples, timesteps, features), y_*: (samples, outputs)


def make_experiment(
    sample: str | None = None,
    file: str | Path | None = None,
    *,
    frame: pd.DataFrame | None = None,
    window: dict | WindowSpec | SequenceSpec | None = None,
    layers: str | tuple[LayerSpec, ...] | None = None,
    train: dict | TrainConfig | None = None,
    limits: Limits | None = None,
) -> Setup:
    """Make the experiment the app would train on ``sample`` or ``file``, with overrides.

    Args:
        sample: a bundled sample's name (``lstm_core.samples.SAMPLES``); or
        file: a CSV file's path (or, with ``frame``, just its name).
        frame: the rows, already loaded (an upload, a sweep's rows); else they are read from
            the sample or the file.
        window: a dict of window fields to change (``{"lookback": 24}``), or a whole
            ``WindowSpec``/``SequenceSpec``. Default: the sample's, or the file's first guess.
        layers: the layer stack, as ``parse_layers`` text or ``LayerSpec``s. Default:
            ``DEFAULT_LAYERS``.
        train: a dict of ``TrainConfig`` fields to change (``{"epochs": 3}``), or a whole
            ``TrainConfig``. Default: the sample's, or ``TrainConfig()``.
        limits: the caps on the file and the windows; ``load_limits()`` when ``None``.

    Returns:
        A ``Setup``: ``experiment.data`` is ``{"sample": NAME}`` or ``{"file": NAME}``,
        ``experiment.model`` reads ``(batch, timesteps, features)`` of ``windows`` and has
        ``windows.n_outputs`` outputs.

    Raises:
        DataError: no source or two, an unknown sample, a window field the data's kind of
            window has not, or windows that do not fit the rows. SpecError: a layer string
            that cannot be read. ConfigError: a training field that is unknown or out of
            range. The caps on epochs, batch size and layers are checked when the job is made
            (``TrainingJob``), as the app checks them when Start is pressed.
    """
    limits = limits or load_limits()
    if (sample is None) == (file is None):
        raise DataError(
            f"An experiment needs one source, a sample or a file; got sample={sample!r} and "
            f"file={file!r}. Give one of them."
        )
    if sample is not None:
        rows = load_sample(sample) if frame is None else frame  # DataError for unknown names
        source = {"sample": sample}
    else:
        rows = data.load_csv(file, limits=limits) if frame is None else frame
        source = {"file": Path(file).name}
    base_window, base_train = base_settings(sample, rows)
    window_spec = _window(base_window, window, source)
    windows = cut_windows(rows, window_spec, limits=limits)
    stack = parse_layers(layers) if isinstance(layers, str) else layers
    model = ModelSpec.for_windows(stack or parse_layers(DEFAULT_LAYERS), windows)
    experiment = Experiment(
        data=source, window=window_spec, model=model, train=_train(base_train, train)
    )
    return Setup(experiment=experiment, frame=rows, windows=windows)


def base_settings(
    sample: str | None, frame: pd.DataFrame | None = None
) -> tuple[WindowSpec | SequenceSpec, TrainConfig]:
    """What an experiment starts from, before overrides: ``(window spec, TrainConfig)``.

    A sample brings its own (``lstm_core.samples``); a file's rows ``frame``, ``(rows,
    columns)``, get the first guess (``default_series_spec``) and ``TrainConfig()``.

    Raises:
        DataError: an unknown sample, naming the known ones.
    """
    if sample is not None:
        found = get_sample(sample)
        return found.spec, found.train
    return default_series_spec(frame), TrainConfig()


def default_series_spec(frame: pd.DataFrame) -> WindowSpec:
    """A first guess for a new file: every numeric column in, the last one predicted
    (``load_csv`` refuses a file without one).

    The lookback is ``DEFAULT_LOOKBACK`` steps, or a tenth of the rows for a short file, so
    that every split keeps windows.
    """
    columns = data.numeric_columns(frame)
    lookback = max(1, min(DEFAULT_LOOKBACK, len(frame) // 10))
    return WindowSpec(features=tuple(columns), targets=(columns[-1],), lookback=lookback)


def _window(base, window, source: dict) -> WindowSpec | SequenceSpec:
    """``base`` with the fields of the dict ``window`` changed, or ``window`` if it is whole."""
    if isinstance(window, WindowSpec | SequenceSpec):
        return window
    changes = dict(window or {})
    fields = [field.name for field in dataclasses.fields(base)]
    unknown = sorted(name for name in changes if name not in fields)
    if unknown:
        kind = "labelled sequences" if isinstance(base, SequenceSpec) else "a series"
        name = next(iter(source.values()))
        raise DataError(
            f"{name!r} is windowed as {kind} ({type(base).__name__}), which has no "
            f"{', '.join(unknown)}; drop {', '.join(unknown)}, or set only {', '.join(fields)}."
        )
    return dataclasses.replace(base, **changes)


def _train(base: TrainConfig, train) -> TrainConfig:
    """``base`` with the fields of the dict ``train`` changed, or ``train`` if it is whole."""
    if isinstance(train, TrainConfig):
        return train
    return TrainConfig.from_dict({**base.to_dict(), **(train or {})})  # ConfigError: a bad key
