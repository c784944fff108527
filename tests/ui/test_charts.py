"""Tests for ui.charts: the specs say what the pages promise (axes, scales, data)."""

import numpy as np
import pandas as pd
import pytest

from ui import charts

HOSTILE = ["<script>alert(1)</script>", "[x](javascript:alert(1))", "a.b[0]"]


def _spec(chart) -> dict:
    return chart.to_dict()


def _colors_in(spec) -> list[str]:
    """Every literal colour anywhere in a Vega-Lite spec."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in {"color", "fill", "stroke"} and isinstance(value, str):
                found.append(value.lower())
            found.extend(_colors_in(value))
    elif isinstance(spec, list):
        for item in spec:
            found.extend(_colors_in(item))
    return found


def test_loss_chart_has_train_and_validation_curves_per_epoch():
    history = pd.DataFrame({"epoch": [1, 2], "loss": [1.0, 0.5], "val_loss": [2.0, 1.5]})
    chart = charts.loss_chart(history)
    data = chart.data
    assert data[data.curve == "validation"]["loss"].tolist() == [2.0, 1.5]
    assert data[data.curve == "train"]["epoch"].tolist() == [1, 2]
    y = _spec(chart)["encoding"]["y"]
    assert y["scale"] == {"zero": False}
    assert y["title"] == "loss (on scaled targets)"
    # whole epochs only: a one-epoch run must not label its axis "1.000000"
    assert _spec(chart)["encoding"]["x"]["axis"]["format"] == "d"


def test_loss_chart_log_scale_drops_non_positive_values():
    records = [{"loss": 1.0, "val_loss": 0.0}, {"loss": 0.1, "val_loss": 0.2}]
    chart = charts.loss_chart(records, log_scale=True)
    y = _spec(chart)["encoding"]["y"]
    assert y["scale"] == {"type": "log"} and y["title"].endswith("log scale")
    validation = chart.data[chart.data.curve == "validation"]["loss"]
    assert np.isnan(validation.iloc[0]) and validation.iloc[1] == 0.2
    assert chart.data["epoch"].tolist() == [1, 2, 1, 2]  # no epoch column: 1-based order


def test_loss_chart_without_validation_has_only_train():
    chart = charts.loss_chart(pd.DataFrame({"loss": [3.0]}))
    assert chart.data["curve"].unique().tolist() == ["train"]


def test_runs_overlay_draws_one_line_per_run():
    histories = {
        "run 1": pd.DataFrame({"epoch": [1, 2], "val_loss": [1.0, 0.9]}),
        "run 2": [{"epoch": 1, "val_loss": 0.7}],
    }
    chart = charts.runs_overlay_chart(histories, metric="val_loss", log_scale=True)
    assert chart.data.groupby("curve")["loss"].apply(list).to_dict() == {
        "run 1": [1.0, 0.9],
        "run 2": [0.7],
    }
    spec = _spec(chart)
    assert spec["encoding"]["color"]["title"] == "run"
    assert spec["encoding"]["y"]["scale"]["type"] == "log"


def test_prediction_chart_pairs_truth_and_prediction():
    chart = charts.prediction_chart(np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.5, 2.0]), name="y")
    data = chart.data
    assert data[data.curve == "truth"]["value"].tolist() == [1.0, 2.0, 3.0]
    assert data[data.curve == "prediction"]["window"].tolist() == [0, 1, 2]
    encoding = _spec(chart)["encoding"]
    assert encoding["y"]["title"] == "value (data units)"
    # the dash tells truth from prediction, so its legend must show
    assert encoding["strokeDash"].get("legend", {}) is not None


def test_prediction_chart_draws_the_naive_forecast_when_asked():
    chart = charts.prediction_chart(
        np.array([1.0, 2.0]), np.array([1.5, 2.5]), name="y", baseline=np.array([0.0, 1.0])
    )
    assert chart.data[chart.data.curve == "naive"]["value"].tolist() == [0.0, 1.0]
    assert _spec(chart)["encoding"]["color"]["sort"] == ["truth", "prediction", "naive"]


def test_step_error_chart_pairs_the_model_and_naive_per_step():
    per_step = [
        {"step": 1, "rmse": 1.0, "naive_rmse": 2.0},
        {"step": 2, "rmse": 1.5, "naive_rmse": 2.5},
    ]
    chart = charts.step_error_chart(per_step, name="y")
    by_forecast = chart.data.groupby("forecast")["rmse"].apply(list).to_dict()
    assert by_forecast == {"model": [1.0, 1.5], "naive": [2.0, 2.5]}
    assert _spec(chart)["encoding"]["x"]["title"] == "steps ahead (t+k)"


def test_heatmap_maps_time_and_unit_to_the_right_values():
    values = np.arange(6.0).reshape(3, 2)  # (timesteps=3, units=2)
    chart = charts.heatmap_chart(values, title="c_t", value_title="c")
    row = chart.data[(chart.data.t == 2) & (chart.data.unit == 1)]
    assert row["value"].item() == values[2, 1]
    spec = _spec(chart)
    assert spec["encoding"]["x"]["title"] == "time step t"
    assert spec["encoding"]["color"]["scale"]["scheme"] == "viridis"


def test_heatmap_diverging_scale_is_symmetric_about_zero():
    chart = charts.heatmap_chart(
        np.array([[-0.5, 2.0]]), title="h", value_title="h", diverging=True
    )
    scale = _spec(chart)["encoding"]["color"]["scale"]
    assert scale["domain"] == [-2.0, 2.0] and scale["domainMid"] == 0


def test_gradient_chart_is_log_scaled_and_leaves_zero_gradients_out():
    profiles = {
        "rnn": {"untrained": pd.DataFrame({"t": [0, 1, 2], "dL_dh": [0.0, 1e-8, 1.0]})},
        "lstm": {"untrained": pd.DataFrame({"t": [0, 1, 2], "dL_dh": [0.1, 0.3, 1.0]})},
    }
    chart = charts.gradient_chart(profiles, x_title="t (loss: the last step's)")
    spec = _spec(chart)
    assert spec["encoding"]["y"]["scale"] == {"type": "log"}
    assert "dL/dh" in spec["encoding"]["y"]["title"]
    assert spec["encoding"]["x"]["title"] == "t (loss: the last step's)"
    rnn = chart.data[chart.data.cell == "rnn"]["norm"]
    assert np.isnan(rnn.iloc[0]) and rnn.iloc[1] == pytest.approx(1e-8)


def test_gradient_chart_colours_each_cell_and_dashes_earlier_moments():
    frame = pd.DataFrame({"t": [0, 1], "dL_dh": [0.1, 1.0]})
    profiles = {"LSTM": {"at initialisation": frame, "after epoch 8": frame}, "GRU": {"x": frame}}
    spec = _spec(charts.gradient_chart(profiles, colors={"LSTM": "#111111", "GRU": "#222222"}))
    assert spec["encoding"]["color"]["scale"] == {
        "domain": ["LSTM", "GRU"],
        "range": ["#111111", "#222222"],
    }
    dash = spec["encoding"]["strokeDash"]["scale"]
    assert dash["domain"] == ["at initialisation", "after epoch 8", "x"]
    assert dash["range"][-1] == [1, 0] and dash["range"][0] != [1, 0]  # the latest is solid


def test_learning_curves_put_the_baseline_rule_at_its_value():
    chart = charts.learning_curves_chart({"rnn": [0.2, 0.17], "lstm": [0.1, 0.01]}, baseline=1 / 6)
    lines, rule, label = chart.layer
    assert rule.data["loss"].item() == pytest.approx(1 / 6)
    assert label.data["label"].item() == "baseline = 0.1667"
    assert lines.data[lines.data.curve == "lstm"]["loss"].tolist() == [0.1, 0.01]
    coloured = charts.learning_curves_chart(
        {"LSTM": [0.1]}, baseline=0.2, colors={"LSTM": "#4c78a8"}
    )
    scale = _spec(coloured.layer[0])["encoding"]["color"]["scale"]
    assert scale == {"domain": ["LSTM"], "range": ["#4c78a8"]}


@pytest.mark.parametrize(
    "chart",
    [
        charts.loss_chart([{"loss": 1.0}]),
        charts.heatmap_chart(np.zeros((2, 2)), title="t", value_title="v"),
        charts.learning_curves_chart({"lstm": [0.1]}, baseline=0.2),
    ],
)
def test_no_chart_hard_codes_black_or_white(chart):
    for color in _colors_in(_spec(chart)):
        assert color not in {"black", "white", "#000", "#000000", "#fff", "#ffffff"}
