"""Test-set metrics in the data's own units, from a model's predictions."""

from __future__ import annotations

import numpy as np


def regression_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, target_names: tuple[str, ...], horizon: int
) -> dict:
    """RMSE and MAE overall and per target, over every predicted step.

    Args:
        y_true: ``(samples, horizon * targets)``, original units, step-major.
        y_pred: same shape as ``y_true``.
        target_names: the targets, in the order they repeat within a step.
        horizon: future steps per window.

    Returns:
        ``{"samples", "rmse", "mae", "per_target": {name: {"rmse", "mae"}}}``; the errors are
        ``None`` when the test split is empty.
    """
    samples = len(y_true)
    # (samples, horizon * targets) -> (samples, horizon, targets)
    error = (y_pred - y_true).reshape(samples, horizon, len(target_names))
    per_target = {name: _rmse_mae(error[:, :, index]) for index, name in enumerate(target_names)}
    return {"samples": samples, **_rmse_mae(error), "per_target": per_target}


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: tuple[str, ...]
) -> dict:
    """Accuracy and the confusion matrix.

    Args:
        y_true: ``(samples, 1)`` true class indices.
        y_pred: ``(samples, 1)`` predicted class indices.
        class_names: class index -> label.

    Returns:
        ``{"samples", "accuracy", "class_names", "confusion"}``, where ``confusion[i][j]``
        counts samples of class ``i`` predicted as class ``j``; accuracy is ``None`` when the
        test split is empty.
    """
    true = y_true.reshape(-1).astype(int)  # (samples,)
    pred = y_pred.reshape(-1).astype(int)  # (samples,)
    classes = len(class_names)
    confusion = np.zeros((classes, classes), dtype=int)
    np.add.at(confusion, (true, pred), 1)
    return {
        "samples": len(true),
        "accuracy": float(np.mean(true == pred)) if len(true) else None,
        "class_names": list(class_names),
        "confusion": confusion.tolist(),
    }


def _rmse_mae(error: np.ndarray) -> dict:
    if error.size == 0:
        return {"rmse": None, "mae": None}
    return {
        "rmse": float(np.sqrt(np.mean(np.square(error)))),
        "mae": float(np.mean(np.abs(error))),
    }
