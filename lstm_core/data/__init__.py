"""Sequence data: CSV loading and windowing for recurrent models.

Two shapes of data, both from a CSV file, both ending in ``Windows``:

- a series table (rows are time steps): ``WindowSpec`` and ``make_windows``, sliding windows
  of ``lookback`` steps that predict the next ``horizon`` steps, split chronologically;
- a long-format table (one sample per sequence id): ``SequenceSpec`` and
  ``make_sequence_windows``, padded (masked) or cut to a common length.

Nothing here imports TensorFlow, and pandas is imported with the CSV loader, on first use of
``load_csv`` or ``numeric_columns``: the specs and windowing take DataFrames but need not import
pandas themselves, so pages that only read a spec (Home, Model) open without it.
"""

from lstm_core.data.kinds import (
    WINDOW_KINDS,
    cut_windows,
    window_from_dict,
    window_kind,
    window_to_dict,
)
from lstm_core.data.missing import MISSING_POLICIES
from lstm_core.data.scaling import SCALERS, Scaler
from lstm_core.data.sequences import LENGTHS, TASKS, SequenceSpec, make_sequence_windows
from lstm_core.data.series import WindowSpec, make_windows
from lstm_core.data.windows import Windows

__all__ = [
    "LENGTHS",
    "MISSING_POLICIES",
    "SCALERS",
    "Scaler",
    "SequenceSpec",
    "TASKS",
    "WINDOW_KINDS",
    "Windows",
    "WindowSpec",
    "cut_windows",
    "has_time_of_day",
    "load_csv",
    "make_sequence_windows",
    "make_windows",
    "numeric_columns",
    "window_from_dict",
    "window_kind",
    "window_to_dict",
]


def __getattr__(name: str):
    """``load_csv``, ``numeric_columns`` and ``has_time_of_day``, imported on first use
    (PEP 562)."""
    if name in ("load_csv", "numeric_columns", "has_time_of_day"):
        from lstm_core.data import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
