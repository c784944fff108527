import json

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import WindowSpec, make_windows
from lstm_core.errors import DataError
from lstm_core.settings import Limits


def ramp(n=20, **columns):
    """A series whose value is its row number (plus an offset per column): 0..n-1."""
    columns = columns or {"v": 0}
    return pd.DataFrame({name: np.arange(n) + offset for name, offset in columns.items()})


def spec(**kwargs):
    return WindowSpec(**{"features": ("v",), "targets": ("v",), "lookback": 3, **kwargs})


# --- the chronological split, by hand: 20 rows -> train 0..13, val 14..16, test 17..19 ---


def test_split_windows_match_hand_computed_values():
    w = make_windows(ramp(), spec())
    to_rows = w.feature_scaler.inverse  # scaled back to the row numbers they came from
    assert w.x_train.shape == (11, 3, 1) and w.y_train.shape == (11, 1)
    np.testing.assert_allclose(to_rows(w.x_train[0])[:, 0], [0, 1, 2], atol=1e-5)
    np.testing.assert_allclose(to_rows(w.x_train[-1])[:, 0], [10, 11, 12], atol=1e-5)
    np.testing.assert_allclose(w.inverse_targets(w.y_train)[[0, -1], 0], [3, 13], atol=1e-5)
    # Validation windows predict rows 14..16 and take their history from the end of train.
    assert w.x_val.shape == (3, 3, 1)
    np.testing.assert_allclose(to_rows(w.x_val[0])[:, 0], [11, 12, 13], atol=1e-5)
    np.testing.assert_allclose(to_rows(w.x_val[-1])[:, 0], [13, 14, 15], atol=1e-5)
    np.testing.assert_allclose(w.inverse_targets(w.y_val)[:, 0], [14, 15, 16], atol=1e-5)
    assert w.x_test.shape == (3, 3, 1)
    np.testing.assert_allclose(to_rows(w.x_test[0])[:, 0], [14, 15, 16], atol=1e-5)
    np.testing.assert_allclose(to_rows(w.x_test[-1])[:, 0], [16, 17, 18], atol=1e-5)
    np.testing.assert_allclose(w.inverse_targets(w.y_test)[:, 0], [17, 18, 19], atol=1e-5)


def test_minmax_scaler_is_fitted_on_training_rows_only():
    w = make_windows(ramp(), spec())
    # Train rows are 0..13, so min 0 and max 13, not the 19 of the whole series.
    assert w.feature_scaler.offset.tolist() == [0.0]
    assert w.feature_scaler.scale.tolist() == [13.0]
    assert w.target_scaler.scale.tolist() == [13.0]
    np.testing.assert_allclose(w.x_train[0, :, 0], np.array([0, 1, 2]) / 13, atol=1e-6)
    np.testing.assert_allclose(w.y_test[:, 0], np.array([17, 18, 19]) / 13, atol=1e-6)
    assert w.x_train.dtype == w.y_test.dtype == np.float32


def test_standard_scaler_uses_training_mean_and_std():
    w = make_windows(ramp(), spec(scaler="standard"))
    train = np.arange(14)
    np.testing.assert_allclose(w.feature_scaler.offset, [train.mean()])
    np.testing.assert_allclose(w.feature_scaler.scale, [train.std()])
    np.testing.assert_allclose(w.x_train[0, :, 0], (np.arange(3) - 6.5) / train.std(), atol=1e-6)


@pytest.mark.parametrize(
    "lookback, horizon, stride, val, test",
    [(3, 1, 1, 0.15, 0.15), (4, 3, 2, 0.2, 0.2), (1, 2, 3, 0.3, 0.1), (5, 1, 1, 0.0, 0.25)],
)
def test_no_window_reads_a_later_split(lookback, horizon, stride, val, test):
    n = 40
    w = make_windows(
        ramp(n),
        spec(
            lookback=lookback,
            horizon=horizon,
            stride=stride,
            val_fraction=val,
            test_fraction=test,
            scaler="none",  # values stay row numbers
        ),
    )
    n_val, n_test = round(n * val), round(n * test)
    ends = {"train": n - n_val - n_test, "val": n - n_test, "test": n}
    starts = {"train": 0, "val": ends["train"], "test": ends["val"]}
    for split in ("train", "val", "test"):
        x, y = getattr(w, f"x_{split}"), getattr(w, f"y_{split}")
        if len(x):
            assert x.max() < ends[split]  # inputs: this split or an earlier one
            assert y.min() >= starts[split] and y.max() < ends[split]  # targets: this split
            # consecutive windows start `stride` rows apart
            np.testing.assert_array_equal(np.diff(x[:, 0, 0]), stride)


def test_y_is_step_major_over_horizon_and_targets():
    df = ramp(a=0, b=100)
    w = make_windows(
        df, WindowSpec(features=("a",), targets=("a", "b"), lookback=3, horizon=2, scaler="none")
    )
    assert w.y_train.shape == (10, 4) and w.n_outputs == 4
    # First window reads rows 0..2; y is [t+1: a, b, t+2: a, b].
    np.testing.assert_array_equal(w.y_train[0], [3, 103, 4, 104])


def test_inverse_targets_returns_original_units_for_predictions():
    df = ramp(a=0, b=100)
    w = make_windows(df, WindowSpec(features=("a", "b"), targets=("a", "b"), lookback=3, horizon=2))
    # Train rows 0..13: a in [0, 13], b in [100, 113], so scaled 0.5 means 6.5 and 106.5.
    predictions = np.full((2, 4), 0.5, dtype=np.float32)
    np.testing.assert_allclose(w.inverse_targets(predictions), [[6.5, 106.5, 6.5, 106.5]] * 2)
    np.testing.assert_allclose(w.inverse_targets(w.y_test)[-1], [18, 118, 19, 119], atol=1e-4)


def test_inverse_targets_rejects_the_wrong_width():
    w = make_windows(ramp(), spec(horizon=2))
    with pytest.raises(DataError, match=r"expects shape \(samples, 2\).*got \(4, 3\)"):
        w.inverse_targets(np.zeros((4, 3)))


def test_matches_keras_timeseries_dataset_from_array():
    import keras

    values = np.random.default_rng(0).normal(size=(30, 2))
    df = pd.DataFrame(values, columns=["p", "q"])
    lookback, stride = 4, 2
    w = make_windows(
        df,
        WindowSpec(
            features=("p", "q"),
            targets=("q",),
            lookback=lookback,
            stride=stride,
            scaler="none",
            val_fraction=0.0,
            test_fraction=0.0,
        ),
    )
    reference = keras.utils.timeseries_dataset_from_array(
        values[:-1], values[lookback:, 1], sequence_length=lookback, sequence_stride=stride
    )
    x, y = next(iter(reference))
    np.testing.assert_allclose(w.x_train, x.numpy(), atol=1e-6)
    np.testing.assert_allclose(w.y_train[:, 0], y.numpy(), atol=1e-6)


def test_rows_are_put_in_date_order_before_the_split():
    df = pd.DataFrame(
        {"when": pd.to_datetime([f"2020-01-{d:02d}" for d in range(20, 0, -1)]), "v": range(20)}
    )
    df.attrs["date_column"] = "when"
    w = make_windows(df, spec(scaler="none", val_fraction=0.0, test_fraction=0.0))
    # Sorted by date the values run 19, 18, ..., 0.
    np.testing.assert_array_equal(w.x_train[0, :, 0], [19, 18, 17])


def test_missing_date_in_an_unsorted_date_column():
    df = pd.DataFrame({"when": pd.to_datetime(["2020-01-02", None, "2020-01-01"]), "v": [1, 2, 3]})
    df.attrs["date_column"] = "when"
    with pytest.raises(DataError, match="date column 'when' has a missing date in data row 2"):
        make_windows(df, spec(lookback=1))


# --- missing values ---


def gappy():
    v = np.arange(20, dtype=float)
    v[[0, 5, 6]] = np.nan
    return pd.DataFrame({"v": v})


def test_missing_value_error_names_column_and_row():
    with pytest.raises(
        DataError, match=r"Column 'v' has a missing value in data row 1 \(3 missing"
    ):
        make_windows(gappy(), spec())


def test_infinity_is_an_error_under_error_policy():
    df = ramp()
    df["v"] = df["v"].astype(float)
    df.loc[7, "v"] = np.inf
    with pytest.raises(DataError, match=r"'v' has an infinite value in data row 8"):
        make_windows(df, spec())


def windowed_rows(df, missing):
    w = make_windows(df, spec(missing=missing, scaler="none", val_fraction=0.0, test_fraction=0.0))
    return np.concatenate([w.x_train[0, :, 0], w.y_train[:, 0]])  # every row, in order


def test_drop_policy_removes_rows():
    rows = windowed_rows(gappy(), "drop")
    np.testing.assert_array_equal(
        rows, [1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
    )


def test_ffill_policy_carries_the_last_value_and_drops_leading_rows():
    rows = windowed_rows(gappy(), "ffill")
    np.testing.assert_array_equal(rows[:7], [1, 2, 3, 4, 4, 4, 7])
    assert len(rows) == 19


def test_interpolate_policy_is_linear_between_neighbours():
    df = pd.DataFrame({"v": [np.nan, 1.0, np.nan, np.inf, 7.0, 9.0, 11.0, np.nan]})
    rows = windowed_rows(df, "interpolate")
    np.testing.assert_allclose(rows, [1, 3, 5, 7, 9, 11])  # ends dropped, inf treated as a gap


# --- bad input ---


def test_too_few_rows_gives_both_numbers():
    with pytest.raises(DataError, match=r"has 5 rows.*lookback 6 \+ horizon 2 needs at least 8"):
        make_windows(ramp(5), spec(lookback=6, horizon=2))


def test_too_short_training_split_gives_both_numbers():
    with pytest.raises(DataError, match=r"training split has 10 of 20 rows.*needs at least 13"):
        make_windows(ramp(), spec(lookback=12, val_fraction=0.25, test_fraction=0.25))


def test_too_short_test_split_names_it():
    with pytest.raises(DataError, match=r"test split has 3 rows but horizon 4 needs at least 4"):
        make_windows(ramp(), spec(horizon=4, val_fraction=0.25))


def test_a_split_rounded_to_no_rows():
    with pytest.raises(DataError, match=r"validation split gets 0 rows \(1% of 20\)"):
        make_windows(ramp(), spec(val_fraction=0.01))


def test_text_column_as_feature():
    df = ramp().assign(wind=["NW", "SE"] * 10)
    with pytest.raises(DataError, match=r"feature column 'wind' holds text \(e.g. 'NW'\).*: v\."):
        make_windows(df, spec(features=("v", "wind")))


def test_unknown_column_lists_the_columns():
    with pytest.raises(
        DataError, match=r"target column 'w' is not in the data; the columns are: v"
    ):
        make_windows(ramp(), spec(targets=("w",)))


def test_duplicate_column_names():
    df = pd.concat([ramp(), ramp()], axis=1)
    with pytest.raises(DataError, match=r"more than one column named \['v'\]"):
        make_windows(df, spec())


def test_target_as_feature_when_not_allowed():
    with pytest.raises(DataError, match=r"target\(s\) \['v'\] are also features"):
        spec(allow_target_as_feature=False)


def test_lookback_above_the_limit():
    with pytest.raises(DataError, match="lookback is 3, above the limit of 2 timesteps"):
        make_windows(ramp(), spec(), limits=Limits(max_timesteps=2))


def test_windows_above_the_memory_budget():
    with pytest.raises(DataError, match=r"windows would take .* above the memory budget"):
        make_windows(ramp(), spec(), limits=Limits(memory_budget_mb=1e-6))


# --- the spec ---


def test_spec_json_round_trip():
    original = spec(horizon=2, stride=3, scaler="standard", missing="ffill")
    text = json.dumps(original.to_dict())
    assert WindowSpec.from_dict(json.loads(text)) == original


@pytest.mark.parametrize(
    "change, message",
    [
        ({"lookback": 0}, "lookback must be at least 1, got 0"),
        ({"lookback": 2.5}, r"lookback must be an int, got 2.5 \(float\)"),
        ({"horizon": True}, "horizon must be an int, got True"),
        (
            {"scaler": "robust"},
            r"scaler must be one of \('minmax', 'standard', 'none'\), got 'robust'",
        ),
        ({"missing": "zero"}, r"missing must be one of \('error', 'drop'"),
        ({"val_fraction": 1.2}, r"val_fraction must be a number in \[0, 1\), got 1.2"),
        ({"val_fraction": 0.5, "test_fraction": 0.5}, "must be below 1, got 0.5 \\+ 0.5"),
        ({"features": "v"}, "features must be a list of column names, got 'v'"),
        ({"features": ()}, "features must hold at least one non-empty column name"),
        ({"targets": ("v", "v")}, r"targets lists \['v'\] more than once"),
        ({"allow_target_as_feature": "no"}, "allow_target_as_feature must be True or False"),
    ],
)
def test_spec_rejects_bad_values(change, message):
    with pytest.raises(DataError, match=message):
        spec(**change)


def test_from_dict_rejects_unknown_and_missing_keys():
    with pytest.raises(DataError, match=r"Unknown WindowSpec key\(s\) \['look_back'\]"):
        WindowSpec.from_dict({**spec().to_dict(), "look_back": 3})
    with pytest.raises(DataError, match=r"WindowSpec needs the key\(s\) \['lookback'\]"):
        WindowSpec.from_dict({"features": ["v"], "targets": ["v"]})
    with pytest.raises(DataError, match="lookback must be an int, got '3'"):
        WindowSpec.from_dict({**spec().to_dict(), "lookback": "3"})
    with pytest.raises(DataError, match="A WindowSpec must be a dict, got list"):
        WindowSpec.from_dict([])


def test_summary_is_json_ready():
    summary = make_windows(ramp(), spec(horizon=2)).summary()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["shapes"]["x_train"] == [10, 3, 1]
    assert summary["shapes"]["y_test"] == [2, 2]
    assert summary["n_outputs"] == 2 and summary["task"] == "regression"


def test_windows_know_the_series_rows_they_read_and_its_dates():
    frame = ramp(20).assign(date=pd.date_range("2020-03-01", periods=20, freq="D"))
    frame = frame.iloc[::-1].reset_index(drop=True)  # out of order: windowing sorts by date
    frame.attrs["date_column"] = "date"
    w = make_windows(frame, spec(stride=2))
    rows = w.series.rows("val", w.timesteps)  # (samples, timesteps)
    np.testing.assert_array_equal(rows, [[11, 12, 13], [13, 14, 15]])
    np.testing.assert_allclose(w.series.targets[:, 0], np.arange(20))  # in data units
    assert str(w.series.dates[rows[0, 0]])[:10] == "2020-03-12"
    assert make_windows(ramp(), spec()).series.dates is None  # no date column


def test_difference_predicts_changes_and_reads_back_as_levels():
    trend = pd.DataFrame({"v": 3.0 * np.arange(20) + np.arange(20) % 2})  # 0, 4, 6, 10, ...
    w = make_windows(trend, spec(difference=True, horizon=2, scaler="none"))
    # 19 rows of changes (row 0 has none): train 0..12, val 13..15, test 16..18 (of rows 1..19)
    levels = trend["v"].to_numpy()[1:]
    t = w.history.starts["test"]
    np.testing.assert_allclose(w.x_test[0, :, 0], np.diff(trend["v"].to_numpy())[t[0] - 3 : t[0]])
    expected_changes = np.stack([levels[t] - levels[t - 1], levels[t + 1] - levels[t - 1]], axis=1)
    np.testing.assert_allclose(w.y_test, expected_changes, atol=1e-5)
    back = w.inverse_targets(w.y_test, "test")
    np.testing.assert_allclose(back, np.stack([levels[t], levels[t + 1]], axis=1), atol=1e-4)
    with pytest.raises(DataError, match="split="):
        w.inverse_targets(w.y_test)
