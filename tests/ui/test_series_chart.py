"""Tests for ui.series_chart: the Data page's plot, a plain Vega-Lite spec."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd

from ui.series_chart import series_chart

HOSTILE = ["<script>alert(1)</script>", "[x](javascript:alert(1))", "a.b[0]"]


def _values(spec: dict) -> pd.DataFrame:
    return spec["data"]["values"]


def test_series_chart_keeps_hostile_column_names_as_data_values():
    df = pd.DataFrame({name: np.arange(5.0) + i for i, name in enumerate(HOSTILE)})
    spec = series_chart(df, HOSTILE)
    data = _values(spec)
    assert sorted(data["column"].unique()) == sorted(HOSTILE)
    fields = json.dumps({k: v for k, v in spec.items() if k != "data"})
    assert "<script>" not in fields and "a.b[0]" not in fields
    assert data.loc[data["column"] == "a.b[0]", "value"].tolist() == [2, 3, 4, 5, 6]


def test_series_chart_thins_long_series_and_uses_the_date_axis():
    dates = pd.date_range("2000-01-01", periods=5_000, freq="D")
    df = pd.DataFrame({"Date": dates, "Temp": np.arange(5_000.0)})
    spec = series_chart(df, ["Temp"], date_column="Date", max_points=1_000)
    assert len(_values(spec)) == 1_000
    assert _values(spec)["value"].iloc[1] == 5.0  # every 5th row
    assert _values(spec)["x"].iloc[1] == pd.Timestamp("2000-01-06")
    x = spec["encoding"]["x"]
    assert x == {"field": "x", "type": "temporal", "title": "Date (date)"}


def test_series_chart_without_date_uses_row_numbers_and_one_line_per_column():
    spec = series_chart(pd.DataFrame({"a": [1.0, 2.0], "b": [5.0, 6.0]}), ["a", "b"], title="T")
    assert spec["encoding"]["x"]["title"] == "row (time step)"
    assert _values(spec)["x"].tolist() == [0, 1, 0, 1]
    assert _values(spec)["value"].tolist() == [1.0, 2.0, 5.0, 6.0]
    assert spec["encoding"]["color"]["field"] == "column"
    assert spec["title"] == "T" and spec["mark"] == {"type": "line"}


def test_series_chart_sets_no_colour_and_imports_no_altair():
    spec = series_chart(pd.DataFrame({"y": [1.0]}), ["y"])
    assert "color" not in spec["mark"] and "config" not in spec
    code = (
        "import sys, pandas as pd; from ui.series_chart import series_chart; "
        "series_chart(pd.DataFrame({'y': [1.0]}), ['y']); assert 'altair' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
