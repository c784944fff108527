"""The dataset of this session: loaded from a sample or an upload, windowed on demand.

The Data page's widgets hold the spec's fields under ``data.<field>``, as their rows of
``lstm_core.fields.SERIES`` and ``SEQUENCES`` say a person types them; this module loads a file
into session state, writes a spec's fields into those keys, reads them back as a ``WindowSpec``
(series table) or ``SequenceSpec`` (long format), and keeps the ``Windows`` that the current spec
gives, recomputed only when the data or the spec changes.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from lstm_core import data as lab_data  # its CSV loader (and pandas) load on first use
from lstm_core import samples
from lstm_core.data import (
    SequenceSpec,
    Windows,
    WindowSpec,
    make_sequence_windows,
    make_windows,
)
from lstm_core.errors import LabError
from lstm_core.experiment import base_settings, default_series_spec
from lstm_core.fields import SEQUENCES, SERIES, Table
from ui import state
from ui.train_settings import put_config
from ui.workspace import limits

if TYPE_CHECKING:
    import pandas as pd

# The long format's features live under their own key: a multiselect of its own columns.
SEQUENCE_KEYS = {"features": "seq_features"}


def _table(kind: str) -> Table:
    """The field table of ``kind``'s spec: ``SEQUENCES`` or ``SERIES``."""
    return SEQUENCES if kind == "sequences" else SERIES


def _key(field: str, kind: str) -> str:
    return SEQUENCE_KEYS.get(field, field) if kind == "sequences" else field


def frame() -> pd.DataFrame | None:
    """The loaded table, ``(rows, columns)``, or ``None`` before anything is loaded."""
    return state.get("data", "frame")


def title() -> str | None:
    """The dataset's name: the sample's title or the uploaded file's name (user text)."""
    return state.get("data", "title")


def kind() -> str:
    """``"series"`` (rows are time steps) or ``"sequences"`` (long format)."""
    return state.get("data", "kind", "series")


def load_sample(name: str, *, keep_training: bool = False) -> None:
    """Load a bundled sample, its natural windowing and its epochs and batch size
    (``samples.SAMPLE_TRAIN_FIELDS``; the other settings stay as set); ``DataError`` if it
    fails. With ``keep_training``, training settings already chosen (by a link, say) stay."""
    window, train = base_settings(name)  # DataError for an unknown name
    title = samples.SAMPLES[name].title
    _set_frame(samples.load_sample(name), title=title, source=("sample", name))
    apply_spec(window)  # the windows are cut when the page asks (refresh_windows)
    fields = [
        field
        for field in samples.SAMPLE_TRAIN_FIELDS
        if not (keep_training and state.get("train", field) is not None)
    ]
    put_config(train, fields)


def load_upload(filename: str, content: bytes) -> None:
    """Load an uploaded CSV, once per distinct file; ``DataError`` if it cannot be read."""
    source = ("upload", filename, hashlib.sha256(content).hexdigest())
    if state.get("data", "origin") == source:
        return
    df = lab_data.load_csv(content, limits=limits())
    _set_frame(df, title=filename, source=source)
    state.put("data", "kind", "series")
    pending = state.get("data", "pending")  # (file name, spec) from an imported experiment
    if pending is not None and pending[0] == filename:
        apply_spec(pending[1])
        state.drop("data", "pending")
    else:
        apply_spec(default_series_spec(df))


def apply_spec(spec: WindowSpec | SequenceSpec) -> None:
    """Write ``spec``'s fields into the Data page's widget keys, as a person types them (a
    ``max_length`` of None: 0, "automatic"; column names: a list)."""
    spec_kind = "sequences" if isinstance(spec, SequenceSpec) else "series"
    for field in _table(spec_kind):
        value = field.to_person(getattr(spec, field.name))
        if isinstance(value, tuple):
            value = list(value)  # what a multiselect holds
        state.put("data", _key(field.name, spec_kind), value)
    state.put("data", "kind", spec_kind)


def spec_from_state() -> WindowSpec | SequenceSpec:
    """The spec the Data page's widgets describe; ``DataError`` if it is not valid."""
    spec_kind = kind()
    table = _table(spec_kind)
    values = {
        field.name: field.to_engine(state.get("data", _key(field.name, spec_kind)))
        for field in table
    }
    return table.owner(**values)


def refresh_windows() -> Windows | None:
    """Window the loaded data with the current spec, unless that was already done.

    Returns:
        The ``Windows``, or ``None`` when nothing is loaded. Raises ``DataError`` (after
        forgetting the previous windows) when the spec does not fit the data.
    """
    df = frame()
    if df is None:
        return None
    try:
        spec = spec_from_state()
        cache_key = (state.get("data", "origin"), spec)
        if state.get("data", "windows_key") != cache_key:
            make = make_sequence_windows if isinstance(spec, SequenceSpec) else make_windows
            state.put("data", "windows", make(df, spec, limits=limits()))
            state.put("data", "windows_key", cache_key)
            state.put("data", "spec", spec)
    except Exception:
        state.drop("data", "windows", "windows_key", "spec")
        raise
    return state.get("data", "windows")


def windows() -> Windows | None:
    """The windows last made on the Data page (``None`` when there are none)."""
    return state.get("data", "windows")


def spec() -> WindowSpec | SequenceSpec | None:
    """The spec that made ``windows()``."""
    return state.get("data", "spec")


def source() -> dict | None:
    """Where the rows come from, as an experiment records it: ``{"sample": NAME}`` or
    ``{"file": NAME}``; ``None`` before anything is loaded."""
    origin = state.get("data", "origin")
    if origin is None:
        return None
    return {"sample": origin[1]} if origin[0] == "sample" else {"file": origin[1]}


def summary() -> dict | None:
    """The dataset's name and source, for the run store (the job adds the shapes)."""
    if title() is None:
        return None
    return {"name": title(), **(source() or {})}


def _set_frame(df: pd.DataFrame, *, title: str, source: tuple) -> None:
    state.put("data", "frame", df)
    state.put("data", "title", title)
    state.put("data", "origin", source)
    state.drop("data", "windows", "windows_key", "spec")


def default_sequence_spec(df: pd.DataFrame) -> SequenceSpec:
    """A first guess for a long-format file: the first column is the id, the last the target,
    the numeric columns between them the features."""
    columns = [str(c) for c in df.columns]
    id_column, target = columns[0], columns[-1]
    features = [c for c in lab_data.numeric_columns(df) if c not in (id_column, target)]
    return SequenceSpec(
        id_column=id_column, features=tuple(features or columns[1:2]), target=target
    )


def switch_kind() -> None:
    """On a change of the file layout: give the other layout's controls a first guess."""
    df = frame()
    if df is None:
        return
    guess = default_sequence_spec if kind() == "sequences" else default_series_spec
    try:
        apply_spec(guess(df))
    except LabError:
        return  # no guess fits (one column?): the controls stay, the page says what is wrong


def control_for_error(message: str, last_control: str | None, controls) -> str:
    """The control to show a windowing error beside.

    The one changed last if the message names it, else the first control the message names,
    else the one changed last, else ``"general"`` (above the controls).
    """
    named = sorted(
        (message.find(name), name)
        for name in controls
        if name != "general" and re.search(rf"\b{re.escape(name)}\b", message)
    )
    if last_control in {name for _, name in named}:
        return last_control
    if named:
        return named[0][1]
    return last_control if last_control in controls else "general"
