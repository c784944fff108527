"""The verdict in words and the warnings a forecaster expects, each with its fix."""

import numpy as np
import pandas as pd

from lstm_core.data import WindowSpec, make_windows
from lstm_core.forecast import scores
from lstm_core.forecast.verdict import range_warnings, result_warnings, skill_words, verdict


def windows_of(values, **kwargs):
    frame = pd.DataFrame({"y": values})
    spec = {"features": ("y",), "targets": ("y",), "lookback": 4, "season": 0, **kwargs}
    return make_windows(frame, WindowSpec(**spec))


def seasonal_series(n=300):
    t = np.arange(n)
    noise = np.random.default_rng(1).normal(scale=0.3, size=n)
    return 10 + 3 * np.sin(2 * np.pi * t / 12) + noise


def scored(w, y_pred):
    truth = w.history.targets("test", w.horizon)
    return truth, scores.regression_scores(truth, y_pred, w.target_names, w.horizon, w.history)


def test_skill_in_words():
    assert skill_words(0.22, "naive") == "22 % better than repeating the last value"
    assert skill_words(-0.05, "naive") == "5 % worse than repeating the last value"
    assert skill_words(0.001, "naive") == "as good as repeating the last value"
    assert skill_words(None, "naive") is None


def test_a_series_that_leaves_the_scalers_range_warns_with_the_fix():
    trend = np.arange(200.0) + np.random.default_rng(0).normal(size=200)
    w = windows_of(trend)
    found = range_warnings(w)
    assert [f.kind for f in found] == ["out_of_range"]
    assert "100%" in found[0].text and "'y'" in found[0].text and "training values" in found[0].text
    differenced = windows_of(trend, difference=True)  # the changes stay in their range
    assert range_warnings(differenced) == []
    assert "Difference the series" in found[0].fix and "standard scaler" in found[0].fix


def test_a_series_inside_its_range_does_not_warn():
    w = windows_of(seasonal_series())
    assert range_warnings(w) == []


def test_a_flat_model_is_flagged_and_loses_to_naive():
    w = windows_of(seasonal_series())
    truth, metrics = scored(w, np.full((len(w.y_test), 1), 10.0))
    kinds = [f.kind for f in result_warnings(metrics, truth, np.full_like(truth, 10.0), ("y",), 1)]
    assert kinds == ["flat", "loses"]
    assert "worse than repeating the last value" in verdict(metrics)


def test_a_good_model_is_not_flagged_and_its_verdict_says_by_how_much():
    w = windows_of(seasonal_series())
    t = w.history.starts["test"]
    clean = 10 + 3 * np.sin(2 * np.pi * t / 12)  # the signal without its noise
    truth, metrics = scored(w, clean[:, None])
    assert result_warnings(metrics, truth, clean[:, None], ("y",), 1) == []
    sentence = verdict(metrics)
    skill = metrics["skill_vs_naive"]
    assert sentence.startswith(f"Test RMSE {metrics['rmse']:.3g}: ")
    assert f"{skill:.0%} better than repeating the last value".replace("%", " %") in sentence
    assert f"({metrics['baselines']['naive']['rmse']:.3g})" in sentence


def test_the_verdict_names_the_seasonal_yardstick_with_its_period():
    w = windows_of(seasonal_series(), season=12)
    truth, metrics = scored(w, w.history.targets("test", 1) + 0.1)
    assert "repeating the value one season (12 rows) earlier" in verdict(metrics)


def test_classification_verdict_against_the_majority_class():
    metrics = scores.classification_scores(
        np.array([[0], [1], [1], [2]]),
        np.array([[0], [1], [1], [1]]),
        ("a", "b", "c"),
        np.array([[1], [1]]),
    )
    assert (
        verdict(metrics)
        == "Test accuracy 75 %: 25 points above always predicting the most common class, 'b' (50 %)."
    )
    assert result_warnings(metrics, None, None, (), 1) == []


def test_a_run_stored_before_the_yardsticks_has_no_verdict():
    old = {"samples": 3, "rmse": 1.0, "mae": 0.5, "per_target": {"y": {"rmse": 1.0, "mae": 0.5}}}
    assert verdict(old) is None and verdict(None) is None
    assert verdict({"rmse": 1.5, "mae": 1.0}) is None  # older still: no per_target
