"""What to do with missing values (and infinities) in the chosen columns.

A recurrent network cannot take NaN, so every chosen column must end up finite. Infinities
are treated as missing. The policies:

- ``"error"``: refuse, naming the column and the first row with a gap;
- ``"drop"``: drop every row with a gap. On a time series the windows may then span the gap,
  joining steps that were not adjacent;
- ``"ffill"``: carry the last known value forward. Leading rows with nothing before them
  are dropped. Uses only the past, so it never looks ahead;
- ``"interpolate"``: linear interpolation between the known neighbours, spaced by row. It
  reads the future: a filled value depends on the next known one, which a forecaster standing
  at that row would not yet have, and a gap at a split boundary is filled with a value from
  the later split. Choose ``"ffill"`` to rule that out. Leading and trailing rows are dropped.

Filled values are remembered (``filled_in``): a series' validation and test scores leave out
the windows whose targets were filled in, so they count only values that were observed.

With ``by`` (the sequence id of the long format) filling never crosses from one sequence into
the next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lstm_core.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

MISSING_POLICIES = ("error", "drop", "ffill", "interpolate")


def apply_missing(
    frame: pd.DataFrame, columns: list[str], policy: str, *, by: str | None = None
) -> pd.DataFrame:
    """Return ``frame`` with ``columns`` finite, filled or with rows dropped per ``policy``.

    Args:
        frame: the table, `(rows, columns)`.
        columns: numeric columns to clean; others are left as they are.
        policy: one of ``MISSING_POLICIES``.
        by: optional column whose value groups rows into sequences; fills stay within one.

    Returns:
        a frame of `(kept_rows, columns)` with the original row labels of the kept rows.
    """
    values = frame[columns].to_numpy(dtype=np.float64)  # (rows, columns)
    bad = ~np.isfinite(values)
    if not bad.any():
        return frame
    if policy == "error":
        raise _gap_error(frame, columns, values, bad)
    cleaned = frame[columns].astype(np.float64).mask(bad)  # infinities become NaN
    groups = cleaned.groupby(frame[by], sort=False) if by else None
    if policy == "ffill":
        cleaned = groups.ffill() if groups else cleaned.ffill()
    elif policy == "interpolate":
        inside = (
            "inside"  # no extrapolation: rows before the first or after the last value stay NaN
        )
        if groups:
            cleaned = groups.transform(lambda s: s.interpolate(limit_area=inside))
        else:
            cleaned = cleaned.interpolate(limit_area=inside)
    out = frame.copy()
    out[columns] = cleaned
    return out.dropna(subset=columns)


def filled_in(before: pd.DataFrame, after: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Which of ``after``'s values in ``columns`` were filled in by ``apply_missing``.

    Args:
        before: the frame given to ``apply_missing``, with unique row labels.
        after: the frame it returned (its rows keep their labels).
        columns: the columns to check.

    Returns:
        `(kept_rows, columns)` bool, True where the value was missing or infinite before.
    """
    original = before.loc[after.index, columns].to_numpy(dtype=np.float64)  # (kept_rows, columns)
    return ~np.isfinite(original)


def _gap_error(
    frame: pd.DataFrame, columns: list[str], values: np.ndarray, bad: np.ndarray
) -> DataError:
    """The error for the first gap in column order: which column, which row, how many."""
    column = int(np.argmax(bad.any(axis=0)))
    row = int(np.argmax(bad[:, column]))
    label = frame.index[row]
    where = f"data row {label + 1}" if isinstance(label, int | np.integer) else f"row {label!r}"
    what = "a missing value" if np.isnan(values[row, column]) else "an infinite value"
    return DataError(
        f"Column {columns[column]!r} has {what} in {where} ({int(bad[:, column].sum())} "
        f"missing or infinite in that column); choose missing='drop', 'ffill' or "
        f"'interpolate', or fix the file."
    )
