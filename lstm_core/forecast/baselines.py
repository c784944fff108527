"""The forecasts a model must beat, on exactly the windows it is scored on, in data units.

For a window whose first predicted row is ``t`` and a horizon of ``h`` steps (``k = 0 .. h-1``):

- ``naive``: the last observed value before ``t``, repeated over the horizon;
- ``seasonal_naive``: the value one season earlier, ``y[t + k - m * (k // m + 1)]`` for a season
  of ``m`` rows (the last season repeated over the horizon; Hyndman & Athanasopoulos,
  *Forecasting: Principles and Practice*, section 5.2); absent when the series has no season;
- ``mean``: the mean of the training split's observed values;
- for classification, ``majority``: the most common class of the training split.

A value that was filled in (``missing="ffill"`` or ``"interpolate"``) is never used: each
baseline reads the last *observed* value at or before the row it needs.
"""

from __future__ import annotations

import numpy as np

from lstm_core.data.history import TargetHistory

NAMES = ("naive", "seasonal_naive", "mean")


def series_baselines(history: TargetHistory, split: str, horizon: int) -> dict:
    """Every series baseline's forecast of ``split``'s windows.

    Args:
        history: the windows' ``TargetHistory``.
        split: ``"train"``, ``"val"`` or ``"test"``.
        horizon: steps predicted per window.

    Returns:
        ``{"naive", "seasonal_naive", "mean"}``, each `(samples, horizon * targets)` float64 in
        the targets' units, step-major like ``Windows.y_*``; ``seasonal_naive`` is ``None``
        when there is no season or not a season of rows before some window.
    """
    return {
        "naive": naive(history, split, horizon),
        "seasonal_naive": seasonal_naive(history, split, horizon),
        "mean": mean(history, split, horizon),
    }


def naive(history: TargetHistory, split: str, horizon: int) -> np.ndarray:
    """The last observed value before each window, repeated: `(samples, horizon * targets)`."""
    t = history.starts[split]  # (samples,)
    steps = np.zeros((len(t), horizon), dtype=int) + (t - 1)[:, None]  # (samples, horizon)
    return _observed_at(history, steps)


def seasonal_naive(history: TargetHistory, split: str, horizon: int) -> np.ndarray | None:
    """The value one season before each predicted row: `(samples, horizon * targets)`.

    ``None`` without a season, or when a window has less than a season of rows before it.
    """
    period = history.season.period
    t = history.starts[split]  # (samples,)
    if period is None or (len(t) and t.min() < period):
        return None
    k = np.arange(horizon)  # (horizon,)
    back = period * (k // period + 1)  # (horizon,): the last season, repeated
    return _observed_at(history, t[:, None] + k[None, :] - back[None, :])


def mean(history: TargetHistory, split: str, horizon: int) -> np.ndarray:
    """The training split's mean observed value of each target: `(samples, horizon * targets)`."""
    train = history.values[: history.train_rows]  # (train_rows, targets)
    seen = history.observed[: history.train_rows]
    means = (train * seen).sum(axis=0) / seen.sum(axis=0)  # (targets,)
    samples = len(history.starts[split])
    return np.tile(means, (samples, horizon))  # (samples, horizon * targets)


def majority(y_train: np.ndarray, samples: int) -> tuple[int, np.ndarray]:
    """The most common training class (the lowest index on a tie), predicted for every sample.

    Args:
        y_train: `(samples, 1)` training class indices.
        samples: how many predictions to make.

    Returns:
        ``(class index, (samples, 1) predictions)``.
    """
    counts = np.bincount(y_train.reshape(-1).astype(int))
    winner = int(np.argmax(counts))
    return winner, np.full((samples, 1), winner, dtype=y_train.dtype)


def _observed_at(history: TargetHistory, rows: np.ndarray) -> np.ndarray:
    """Each target's last observed value at or before ``rows`` `(samples, horizon)`.

    Returns `(samples, horizon * targets)`, step-major.
    """
    latest = history.last_observed()  # (rows, targets)
    targets = history.values.shape[1]
    source = latest[rows]  # (samples, horizon, targets): the row to read, per target
    column = np.arange(targets)[None, None, :]  # (1, 1, targets)
    return history.values[source, column].reshape(len(rows), -1)
