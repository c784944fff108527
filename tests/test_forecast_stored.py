"""A stored run's test_metrics, read back by kind, including runs stored before a key existed."""

import numpy as np

from lstm_core.forecast.scores import regression_scores
from lstm_core.forecast.stored import read_test_metrics


def test_a_run_without_test_results_reads_as_none():
    assert read_test_metrics(None) is None and read_test_metrics({}) is None


def test_a_task_trial_and_a_classification_are_read_by_their_keys():
    assert read_test_metrics({"baseline": 0.17, "val_loss": 0.01}).kind == "comparison"
    assert read_test_metrics({"accuracy": 0.8, "confusion": [[4, 1], [1, 4]]}).kind == (
        "classification"
    )


def test_a_forecast_is_read_per_target_and_an_old_run_as_one_unnamed_target():
    y_true = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])  # (samples, targets)
    metrics = regression_scores(y_true, y_true + 1.0, ("a", "b"), horizon=1)
    results = read_test_metrics(metrics)
    assert results.kind == "forecast" and list(results.per_target) == ["a", "b"]
    assert results.per_target["b"]["mae"] == 1.0
    assert not results.yardsticks  # no history: the model's errors alone
    old = {"rmse": 2.0, "mae": 1.5}  # stored before per_target and yardsticks were kept
    results = read_test_metrics(old)
    assert results.per_target == {"": old} and not results.yardsticks
    assert results.season == "none"


def test_a_forecast_with_yardsticks_says_so_with_its_season():
    scores = {"rmse": 1.0, "baselines": {"naive": {"rmse": 2.0, "mae": 1.5, "skill": 0.5}}}
    metrics = {**scores, "per_target": {"y": scores}, "season": {"period": 12, "note": "12 rows"}}
    results = read_test_metrics(metrics)
    assert results.yardsticks and results.season == "12 rows"
