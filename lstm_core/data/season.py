"""The season of a series: how many rows make one cycle, for the seasonal naive forecast.

A user may set it (``WindowSpec.season``); otherwise it is read from the date column's spacing,
with the periods forecasters use by default (Hyndman & Athanasopoulos, *Forecasting:
Principles and Practice*, section 2.3): hourly data repeats daily (24), daily data weekly (7),
weekly data yearly (52), monthly data yearly (12) and quarterly data yearly (4). Without a date
column, or with irregular dates, there is no season, and ``Season.note`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

HOUR_S = 3600.0
DAY_S = 24 * HOUR_S
# (name, typical spacing in seconds, tolerance in seconds, rows per season)
SPACINGS = (
    ("hourly", HOUR_S, 60.0, 24),
    ("daily", DAY_S, HOUR_S, 7),
    ("weekly", 7 * DAY_S, DAY_S, 52),
    ("monthly", 30.44 * DAY_S, 3 * DAY_S, 12),
    ("quarterly", 91.31 * DAY_S, 5 * DAY_S, 4),
)


@dataclass(frozen=True)
class Season:
    """The rows in one season, and how that was decided."""

    period: int | None  # rows per season; None when the series has none
    note: str  # e.g. "7 (daily dates: a weekly season)", or why there is none

    def to_dict(self) -> dict:
        return {"period": self.period, "note": self.note}


def choose_season(frame: pd.DataFrame, chosen: int | None) -> Season:
    """The season of ``frame``'s rows: ``chosen`` if set, else from its date column.

    Args:
        frame: the table in time order, `(rows, columns)`; its date column, if any, is named
            in ``frame.attrs["date_column"]``.
        chosen: ``WindowSpec.season``: ``None`` infers it, ``0`` means no season, and a
            number of at least 2 is the period itself.
    """
    if chosen == 0:
        return Season(None, "none: switched off (season 0)")
    if chosen is not None:
        return Season(chosen, f"{chosen} rows, as set")
    date = frame.attrs.get("date_column")
    if date is None or date not in frame.columns:
        return Season(None, "none: the data has no date column; set a season to compare with one")
    return infer_season(frame[date])


def infer_season(dates: pd.Series) -> Season:
    """The season implied by the typical spacing of ``dates`` (`(rows,)` datetimes)."""
    seconds = np.diff(dates.dropna().to_numpy().astype("datetime64[s]").astype(np.int64))
    if len(seconds) == 0:
        return Season(None, "none: too few dates to tell their spacing")
    typical = float(np.median(seconds))
    for name, spacing, tolerance, period in SPACINGS:
        if abs(typical - spacing) <= tolerance:
            return Season(period, f"{period} rows ({name} dates)")
    return Season(
        None,
        f"none: the dates are {typical / HOUR_S:.3g} hours apart, not hourly, daily, weekly, "
        "monthly or quarterly; set a season to compare with one",
    )
