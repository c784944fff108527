"""A whole experiment's settings as JSON: to share, to re-run, to put in a link.

An experiment is what the user chose, not what was learned: the data source (a bundled sample
by name, or the name of an uploaded file, which is not itself shared), how it is windowed, the
layer stack and the training settings. Importing one is importing text from a stranger, so it
is checked before anything is built from it: its size, its nesting, its keys, each field's type
and range. Only JSON: nothing imported is ever executed or unpickled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from lstm_core.data import SequenceSpec, WindowSpec, window_from_dict, window_to_dict
from lstm_core.errors import ConfigError, LabError
from lstm_core.model import ModelSpec
from lstm_core.model.spec import check_layer
from lstm_core.settings import Limits, load_limits
from lstm_core.train import TrainConfig, check_config
from lstm_core.validation import check_known_keys

FORMAT_VERSION = 1
MAX_BYTES = 64 * 1024  # a real experiment is a few hundred bytes
MAX_DEPTH = 6  # experiment > model > layers > [i] > layer > value
TOP_KEYS = ("lstm_lab", "data", "window", "model", "train")


@dataclass(frozen=True)
class Experiment:
    """Everything needed to set up a run again; any part may be absent (``None``)."""

    data: dict | None = None  # {"sample": NAME} or {"file": NAME}: where the rows come from
    window: WindowSpec | SequenceSpec | None = (
        None  # how rows become (samples, timesteps, features)
    )
    model: ModelSpec | None = None  # the layer stack and head
    train: TrainConfig | None = None  # how it is trained


def export_experiment(experiment: Experiment) -> str:
    """The experiment as pretty JSON text (keys in a fixed order)."""
    return json.dumps(experiment_document(experiment), indent=2)


def experiment_document(experiment: Experiment) -> dict:
    """The experiment as the JSON-able document that ``export_experiment`` writes."""
    document: dict = {"lstm_lab": FORMAT_VERSION, "data": experiment.data}
    if experiment.window is not None:
        document["window"] = window_to_dict(experiment.window)
    if experiment.model is not None:
        document["model"] = experiment.model.to_dict()
    if experiment.train is not None:
        document["train"] = experiment.train.to_dict()
    return document


def import_experiment(text: str | bytes, limits: Limits | None = None) -> Experiment:
    """Parse and validate experiment JSON made by ``export_experiment`` (or by hand).

    Raises:
        LabError: a ``ConfigError`` for the document itself (size, syntax, nesting, unknown
            keys, version), or the ``DataError``/``SpecError``/``ConfigError`` of the part
            whose field is wrong, naming that field.
    """
    return experiment_from_document(_parse(text), limits)


def experiment_from_document(document: dict, limits: Limits | None = None) -> Experiment:
    """Validate a parsed experiment document (``experiment_document``'s shape); see
    ``import_experiment`` for what is checked and raised."""
    limits = limits or load_limits()
    check_known_keys(document, TOP_KEYS, owner="Experiment JSON")
    if document.get("lstm_lab") != FORMAT_VERSION:
        raise ConfigError(
            f"Experiment JSON 'lstm_lab' must be {FORMAT_VERSION} (the format version), got "
            f"{document.get('lstm_lab')!r}; export the experiment again from LSTM Lab."
        )
    return Experiment(
        data=_data_source(document.get("data")),
        window=_part(document, "window", _window),
        model=_part(document, "model", lambda d: _model(d, limits)),
        train=_part(document, "train", lambda d: check_config(TrainConfig.from_dict(d), limits)),
    )


def _parse(text: str | bytes) -> dict:
    size = len(text.encode() if isinstance(text, str) else text)
    if size > MAX_BYTES:
        raise ConfigError(
            f"Experiment JSON is {size:,} bytes, more than the {MAX_BYTES:,} allowed; "
            "an exported experiment is far smaller: export it again from LSTM Lab."
        )
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:  # bad syntax, bad UTF-8, absurd nesting
        raise ConfigError(
            f"Experiment file is not valid JSON ({str(error)[:120]}); "
            "use a file exported by LSTM Lab."
        ) from None
    if not isinstance(document, dict):
        raise ConfigError(
            f"Experiment JSON must be an object {{...}}, got {type(document).__name__}."
        )
    depth = _depth(document)
    if depth > MAX_DEPTH:
        raise ConfigError(
            f"Experiment JSON is nested {depth} levels deep, more than the {MAX_DEPTH} an "
            "experiment has; use a file exported by LSTM Lab."
        )
    return document


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    return 0


def _part(document: dict, key: str, build):
    value = document.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError(f"Experiment JSON '{key}' must be an object, got {type(value).__name__}.")
    try:
        return build(value)
    except LabError as error:
        raise type(error)(f"In the experiment's '{key}': {error}") from None
    except (TypeError, ValueError, OverflowError) as error:
        raise ConfigError(f"In the experiment's '{key}': {error}") from None


def _data_source(value: object) -> dict | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or len(value) != 1
        or next(iter(value)) not in ("sample", "file")
        or not isinstance(next(iter(value.values())), str)
    ):
        raise ConfigError(
            f'Experiment JSON \'data\' must be {{"sample": NAME}} or {{"file": NAME}}, '
            f"got {json.dumps(value)[:80]}."
        )
    return dict(value)


def _window(d: dict) -> WindowSpec | SequenceSpec:
    return window_from_dict({"kind": "series", **d})  # a hand-written window is a series


def experiment_of_run(run, limits: Limits | None = None) -> Experiment:
    """The settings a stored run (``lstm_core.runs.Run``) was trained with, to train it again.

    Raises:
        LabError: settings that no longer validate (e.g. beyond today's limits).
    """
    source = run.dataset or {}
    data = {"sample": source["sample"]} if source.get("sample") else None
    if data is None and source.get("file"):
        data = {"file": source["file"]}
    return Experiment(
        data=data,
        window=window_from_dict(run.window_spec) if run.window_spec else None,
        model=ModelSpec.from_dict(run.model_spec),
        train=check_config(TrainConfig.from_dict(run.train_config), limits or load_limits()),
    )


def _model(d: dict, limits: Limits) -> ModelSpec:
    spec = ModelSpec.from_dict(d)
    for index, layer in enumerate(spec.layers, start=1):
        check_layer(layer, index, limits)
    if len(spec.layers) > limits.max_layers:
        raise ConfigError(
            f"'layers' has {len(spec.layers)} layers, more than the {limits.max_layers} "
            "allowed; remove some or raise LSTM_LAB_MAX_LAYERS."
        )
    return spec
