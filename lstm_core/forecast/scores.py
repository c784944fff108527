"""Test scores in the data's units, each beside its yardsticks.

For every target (never pooled across targets, whose units may differ) and every horizon step:
RMSE and MAE of the model and of each baseline (``lstm_core.forecast.baselines``), the skill
against naive, ``1 - rmse_model / rmse_naive`` (positive: better than repeating the last value),
and MASE (Hyndman & Koehler 2006, "Another look at measures of forecast accuracy"): the test MAE
divided by the in-sample MAE of the seasonal naive forecast (naive without a season) over the
training rows, so that 1 means "as good as that forecast on the data it was fitted to".

The result is JSON-ready, and for one target carries the same keys at its top level:
``{"samples", "test_samples", "rmse", "mae", "baselines", "mase", "skill_vs_naive",
"per_target": {name: {...}}, "season", "left_out"}``, where ``baselines`` is ``{"naive": {"rmse",
"mae", "skill"}, "seasonal_naive": {"period", "rmse", "mae", "skill"} | None, "mean": {...}}``
and each ``skill`` is the model's against that baseline.
"""

from __future__ import annotations

import numpy as np

from lstm_core.data.history import TargetHistory
from lstm_core.forecast import baselines as yardsticks


def score_test_split(windows, predicted: np.ndarray) -> tuple[dict, np.ndarray, np.ndarray]:
    """A model's outputs on the test split of ``windows``, scored beside their yardsticks.

    Args:
        windows: a ``lstm_core.data.Windows``.
        predicted: the model's outputs for ``windows.x_test``, `(samples, outputs)`: scaled
            targets, or class probabilities for classification.

    Returns:
        ``(test_metrics, y_true, y_pred)``: ``regression_scores``' or
        ``classification_scores``' dict, and the truth and predictions in the data's units,
        `(samples, horizon * targets)`, or `(samples, 1)` class indices.
    """
    if windows.task == "classification":
        y_pred = predicted.argmax(axis=1)[:, None].astype(windows.y_test.dtype)  # (samples, 1)
        y_true = windows.y_test
        metrics = classification_scores(y_true, y_pred, windows.class_names, windows.y_train)
        return metrics, y_true, y_pred
    y_true = _true_targets(windows)  # (samples, horizon * targets)
    y_pred = windows.inverse_targets(predicted, "test")
    metrics = regression_scores(
        y_true, y_pred, windows.target_names, windows.horizon, windows.history
    )
    return metrics, y_true, y_pred


def _true_targets(windows) -> np.ndarray:
    """The test targets in data units: `(samples, horizon * targets)`; exact (float64 rows)
    for a series, unscaled from float32 for long-format sequences."""
    if windows.history is not None:
        return windows.history.targets("test", windows.horizon)
    return windows.inverse_targets(windows.y_test)


def regression_scores(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    target_names: tuple[str, ...],
    horizon: int,
    history: TargetHistory | None = None,
) -> dict:
    """The model's test errors beside every baseline, per target and per horizon step.

    Args:
        y_true: `(samples, horizon * targets)`, original units, step-major.
        y_pred: same shape as ``y_true``.
        target_names: the targets, in the order they repeat within a step.
        horizon: future steps per window.
        history: the windows' ``TargetHistory``; without it (long-format sequences) only
            the model's errors are given.

    Returns:
        the dict described in the module docstring; errors are ``None`` for an empty split.
        With several targets the top-level ``rmse`` and ``mae`` are ``None``: see
        ``per_target``.
    """
    samples, targets = len(y_true), len(target_names)
    forecasts = {} if history is None else yardsticks.series_baselines(history, "test", horizon)
    per_target = {}
    for index, name in enumerate(target_names):
        truth = _column(y_true, horizon, targets, index)  # (samples, horizon)
        per_target[name] = _target_scores(
            truth,
            _column(y_pred, horizon, targets, index),
            {
                key: None if forecast is None else _column(forecast, horizon, targets, index)
                for key, forecast in forecasts.items()
            },
            history,
            index,
        )
    scores = {"samples": samples, "test_samples": samples}
    if targets == 1:
        scores.update(per_target[target_names[0]])
    else:
        scores.update({"rmse": None, "mae": None})
    scores["per_target"] = per_target
    if history is not None:
        scores.update(history.summary())
    return scores


def classification_scores(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: tuple[str, ...], y_train: np.ndarray
) -> dict:
    """Accuracy and the confusion matrix, beside the majority class of the training split.

    Args:
        y_true: `(samples, 1)` true class indices.
        y_pred: `(samples, 1)` predicted class indices.
        class_names: class index -> label.
        y_train: `(train_samples, 1)` training class indices, for the majority class.

    Returns:
        ``{"samples", "test_samples", "accuracy", "class_names", "confusion", "baselines":
        {"majority": {"class", "accuracy"}}, "skill_vs_majority"}``, where
        ``confusion[i][j]`` counts samples of class ``i`` predicted as class ``j``; accuracy
        is ``None`` when the test split is empty.
    """
    true = y_true.reshape(-1).astype(int)  # (samples,)
    pred = y_pred.reshape(-1).astype(int)  # (samples,)
    classes = len(class_names)
    confusion = np.zeros((classes, classes), dtype=int)
    np.add.at(confusion, (true, pred), 1)
    winner, majority = yardsticks.majority(y_train, len(true))
    accuracy = _accuracy(true, pred)
    majority_accuracy = _accuracy(true, majority.reshape(-1))
    return {
        "samples": len(true),
        "test_samples": len(true),
        "accuracy": accuracy,
        "class_names": list(class_names),
        "confusion": confusion.tolist(),
        "baselines": {
            "majority": {"class": str(class_names[winner]), "accuracy": majority_accuracy}
        },
        # the share of the majority's errors the model avoids: 0 is no better, 1 is perfect
        "skill_vs_majority": _skill(1 - (accuracy or 0), 1 - (majority_accuracy or 0))
        if accuracy is not None
        else None,
    }


def _target_scores(
    truth: np.ndarray, pred: np.ndarray, forecasts: dict, history: TargetHistory | None, index: int
) -> dict:
    """One target's scores; ``truth``, ``pred`` and each forecast are `(samples, horizon)`."""
    scores = _rmse_mae(pred - truth)
    if history is None:
        return scores
    errors = {}
    for name, forecast in forecasts.items():
        if forecast is None:
            errors[name] = None
            continue
        errors[name] = _rmse_mae(forecast - truth)
        # the model's skill against this baseline: 1 - rmse_model / rmse_baseline
        errors[name]["skill"] = _skill(scores["rmse"], errors[name]["rmse"])
    if errors["seasonal_naive"] is not None:
        errors["seasonal_naive"] = {"period": history.season.period, **errors["seasonal_naive"]}
    scores["baselines"] = errors
    scores["skill_vs_naive"] = _skill(scores["rmse"], errors["naive"]["rmse"])
    mae_scale, period = _mase_scale(history, index)
    scores["mase"] = (
        None if scores["mae"] is None or mae_scale is None else scores["mae"] / mae_scale
    )
    scores["mase_period"] = period
    scores["per_step"] = [
        _step_scores(truth, pred, forecasts["naive"], k) for k in range(truth.shape[1])
    ]
    return scores


def _step_scores(truth: np.ndarray, pred: np.ndarray, naive: np.ndarray, k: int) -> dict:
    """Errors of horizon step ``k + 1`` (the error curve over t+1 .. t+h)."""
    model = _rmse_mae(pred[:, k] - truth[:, k])
    naive_rmse = _rmse_mae(naive[:, k] - truth[:, k])["rmse"]
    return {
        "step": k + 1,
        **model,
        "naive_rmse": naive_rmse,
        "skill_vs_naive": _skill(model["rmse"], naive_rmse),
    }


def _mase_scale(history: TargetHistory, index: int) -> tuple[float | None, int]:
    """In-sample MAE of the seasonal naive (or naive) forecast on the training rows.

    Only pairs of rows that were both observed count. Returns ``(scale, period)``; the scale
    is ``None`` when no pair exists or every pair is equal.
    """
    period = history.season.period or 1
    train = history.values[: history.train_rows, index]  # (train_rows,)
    seen = history.observed[: history.train_rows, index]
    both = seen[period:] & seen[:-period]  # (train_rows - period,)
    if not both.any():
        return None, period
    scale = float(np.mean(np.abs(train[period:] - train[:-period])[both]))
    return (scale or None), period


def _column(y: np.ndarray, horizon: int, targets: int, index: int) -> np.ndarray:
    """Target ``index`` of step-major `(samples, horizon * targets)`: `(samples, horizon)`."""
    return y.reshape(len(y), horizon, targets)[:, :, index]


def _rmse_mae(error: np.ndarray) -> dict:
    if error.size == 0:
        return {"rmse": None, "mae": None}
    return {
        "rmse": float(np.sqrt(np.mean(np.square(error)))),
        "mae": float(np.mean(np.abs(error))),
    }


def _skill(model_error: float | None, baseline_error: float | None) -> float | None:
    """``1 - model / baseline``; ``None`` when either is missing or the baseline is perfect."""
    if model_error is None or not baseline_error:
        return None
    return 1.0 - model_error / baseline_error


def _accuracy(true: np.ndarray, pred: np.ndarray) -> float | None:
    return float(np.mean(true == pred)) if len(true) else None
