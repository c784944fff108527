"""Sequence data: CSV loading and windowing for recurrent models.

Two shapes of data, both from a CSV file, both ending in ``Windows``:

- a series table (rows are time steps): ``WindowSpec`` and ``make_windows``, sliding windows
  of ``lookback`` steps that predict the next ``horizon`` steps, split chronologically;
- a long-format table (one sample per sequence id): ``SequenceSpec`` and
  ``make_sequence_windows``, padded (masked) or cut to a common length.

Nothing here imports TensorFlow.
"""

from lstm_core.data.loader import load_csv, numeric_columns
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
    "Windows",
    "WindowSpec",
    "load_csv",
    "make_sequence_windows",
    "make_windows",
    "numeric_columns",
]
