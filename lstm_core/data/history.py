"""``TargetHistory``: the target rows behind a series' windows, in the data's own units.

The windows hold scaled float32 arrays, cut per split: enough to train, not enough to judge.
The yardsticks a forecast is judged by (``lstm_core.forecast``) need the series itself: the
last value seen before each window, the value one season earlier, the training rows' mean,
and which values were really observed and which were filled in (``missing="ffill"`` or
``"interpolate"``). This records them, once, when the windows are cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_core.data.season import Season


@dataclass(frozen=True, eq=False)
class TargetHistory:
    """The target columns of every row, and where each split's windows start."""

    values: np.ndarray  # (rows, targets) float64, original units, after missing-value handling
    observed: np.ndarray  # (rows, targets) bool: False where the value was filled in
    starts: dict[str, np.ndarray]  # split -> (samples,) row of each window's first target
    train_rows: int  # rows 0 .. train_rows - 1 are the training split
    season: Season  # rows per season (or none) and how that was decided
    left_out: dict[str, int]  # split -> windows left out because a target was filled in
    differenced: bool = False  # the windows' targets are changes from the row before t

    def levels(self, changes: np.ndarray, split: str) -> np.ndarray:
        """Changes from the last row before each window, back to levels.

        Args:
            changes: `(samples, horizon * targets)` in data units, step-major.
            split: whose windows the rows are.

        Returns:
            `(samples, horizon * targets)`: ``changes`` plus the value at row ``t - 1``.
        """
        before = self.values[self.starts[split] - 1]  # (samples, targets)
        horizon = changes.shape[1] // before.shape[1]
        return changes + np.tile(before, (1, horizon))

    def targets(self, split: str, horizon: int) -> np.ndarray:
        """The true targets of ``split``'s windows: `(samples, horizon * targets)`, step-major."""
        t = self.starts[split]
        rows = t[:, None] + np.arange(horizon)[None, :]  # (samples, horizon)
        return self.values[rows].reshape(len(t), -1)  # (samples, horizon * targets)

    def last_observed(self) -> np.ndarray:
        """For each row and target, the latest row at or before it whose value was observed.

        Returns:
            `(rows, targets)` int row indices; -1 where nothing was observed yet.
        """
        rows = np.arange(len(self.values))[:, None]  # (rows, 1)
        marked = np.where(self.observed, rows, -1)  # (rows, targets)
        return np.maximum.accumulate(marked, axis=0)

    def summary(self) -> dict:
        """The season and the windows left out, as a JSON-ready dict."""
        return {"season": self.season.to_dict(), "left_out": dict(self.left_out)}
