"""The Data page's plot of a series, as a plain Vega-Lite spec.

Every other chart is built with Altair (``ui.charts``), but this one is on the page a
visitor opens first, and importing Altair and validating its first chart against the
Vega-Lite schema cost about a third of a second there. Streamlit draws a spec dict as it is
(``st.vega_lite_chart``), converting a DataFrame under ``data.values`` to Arrow, so this
module needs neither Altair nor a schema check. It follows the same rules as
``ui.charts``: no hard-coded text colour, and user text (column names) only ever as
data values, never as field names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

# Most points one line sends to the browser; longer series are thinned evenly.
MAX_POINTS = 2_000
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # a name only: nothing is fetched


def thin(frame: pd.DataFrame, max_points: int) -> pd.DataFrame:
    """Every k-th row of ``frame`` so that at most ``max_points`` rows remain."""
    step = max(1, math.ceil(len(frame) / max_points))
    return frame.iloc[::step]


def series_chart(
    df: pd.DataFrame,
    columns: Sequence[str],
    *,
    date_column: str | None = None,
    max_points: int = MAX_POINTS,
    title: str = "The series",
) -> dict:
    """A line per column of a series table, against its date column or row number.

    Args:
        df: the loaded table, ``(rows, columns)``, rows in time order.
        columns: the numeric columns to draw, one line (and legend entry) each.
        date_column: the column to use as the x axis; ``None`` uses the row number.
        max_points: most points per line; longer series are thinned evenly.
        title: the chart's title.

    Returns:
        A Vega-Lite spec whose ``data.values`` is a long DataFrame ``(points * columns, 3)``
        with the fields ``x``, ``column`` and ``value``, and a legend titled "column".
    """
    frame = thin(df, max_points)
    x_values = frame[date_column] if date_column else frame.index.to_series()
    long = pd.DataFrame(
        {
            "x": np.tile(x_values.to_numpy(), len(columns)),
            "column": np.repeat([str(c) for c in columns], len(frame)),
            "value": np.concatenate([frame[c].to_numpy(dtype=float) for c in columns]),
        }
    )
    x = (
        {"field": "x", "type": "temporal", "title": f"{date_column} (date)"}
        if date_column
        else {"field": "x", "type": "quantitative", "title": "row (time step)"}
    )
    return {
        "$schema": SCHEMA,
        "title": title,
        "data": {"values": long},
        "mark": {"type": "line"},
        "encoding": {
            "x": x,
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": "value (data units)",
                "scale": {"zero": False},
            },
            "color": {"field": "column", "type": "nominal", "title": "column"},
            "tooltip": [
                {"field": "column", "type": "nominal"},
                {"field": "x", "type": x["type"], "title": x["title"]},
                {"field": "value", "type": "quantitative"},
            ],
        },
    }
