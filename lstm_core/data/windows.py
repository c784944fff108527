"""``Windows``: the training, validation and test arrays a recurrent model is fed.

Both data shapes end here: a series table cut into sliding windows (``make_windows``) and a
long-format table with one sample per sequence id (``make_sequence_windows``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_core.data.history import TargetHistory
from lstm_core.data.scaling import Scaler
from lstm_core.errors import DataError

SPLITS = ("train", "val", "test")


@dataclass(frozen=True, eq=False)
class SeriesRows:
    """Where the windows of a series table sit in it: for reading a state against the series.

    Input step ``k`` of sample ``n`` of a split reads row ``first_rows[split][n] + k`` of the
    table (after sorting by date and handling missing values).
    """

    first_rows: dict  # split -> (samples,) int: the row each window's first input step reads
    targets: np.ndarray  # (rows, targets) float32: the target columns of every row, data units
    dates: np.ndarray | None  # (rows,) datetime64[ns] of the date column, or None

    def rows(self, split: str, timesteps: int) -> np.ndarray:
        """``(samples, timesteps)`` int: the row each input step of ``split`` reads."""
        return self.first_rows[split][:, None] + np.arange(timesteps)[None, :]


@dataclass(frozen=True, eq=False)
class Windows:
    """Scaled float32 arrays per split, with the names and scalers needed to read them back.

    ``x_*`` has shape `(samples, timesteps, features)`. For regression ``y_*`` has shape
    `(samples, horizon * targets)`, step-major: ``[t+1 of every target, t+2 of every target,
    ...]``, so ``y.reshape(samples, horizon, targets)`` recovers the steps. For classification
    ``y_*`` has shape `(samples, 1)` and holds the class index into ``class_names``.
    """

    x_train: np.ndarray  # (samples, timesteps, features) float32, scaled
    y_train: np.ndarray  # (samples, horizon * targets) float32, scaled; or (samples, 1) class index
    x_val: np.ndarray  # as x_train, for the validation split (may hold 0 samples)
    y_val: np.ndarray  # as y_train, for the validation split
    x_test: np.ndarray  # as x_train, for the test split (may hold 0 samples)
    y_test: np.ndarray  # as y_train, for the test split
    feature_names: tuple[str, ...]  # the columns along the features axis, in order
    target_names: tuple[str, ...]  # the target columns, in the order they repeat within a step
    horizon: int  # future steps predicted per window (1 for long-format sequences)
    task: str  # "regression" | "classification"
    feature_scaler: Scaler  # fitted on the training split's inputs only
    target_scaler: Scaler | None  # fitted on the training split's targets; None for classes
    class_names: tuple[str, ...] | None = None  # class index -> label, for classification
    mask_value: float | None = None  # value of padded steps (outside the data), else None
    series: SeriesRows | None = None  # where windows of a series table sit in it; else None
    history: TargetHistory | None = None  # a series' target rows, for its yardsticks; else None

    @property
    def timesteps(self) -> int:
        """Steps per sample: the ``lookback``, or the common sequence length."""
        return self.x_train.shape[1]

    @property
    def features(self) -> int:
        """Input columns per step."""
        return self.x_train.shape[2]

    @property
    def y_columns(self) -> tuple[str, ...]:
        """A name for each column of a regression ``y``, ``(samples, horizon * targets)``,
        step-major: ``("temp, t+1", "rain, t+1", "temp, t+2", ...)``."""
        return tuple(
            f"{target}, t+{step}"
            for step in range(1, self.horizon + 1)
            for target in self.target_names
        )

    @property
    def n_outputs(self) -> int:
        """Units of the model's output layer: ``horizon * targets``, or the number of classes."""
        if self.task == "classification":
            return len(self.class_names)
        return self.horizon * len(self.target_names)

    def inverse_targets(self, y: np.ndarray, split: str | None = None) -> np.ndarray:
        """Undo the target scaling of ``y`` (true values or predictions).

        Args:
            y: array of shape `(samples, horizon * targets)` in scaled units, step-major.
            split: ``"train"``, ``"val"`` or ``"test"``: whose windows ``y`` belongs to.
                Needed only for differenced windows (``WindowSpec.difference``), whose
                targets are changes: the value before each window is added back.

        Returns:
            float64 array of the same shape in the targets' original units. For
            classification, ``y`` is returned as is (class indices or probabilities).
        """
        y = np.asarray(y)
        if self.task == "classification":
            return y
        width = self.horizon * len(self.target_names)
        if y.ndim != 2 or y.shape[1] != width:
            raise DataError(
                f"inverse_targets expects shape (samples, {width}) = (samples, horizon "
                f"{self.horizon} x {len(self.target_names)} targets), got {y.shape}; pass "
                f"true values or predictions of the model built for these windows."
            )
        steps = y.reshape(
            len(y), self.horizon, len(self.target_names)
        )  # (samples, horizon, targets)
        values = self.target_scaler.inverse(steps).reshape(y.shape)  # (samples, horizon * targets)
        if self.history is None or not self.history.differenced:
            return values
        if split not in SPLITS or len(y) != len(self.history.starts[split]):
            raise DataError(
                f"inverse_targets of differenced windows needs split='train', 'val' or 'test' "
                f"with that split's {len(y)} samples, got split={split!r}; pass the split the "
                "predictions are of."
            )
        return self.history.levels(values, split)

    def summary(self) -> dict:
        """Shapes, names and task as a JSON-ready dict."""
        arrays = {
            f"{axis}_{split}": list(getattr(self, f"{axis}_{split}").shape)
            for split in SPLITS
            for axis in ("x", "y")
        }
        return {
            "task": self.task,
            "timesteps": self.timesteps,
            "features": self.features,
            "horizon": self.horizon,
            "n_outputs": self.n_outputs,
            "feature_names": list(self.feature_names),
            "target_names": list(self.target_names),
            "class_names": None if self.class_names is None else list(self.class_names),
            "mask_value": self.mask_value,
            "scaler": self.feature_scaler.kind,
            "samples": {split: len(getattr(self, f"x_{split}")) for split in SPLITS},
            "shapes": arrays,
            **({} if self.history is None else self.history.summary()),
        }
