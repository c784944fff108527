"""Tests for lstm_core.inspect.unit_report and diagnose: hand-set units found, flat models flagged."""

import keras
import numpy as np
import pandas as pd
import pytest

from lstm_core.data import WindowSpec, make_windows
from lstm_core.errors import DataError
from lstm_core.inspect import diagnose, unit_report
from lstm_core.model import ModelSpec, build_model, parse_layers

LOOKBACK = 8
COPIED_UNIT, COPIED_FEATURE = 2, 1


def series_windows(rows=900):
    """Daily rows: noise ``a``, noise ``b``, and ``season``, a yearly sine, the target."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2001-01-01", periods=rows, freq="D")
    frame = pd.DataFrame(
        {
            "date": dates,
            "a": rng.normal(size=rows),
            "b": rng.normal(size=rows),
            "season": np.sin(2 * np.pi * dates.day_of_year / 365.25),
        }
    )
    frame.attrs["date_column"] = "date"
    spec = WindowSpec(features=("a", "b", "season"), targets=("season",), lookback=LOOKBACK)
    return make_windows(frame, spec)


def copying_model(copy_feature=COPIED_FEATURE, copy_unit=COPIED_UNIT, units=4):
    """An LSTM whose unit ``copy_unit`` copies input ``copy_feature``: i and o open, f shut,
    and a small kernel so ``c = tanh(w x) ~ w x`` (and h nearly so); the other units read the inputs
    through small random weights and mix them."""
    model = build_model(ModelSpec(parse_layers(f"lstm:{units}"), outputs=1), LOOKBACK, 3, seed=0)
    layer = model.get_layer("layer_1")
    kernel, recurrent, bias = (np.array(w) for w in layer.get_weights())  # gates i, f, c, o
    rng = np.random.default_rng(1)
    kernel[:] = rng.normal(scale=0.3, size=kernel.shape)
    gate = {name: k * units + copy_unit for k, name in enumerate("ifgo")}
    kernel[:, [gate["i"], gate["f"], gate["g"], gate["o"]]] = 0.0
    recurrent[:, [gate["i"], gate["f"], gate["g"], gate["o"]]] = 0.0
    kernel[copy_feature, gate["g"]] = 0.05
    bias[[gate["i"], gate["f"], gate["g"], gate["o"]]] = [20.0, -20.0, 0.0, 20.0]
    layer.set_weights([kernel, recurrent, bias])
    return model


def test_a_unit_built_to_copy_an_input_is_found_first():
    windows = series_windows()
    report = unit_report(copying_model(), windows, 1, split="val")
    first = report.iloc[0]
    assert (first["unit"], first["state"], first["signal"]) == (COPIED_UNIT, "c", "input b")
    assert first["r"] > 0.999
    assert first["in words"] == f"unit {COPIED_UNIT} of layer 1 tracks input b (c, r = 1.00)."
    assert sorted(report["unit"]) == [0, 1, 2, 3]
    strengths = report["r"].abs().tolist()
    assert strengths == sorted(strengths, reverse=True)


def test_a_unit_that_copies_the_season_tracks_the_time_of_the_year_and_the_target():
    windows = series_windows()
    report = unit_report(copying_model(copy_feature=2), windows, 1, split="train")
    row = report.set_index("unit").loc[COPIED_UNIT]
    assert row["h: the time of the year"] > 0.99  # the circular correlation with the date
    assert row["h: season now"] > 0.999
    assert row["h: season at the next step"] > 0.99
    assert row["h: season's local level"] > 0.9  # an 8-day mean of a yearly sine
    assert row["h: season 1 step earlier"] > row["h: season 8 steps earlier"] > 0.99
    assert "h: the day of the week" in report.columns  # daily dates show the week too
    assert "h: the time of day" not in report.columns
    assert "c: input a" in report.columns  # an LSTM's c is read as well


def test_a_constant_unit_is_said_to_carry_nothing():
    model = copying_model()
    layer = model.get_layer("layer_1")
    kernel, recurrent, bias = (np.array(w) for w in layer.get_weights())
    kernel[:, 0::4] = recurrent[:, 0::4] = 0.0  # unit 0: every gate a constant
    bias[0::4] = 0.0
    layer.set_weights([kernel, recurrent, bias])
    report = unit_report(model, series_windows(), 1, split="test")
    last = report.iloc[-1]
    assert last["unit"] == 0 and np.isnan(last["r"])
    assert (
        last["in words"] == "unit 0 of layer 1 is constant over the test split: it carries nothing."
    )


def test_unit_report_refuses_an_empty_or_unknown_split():
    windows = series_windows()
    with pytest.raises(DataError, match="split must be one of train, val, test, got 'dev'"):
        unit_report(copying_model(), windows, 1, split="dev")
    empty = make_windows(
        pd.DataFrame({"y": np.arange(60.0)}),
        WindowSpec(features=("y",), targets=("y",), lookback=4, val_fraction=0.0),
    )
    model = build_model(ModelSpec(parse_layers("gru:2"), outputs=1), 4, 1, seed=0)
    with pytest.raises(DataError, match="The val split has no samples"):
        unit_report(model, empty, 1)


# --- diagnose -------------------------------------------------------------------------------


def zero_lstm(forget_bias=0.0):
    """An LSTM of 3 units with zero weights: every gate is sigmoid(bias), g = 0, so h = c = 0."""
    model = build_model(ModelSpec(parse_layers("lstm:3"), outputs=1), LOOKBACK, 3, seed=0)
    layer = model.get_layer("layer_1")
    kernel, recurrent, bias = (np.zeros_like(w) for w in layer.get_weights())
    bias[3:6] = forget_bias  # the forget gate's block
    layer.set_weights([kernel, recurrent, bias])
    return model


def test_diagnose_reads_the_gates_by_hand():
    windows = series_windows()
    half = diagnose(zero_lstm(), windows)["layers"][0]
    assert half["mean_forget"] == pytest.approx(0.5)
    assert half["memory_steps"] == pytest.approx(2.0)  # 1 / (1 - 0.5)
    assert half["saturation"] == {g: {"high": 0.0, "low": 0.0} for g in "ifo"}
    assert half["dead_units"] == [0, 1, 2]  # h = 0 throughout
    remembering = diagnose(zero_lstm(forget_bias=3.0), windows)["layers"][0]
    assert remembering["saturation"]["f"] == {"high": 1.0, "low": 0.0}
    assert remembering["saturated"] == pytest.approx(1 / 3)  # f of i, f, o
    f = 1 / (1 + np.exp(-3.0))  # 0.953, just above 0.95
    assert remembering["memory_steps"] == pytest.approx(1 / (1 - f), rel=1e-5)  # 21 steps


def fit(windows, y_train, epochs, seed=0):
    keras.utils.set_random_seed(seed)
    model = build_model(ModelSpec(parse_layers("lstm:8"), outputs=1), LOOKBACK, 3, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    model.fit(windows.x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
    return model


def test_a_model_trained_to_a_constant_is_flagged_flat_and_a_good_one_is_not():
    windows = series_windows()
    constant = fit(windows, np.full_like(windows.y_train, 0.5), epochs=15)
    flat = diagnose(constant, windows)
    assert flat["flat"] and flat["spread"] < 0.1
    assert flat["split"] == "val" and flat["samples"] == len(windows.x_val)
    assert flat["cause"] and flat["advice"]
    good = diagnose(fit(windows, windows.y_train, epochs=15), windows)
    assert not good["flat"] and good["spread"] > 0.5
    assert good["cause"] is None and good["advice"] is None


def test_unscaled_inputs_are_named_as_the_cause_first():
    frame = pd.DataFrame({"a": np.arange(80.0), "b": 0.0, "c": 0.0})
    windows = make_windows(
        frame,
        WindowSpec(features=("a", "b", "c"), targets=("a",), lookback=LOOKBACK, scaler="none"),
    )
    diagnosis = diagnose(zero_lstm(), windows)  # predicts a constant
    assert diagnosis["flat"]
    assert diagnosis["cause"].startswith("The inputs are not scaled")
    assert diagnosis["advice"] == ["Choose the minmax or standard scaler on the Data page."]


def test_the_spread_reads_the_models_own_outputs_over_several_chunks():
    from lstm_core.model.outputs import CHUNK

    windows = series_windows(rows=3000)  # a validation split of more than one CHUNK
    assert len(windows.x_val) > CHUNK
    model = copying_model()
    predicted = model.predict(windows.x_val, verbose=0)  # (samples, 1)
    expected = predicted.std() / windows.y_val.std()
    assert diagnose(model, windows)["spread"] == pytest.approx(expected, rel=1e-5)
