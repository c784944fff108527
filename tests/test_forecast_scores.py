"""Test scores beside their yardsticks: by hand, per target and per step, never pooled."""

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import WindowSpec, make_windows
from lstm_core.forecast import scores


def random_walk(n=200, seed=0):
    steps = np.random.default_rng(seed).normal(size=n)
    return pd.DataFrame({"y": 50 + np.cumsum(steps)})


def series_windows(frame, **kwargs):
    spec = {"features": ("y",), "targets": ("y",), "lookback": 5, "season": 0, **kwargs}
    return make_windows(frame, WindowSpec(**spec))


def test_a_model_that_lags_the_truth_scores_worse_than_naive():
    w = series_windows(random_walk())
    y = w.history.values[:, 0]
    t = w.history.starts["test"]
    truth = y[t][:, None]
    lagging = y[t - 2][:, None]  # yesterday's naive forecast: one more step behind
    result = scores.regression_scores(truth, lagging, ("y",), 1, w.history)
    assert result["rmse"] > result["baselines"]["naive"]["rmse"]
    assert result["skill_vs_naive"] < 0


def test_mase_and_skill_match_a_hand_computation():
    frame = pd.DataFrame(
        {"y": [3.0, 5, 4, 8, 6, 7, 9, 12, 10, 11, 14, 13, 15, 18, 16, 17, 20, 19, 22, 21]}
    )
    w = series_windows(frame, lookback=2, season=3, val_fraction=0.15, test_fraction=0.2)
    y = frame["y"].to_numpy()
    train = y[:13]  # 20 rows - 3 val - 4 test
    t = w.history.starts["test"]
    assert t.tolist() == [16, 17, 18, 19]
    pred = y[t] + np.array([1.0, -2.0, 0.5, 0.0])
    result = scores.regression_scores(y[t][:, None], pred[:, None], ("y",), 1, w.history)
    mae = np.mean(np.abs([1.0, -2.0, 0.5, 0.0]))
    scale = np.mean(np.abs(train[3:] - train[:-3]))  # in-sample seasonal naive, season 3
    assert result["mae"] == pytest.approx(mae)
    assert result["mase"] == pytest.approx(mae / scale)
    assert result["mase_period"] == 3
    naive_rmse = np.sqrt(np.mean((y[t - 1] - y[t]) ** 2))
    assert result["baselines"]["naive"]["rmse"] == pytest.approx(naive_rmse)
    rmse = np.sqrt(np.mean(np.square([1.0, -2.0, 0.5, 0.0])))
    assert result["skill_vs_naive"] == pytest.approx(1 - rmse / naive_rmse)
    assert result["baselines"]["seasonal_naive"] == pytest.approx(
        {
            "period": 3,
            "rmse": np.sqrt(np.mean((y[t - 3] - y[t]) ** 2)),
            "mae": np.mean(np.abs(y[t - 3] - y[t])),
            "skill": 1 - rmse / np.sqrt(np.mean((y[t - 3] - y[t]) ** 2)),
        }
    )
    assert result["baselines"]["mean"]["mae"] == pytest.approx(np.mean(np.abs(train.mean() - y[t])))


def test_the_json_shape_of_one_target():
    w = series_windows(random_walk())
    truth = w.history.targets("test", 1)
    result = scores.regression_scores(truth, truth + 1.0, ("y",), 1, w.history)
    assert {
        "rmse",
        "mae",
        "per_target",
        "test_samples",
        "baselines",
        "mase",
        "skill_vs_naive",
    } <= set(result)
    assert set(result["baselines"]) == {"naive", "seasonal_naive", "mean"}
    assert result["baselines"]["seasonal_naive"] is None  # season 0: absent, and said so
    assert "switched off" in result["season"]["note"]
    assert result["test_samples"] == len(truth)
    assert result["rmse"] == pytest.approx(1.0)


def test_two_targets_are_scored_apart_and_never_pooled():
    frame = pd.DataFrame({"small": np.arange(60.0) % 7, "large": 1000 + 10 * (np.arange(60.0) % 5)})
    w = make_windows(
        frame, WindowSpec(("small", "large"), ("small", "large"), lookback=3, horizon=3, season=0)
    )
    truth = w.history.targets("test", 3)  # (samples, 3 steps x 2 targets)
    pred = truth + np.tile([1.0, 10.0], 3)
    result = scores.regression_scores(truth, pred, ("small", "large"), 3, w.history)
    assert result["rmse"] is None and result["mae"] is None  # no headline across units
    assert result["per_target"]["small"]["rmse"] == pytest.approx(1.0)
    assert result["per_target"]["large"]["rmse"] == pytest.approx(10.0)
    steps = result["per_target"]["large"]["per_step"]
    assert [s["step"] for s in steps] == [1, 2, 3]
    assert all(s["rmse"] == pytest.approx(10.0) for s in steps)


def test_the_per_step_error_curve_by_hand():
    w = series_windows(random_walk(), horizon=3)
    truth = w.history.targets("test", 3)  # (samples, 3)
    pred = truth + np.array([0.5, 1.0, 2.0])
    result = scores.regression_scores(truth, pred, ("y",), 3, w.history)
    naive = w.history.values[w.history.starts["test"] - 1, 0]  # (samples,)
    for k, step in enumerate(result["per_step"]):
        naive_rmse = np.sqrt(np.mean((naive - truth[:, k]) ** 2))
        assert step["rmse"] == pytest.approx([0.5, 1.0, 2.0][k])
        assert step["naive_rmse"] == pytest.approx(naive_rmse)
        assert step["skill_vs_naive"] == pytest.approx(1 - step["rmse"] / naive_rmse)


def test_regression_without_history_gives_the_errors_only():
    y_true = np.array([[1.0], [2.0]])
    result = scores.regression_scores(y_true, y_true + 1, ("y",), 1)
    assert result["rmse"] == pytest.approx(1.0) and "baselines" not in result


def test_classification_beside_the_majority_class_by_hand():
    y_true = np.array([[0], [0], [1], [2]])
    y_pred = np.array([[0], [1], [1], [1]])
    y_train = np.array([[1], [1], [0]])
    result = scores.classification_scores(y_true, y_pred, ("a", "b", "c"), y_train)
    assert result["accuracy"] == 0.5
    assert result["confusion"] == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]
    assert result["baselines"]["majority"] == {"class": "b", "accuracy": 0.25}
    assert result["skill_vs_majority"] == pytest.approx(1 - 0.5 / 0.75)


def test_scores_of_an_empty_test_split_are_none():
    empty = np.zeros((0, 1))
    assert scores.regression_scores(empty, empty, ("y",), 1)["rmse"] is None
    assert (
        scores.classification_scores(empty, empty, ("a", "b"), np.array([[0]]))["accuracy"] is None
    )
