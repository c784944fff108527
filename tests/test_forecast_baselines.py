"""The yardsticks, computed by hand on small series and compared with the engine exactly."""

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import WindowSpec, make_windows
from lstm_core.data.season import infer_season
from lstm_core.errors import DataError
from lstm_core.forecast import baselines

# 20 rows: train 0..11, val 12..14, test 15..19 (val_fraction 0.15 -> 3, test 0.25 -> 5).
A = [5.0, 7, 6, 9, 4, 8, 10, 3, 7, 6, 11, 2, 9, 5, 8, 12, 4, 6, 10, 7]
B = [
    100.0,
    140,
    90,
    120,
    130,
    110,
    95,
    150,
    105,
    115,
    125,
    135,
    145,
    85,
    100,
    160,
    90,
    70,
    120,
    110,
]


def two_targets(gap_row=None):
    frame = pd.DataFrame({"a": A, "b": B})
    if gap_row is not None:
        frame.loc[gap_row, "a"] = np.nan
    return frame


def windows(frame, **kwargs):
    spec = WindowSpec(
        features=("a", "b"),
        targets=("a", "b"),
        lookback=2,
        horizon=3,
        val_fraction=0.15,
        test_fraction=0.25,
        **{"season": 4, "missing": "ffill", **kwargs},
    )
    return make_windows(frame, spec)


def hand_forecast(rule, starts, horizon=3):
    """`rule(t, k, column)` for each window start t, step k and target column: step-major."""
    return np.array(
        [[rule(t, k, column) for k in range(horizon) for column in (A, B)] for t in starts]
    )


def test_naive_seasonal_and_mean_match_a_hand_computation():
    w = windows(two_targets())
    starts = [15, 16, 17]  # test windows: first predicted rows 15..17, horizon 3
    assert w.history.starts["test"].tolist() == starts
    forecasts = baselines.series_baselines(w.history, "test", 3)
    np.testing.assert_array_equal(
        forecasts["naive"], hand_forecast(lambda t, k, y: y[t - 1], starts)
    )
    # season 4, horizon 3 < 4: one season back, y[t + k - 4]
    np.testing.assert_array_equal(
        forecasts["seasonal_naive"], hand_forecast(lambda t, k, y: y[t + k - 4], starts)
    )
    np.testing.assert_array_equal(
        forecasts["mean"], hand_forecast(lambda t, k, y: sum(y[:12]) / 12, starts)
    )


def test_seasonal_naive_repeats_the_last_season_over_a_longer_horizon():
    w = windows(two_targets(), season=2)  # horizon 3 > season 2: step 3 reads 2 seasons back
    forecast = baselines.seasonal_naive(w.history, "test", 3)
    expected = hand_forecast(lambda t, k, y: y[t + k - 2 * (k // 2 + 1)], [15, 16, 17])
    np.testing.assert_array_equal(forecast, expected)
    assert [t + k - 2 * (k // 2 + 1) for k in range(3) for t in [15]] == [13, 14, 13]


def test_a_filled_gap_is_never_a_baseline_and_never_scored():
    # Row 13 of `a` is missing and forward-filled from row 12.
    w = windows(two_targets(gap_row=13))
    assert not w.history.observed[13, 0] and w.history.observed[13, 1]
    # Validation windows start at 12 only (12 + 3 fits in 12..14); it holds row 13: left out.
    assert w.history.left_out == {"val": 1, "test": 0} and len(w.y_val) == 0
    forecasts = baselines.series_baselines(w.history, "test", 3)
    # Seasonal naive of row 17 (t=16, k=1) reads row 13: the last observed value, row 12's 9.
    assert forecasts["seasonal_naive"][1, 2] == A[12]  # step 2 of window 2, target a
    assert forecasts["seasonal_naive"][1, 3] == B[13]  # b was observed there
    np.testing.assert_array_equal(
        forecasts["naive"], hand_forecast(lambda t, k, y: y[t - 1], [15, 16, 17])
    )


def test_interpolated_test_targets_are_left_out_and_counted():
    w = windows(two_targets(gap_row=16), missing="interpolate")
    # Row 16 is a target of the test windows starting at 15 and 16: both left out.
    assert w.history.left_out["test"] == 2
    assert w.history.starts["test"].tolist() == [17]
    assert len(w.y_test) == 1
    np.testing.assert_allclose(
        w.inverse_targets(w.y_test), [[A[17], B[17], A[18], B[18], A[19], B[19]]]
    )


def test_no_season_means_no_seasonal_naive():
    w = windows(two_targets(), season=0)
    assert w.history.season.period is None and "switched off" in w.history.season.note
    assert baselines.seasonal_naive(w.history, "test", 3) is None


def test_a_season_longer_than_the_history_before_a_window_gives_no_seasonal_naive():
    w = windows(two_targets(), season=16)
    assert baselines.seasonal_naive(w.history, "test", 3) is None


@pytest.mark.parametrize(
    ("freq", "period"), [("h", 24), ("D", 7), ("W", 52), ("MS", 12), ("QS", 4)]
)
def test_the_season_is_read_from_the_dates(freq, period):
    dates = pd.Series(pd.date_range("2000-01-01", periods=40, freq=freq))
    assert infer_season(dates).period == period


def test_irregular_dates_or_no_dates_give_no_season_and_say_why():
    dates = pd.Series(pd.to_datetime(["2000-01-01", "2000-01-04", "2000-01-07", "2000-01-10"]))
    assert infer_season(dates).period is None
    frame = two_targets()
    w = windows(frame, season=None)
    assert w.history.season.period is None and "no date column" in w.history.season.note


def test_a_daily_date_column_gives_a_weekly_season():
    frame = two_targets()
    frame.insert(0, "date", pd.date_range("2020-01-01", periods=20, freq="D"))
    frame.attrs["date_column"] = "date"
    assert windows(frame, season=None).history.season.period == 7


def test_a_season_of_one_row_is_refused_with_the_fix():
    with pytest.raises(DataError, match="season must be 0"):
        windows(two_targets(), season=1)


def test_majority_class_by_hand():
    y_train = np.array([[2], [0], [2], [1], [2], [0]])
    winner, predicted = baselines.majority(y_train, 3)
    assert winner == 2 and predicted.reshape(-1).tolist() == [2, 2, 2]
