"""Per-column scaling fitted on training data only.

Scaling statistics taken from validation or test rows would leak what the model is later
judged on into its inputs, so a ``Scaler`` is always fitted on the training split and then
applied, unchanged, to every split. Both kinds are one affine map, ``(x - offset) / scale``:

- ``"minmax"``: ``offset = min``, ``scale = max - min`` (training values land in [0, 1]);
- ``"standard"``: ``offset = mean``, ``scale = std`` (training values get mean 0, std 1);
- ``"none"``: ``offset = 0``, ``scale = 1``.

A constant training column gets ``scale = 1`` (as scikit-learn does) rather than a division by 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCALERS = ("minmax", "standard", "none")


@dataclass(frozen=True, eq=False)
class Scaler:
    """An affine per-column map ``(x - offset) / scale``, fitted on training values."""

    kind: str  # "minmax" | "standard" | "none"
    offset: np.ndarray  # (columns,) float64, subtracted from each column
    scale: np.ndarray  # (columns,) float64, each column is divided by it; never 0

    @classmethod
    def fit(cls, kind: str, values: np.ndarray) -> Scaler:
        """Fit on ``values`` of shape ``(rows, columns)``: the training rows only."""
        values = np.asarray(values, dtype=np.float64)
        columns = values.shape[1]
        if kind == "minmax":
            offset = values.min(axis=0)
            scale = values.max(axis=0) - offset
        elif kind == "standard":
            offset = values.mean(axis=0)
            scale = values.std(axis=0)
        else:
            offset = np.zeros(columns)
            scale = np.ones(columns)
        scale = np.where(scale == 0, 1.0, scale)
        return cls(kind=kind, offset=offset, scale=scale)

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Scale ``values`` of shape ``(..., columns)``; returns float32 of the same shape."""
        return ((np.asarray(values, dtype=np.float64) - self.offset) / self.scale).astype(
            np.float32
        )

    def inverse(self, values: np.ndarray) -> np.ndarray:
        """Back to original units: ``(..., columns)`` in, float64 ``(..., columns)`` out."""
        return np.asarray(values, dtype=np.float64) * self.scale + self.offset
