"""An experiment in a page address: one table of fields, read and written the same way.

Modelled on TensorFlow Playground's ``state.ts``: ``FIELDS`` lists every setting once, with its
URL parameter, the part of the experiment that holds it and how its value is written as text,
made from the field tables of ``lstm_core.fields`` (the windowing and training settings) and the
model's own few; ``to_params`` and ``from_params`` both walk that table, so a setting cannot be
written without being read back. Every field of the parts an experiment has is written, defaults included, so a
link means the same thing after a default changes. Only the model's head, outputs and mask
value, which the data decides, are written when they differ from their defaults.

What comes in passes the same validation as an imported JSON file
(``experiment_io.experiment_from_document``). A query longer than ``MAX_QUERY_CHARS`` is
replaced by ``experiment=<id>``, the experiment's JSON kept in the run store.

Versions: ``v=2`` is this table. A link without ``v`` (version 1) carried only ``sample``,
``lookback``, ``horizon``, ``stride``, ``layers``, ``epochs``, ``batch_size``,
``learning_rate`` and ``seed``, under the same names, with the sample's own windowing for the
rest: it reads the same way. A parameter this version does not know is named in a note.

Example:

>>> from lstm_core.train import TrainConfig
>>> to_params(Experiment(data={"sample": "airline"}, train=TrainConfig(epochs=5)))["epochs"]
'5'
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, fields

from lstm_core import samples
from lstm_core.data import SequenceSpec, WindowSpec
from lstm_core.errors import ConfigError, LabError
from lstm_core.experiment_io import (
    Experiment,
    experiment_document,
    experiment_from_document,
    export_experiment,
    import_experiment,
)
from lstm_core.fields import (
    INT,
    OPTIONAL_FLOAT,
    SEQUENCES,
    SERIES,
    TEXT,
    TRAIN,
    Codec,
    Table,
    unique,
)
from lstm_core.model import LayerSpec, ModelSpec, format_layers, parse_layers
from lstm_core.settings import Limits

VERSION = 2
MAX_QUERY_CHARS = 2_000  # past this, some browsers, proxies and chat apps cut a link
STORED = "experiment"  # the parameter of a stored experiment's id
BOTH = ("series", "sequences")  # the window kinds


# Layers: parse_layers raises a SpecError of its own, which names the layer and the fix.
LAYERS = Codec(
    lambda layers: format_layers(tuple(LayerSpec(**layer) for layer in layers)),
    lambda text: [layer.to_dict() for layer in parse_layers(text)],
    "layers such as lstm:32:seq,lstm:16",
)


@dataclass(frozen=True)
class Param:
    """One setting: where it lives in an experiment and how it is spelled in a URL."""

    key: str  # the URL parameter
    part: str  # "data", "window", "model" or "train": the experiment's part holding it
    name: str  # the field of that part (its dataclass field or document key)
    codec: Codec
    kinds: tuple[str, ...] = BOTH  # window fields: the window kinds that have it
    derived: bool = False  # decided by the data: written only when not the default


def url_fields(train: Table = TRAIN, series: Table = SERIES, sequences: Table = SEQUENCES):
    """The URL's table: the data source, the window kind, the fields of the tables (a window
    field once, with the kinds that have it), the model's, then the training fields."""
    window = []
    for field in unique([*series, *sequences]):
        kinds = tuple(
            kind
            for kind, table in (("series", series), ("sequences", sequences))
            if field.key in (f.key for f in table)
        )
        window.append(Param(field.key, "window", field.name, field.codec, kinds))
    return (
        Param("sample", "data", "sample", TEXT),
        Param("file", "data", "file", TEXT),
        Param("kind", "window", "kind", TEXT),
        *window,
        # The model: every layer option is in the layer syntax (lstm_core.model.LAYER_SYNTAX).
        Param("layers", "model", "layers", LAYERS),
        Param("head", "model", "head", TEXT, derived=True),
        Param("outputs", "model", "outputs", INT, derived=True),
        Param("mask_value", "model", "mask_value", OPTIONAL_FLOAT, derived=True),
        *(Param(field.key, "train", field.name, field.codec) for field in train),
    )


FIELDS: tuple[Param, ...] = url_fields()
KEYS = frozenset(field.key for field in FIELDS) | {"v", STORED}
_DEFAULTS = {"model": {f.name: f.default for f in fields(ModelSpec) if f.name != "layers"}}


def to_params(experiment: Experiment) -> dict[str, str]:
    """The experiment as URL parameters (``{"sample": "airline", "lookback": "12", ...}``)."""
    return params_of(experiment_document(experiment))


def params_of(document: dict, table: tuple[Param, ...] = FIELDS) -> dict[str, str]:
    """An experiment document (``experiment_io.experiment_document``) as URL parameters."""
    params = {"v": str(VERSION)}
    for field in table:
        part = document.get(field.part)
        if not part or field.name not in part or not _applies(field, part):
            continue
        value = part[field.name]
        if field.derived and value == _DEFAULTS[field.part][field.name]:
            continue
        text = field.codec.write(value)
        if text is not None:
            params[field.key] = text
    return params


def to_link_params(experiment: Experiment, store) -> dict[str, str]:
    """``to_params``, or ``{"experiment": ID}`` kept in ``store`` when the query would be
    longer than ``MAX_QUERY_CHARS``."""
    params = to_params(experiment)
    if len(urllib.parse.urlencode(params)) <= MAX_QUERY_CHARS:
        return params
    return {"v": str(VERSION), STORED: store.save_experiment(export_experiment(experiment))}


def from_params(
    params: Mapping[str, str],
    *,
    limits: Limits | None = None,
    store=None,
    ignore: tuple[str, ...] = (),
) -> tuple[Experiment, list[str]]:
    """The experiment a URL describes, and notes on what it could not restore.

    Args:
        params: the URL's parameters, one value each.
        limits: the app's limits, checked like an imported file's.
        store: the ``RunStore`` holding experiments of ``experiment=ID`` links.
        ignore: parameters of the page, not of the experiment (left alone, never noted).

    Raises:
        LabError: a value that is not valid, naming its parameter, or an unknown stored id.
    """
    notes = _version_notes(params, ignore)
    if STORED in params:
        if store is None:
            raise ConfigError(
                f"The link names a stored experiment ({params[STORED]!r}), but there is no "
                "run store to read it from; set up the experiment by hand."
            )
        return import_experiment(store.load_experiment(params[STORED]), limits), notes
    return experiment_from_document(document_of(params), limits), notes


def document_of(params: Mapping[str, str], table: tuple[Param, ...] = FIELDS) -> dict:
    """The experiment document URL parameters describe, before validation (a sample's own
    windowing under the window parameters given).

    Raises:
        ConfigError: a value its codec cannot read, naming its parameter.
    """
    document: dict = {"lstm_lab": 1}
    for part in ("data", "window", "model", "train"):
        values = {
            field.name: _read(field, params[field.key])
            for field in table
            if field.part == part and field.key in params
        }
        if part == "window":
            values = _window_values(values, document.get("data"))
        if values:
            document[part] = values
    return document


def _applies(field: Param, part: dict) -> bool:
    return field.part != "window" or part.get("kind", "series") in field.kinds


def _read(field: Param, text: str):
    try:
        return field.codec.read(text)
    except LabError:
        raise
    except ValueError:
        raise ConfigError(
            f"The URL parameter {field.key}={text!r} must be {field.codec.expected}; fix or "
            "remove it."
        ) from None


def _window_values(values: dict, data: dict | None) -> dict:
    """The window's fields: those in the URL over the sample's own windowing, if any."""
    sample = samples.SAMPLES.get((data or {}).get("sample", ""))
    kind = values.get("kind") or (sample.kind if sample else "series")
    base = {}
    if sample is not None and sample.kind == kind:
        base = {"kind": kind, **sample.spec.to_dict()}
    spec_fields = {f.name for f in fields(SequenceSpec if kind == "sequences" else WindowSpec)}
    known = {name: value for name, value in values.items() if name in spec_fields | {"kind"}}
    if not known:
        return {}
    return {**base, **known, "kind": kind}


def _version_notes(params: Mapping[str, str], ignore: tuple[str, ...]) -> list[str]:
    notes = []
    version = params.get("v", "1")
    if version not in ("1", str(VERSION)):
        notes.append(
            f"This link was made by another LSTM Lab (format v={version}; this one reads "
            f"v=1 and v={VERSION}): the settings below are what could be read."
        )
    unknown = sorted(set(params) - KEYS - set(ignore))
    if unknown:
        notes.append(
            f"The link's parameter(s) {', '.join(unknown)} are not known to this version of "
            "LSTM Lab and were not restored."
        )
    return notes
