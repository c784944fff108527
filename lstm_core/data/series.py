"""Sliding windows over one series table, split chronologically without leakage.

Rows are time steps and columns are variables. A window is ``lookback`` consecutive rows of the
feature columns; its target is the next ``horizon`` rows of the target columns. With ``t`` the
first target row, a window reads inputs ``rows[t - lookback : t]`` and targets
``rows[t : t + horizon]``.

The split is chronological: the first rows train, the next validate, the last test. A window
belongs to the split that holds *all of its target rows*; its inputs may reach back into an
earlier split (the history a deployed model would also have) but never into a later one, so no
window of one split reads a value of a later split. Every row of the validation and test splits
is predicted (for ``horizon=1, stride=1``), and training windows never see a value the model is
later judged on. The scalers are fitted on the training rows only.

Validation and test windows are judged on observed values only: a window whose target rows
hold a value that ``missing="ffill"`` or ``"interpolate"`` filled in is left out of those two
splits (``TargetHistory.left_out`` counts them), so neither early stopping nor the test score
rewards predicting a filled-in value. Training windows keep them.

Rows are taken in file order, except that a frame with a date column
(``df.attrs["date_column"]``, set by ``load_csv``) is first put in date order (a stable sort),
since a chronological split needs chronological rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lstm_core.data.history import TargetHistory
from lstm_core.data.missing import MISSING_POLICIES, apply_missing, filled_in
from lstm_core.data.scaling import SCALERS, Scaler
from lstm_core.data.season import choose_season
from lstm_core.data.validation import (
    check_choice,
    check_fractions,
    check_int,
    check_names,
    check_numeric,
    check_timesteps,
    check_unique_columns,
    check_window_memory,
    spec_from_dict,
    spec_to_dict,
    split_sizes,
)
from lstm_core.data.windows import SeriesRows, Windows
from lstm_core.errors import DataError
from lstm_core.settings import Limits, load_limits

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class WindowSpec:
    """How to cut a series table into windows.

    Args:
        features: columns fed to the model at every step, in this order.
        targets: columns to predict. A target may also be a feature (the usual
            autoregressive set-up) unless ``allow_target_as_feature=False``.
        lookback: steps per window, the model's ``timesteps``.
        horizon: future steps predicted per window. Defaults to 1.
        stride: rows between the starts of consecutive windows. Defaults to 1.
        scaler: ``"minmax"``, ``"standard"`` or ``"none"``, fitted on training rows.
            Defaults to ``"minmax"``.
        val_fraction: share of rows, after the training rows, for validation. Defaults to 0.15.
        test_fraction: share of rows, at the end, for testing. Defaults to 0.15.
        missing: ``"error"``, ``"drop"``, ``"ffill"`` or ``"interpolate"``
            (see ``lstm_core.data.missing``). Defaults to ``"error"``.
        allow_target_as_feature: whether a target column may also be a feature. Defaults
            to True.
        difference: predict changes instead of levels: every feature becomes its change from
            the row before, and each target the change from the last row before the window
            (``Windows.inverse_targets`` adds it back). Takes a trend out of the series, so
            the test split stays in the range the scalers were fitted on. Defaults to False.
        season: rows per season for the seasonal naive yardstick: ``None`` reads it from the
            date column (hourly 24, daily 7, weekly 52, monthly 12, quarterly 4), ``0`` means
            none, a number of at least 2 sets it. Defaults to ``None``.
    """

    features: tuple[str, ...]  # input columns, in order along the features axis
    targets: tuple[str, ...]  # predicted columns, in order within each step of y
    lookback: int  # steps per window (timesteps)
    horizon: int = 1  # future steps predicted per window
    stride: int = 1  # rows between consecutive window starts
    scaler: str = "minmax"  # "minmax" | "standard" | "none", fitted on training rows only
    val_fraction: float = 0.15  # share of rows for validation, after the training rows
    test_fraction: float = 0.15  # share of rows for testing, at the end
    missing: str = "error"  # "error" | "drop" | "ffill" | "interpolate"
    allow_target_as_feature: bool = True  # False refuses a target that is also a feature
    difference: bool = False  # True: features are changes, targets changes from t - 1
    season: int | None = None  # rows per season; None: from the dates; 0: no season

    def __post_init__(self) -> None:
        owner = "WindowSpec"
        object.__setattr__(self, "features", check_names(owner, "features", self.features))
        object.__setattr__(self, "targets", check_names(owner, "targets", self.targets))
        check_int(owner, "lookback", self.lookback, 1)
        check_int(owner, "horizon", self.horizon, 1)
        check_int(owner, "stride", self.stride, 1)
        check_choice(owner, "scaler", self.scaler, SCALERS)
        check_fractions(owner, self.val_fraction, self.test_fraction)
        check_choice(owner, "missing", self.missing, MISSING_POLICIES)
        if self.season is not None:
            check_int(owner, "season", self.season, 0)
            if self.season == 1:
                raise DataError(
                    f"{owner} season must be 0 (none), at least 2 rows, or None (from the "
                    "dates), got 1; a season of one row is the naive forecast itself."
                )
        if not isinstance(self.difference, bool):
            raise DataError(f"{owner} difference must be True or False, got {self.difference!r}.")
        if not isinstance(self.allow_target_as_feature, bool):
            raise DataError(
                f"{owner} allow_target_as_feature must be True or False, "
                f"got {self.allow_target_as_feature!r}."
            )
        both = [t for t in self.targets if t in self.features]
        if both and not self.allow_target_as_feature:
            raise DataError(
                f"{owner} target(s) {both} are also features, which "
                f"allow_target_as_feature=False forbids; remove them from features, or allow it."
            )

    def to_dict(self) -> dict:
        """The spec as a JSON-ready dict."""
        return spec_to_dict(self)

    @classmethod
    def from_dict(cls, d: dict) -> WindowSpec:
        """Rebuild a spec from ``to_dict()``'s output; raises ``DataError`` on a bad dict."""
        return spec_from_dict(cls, d)


def make_windows(df: pd.DataFrame, spec: WindowSpec, *, limits: Limits | None = None) -> Windows:
    """Cut ``df`` into scaled train, validation and test windows.

    Args:
        df: the series table, `(rows, columns)`, one row per time step.
        spec: which columns, how long the windows, how to split and scale.
        limits: caps on timesteps and memory; ``load_limits()`` when ``None``.

    Returns:
        ``Windows`` with ``x`` of shape `(samples, lookback, features)` and ``y`` of shape
        `(samples, horizon * targets)`, step-major, all float32 and scaled.

    Raises:
        DataError: a missing or non-numeric column, a gap under ``missing="error"``, or too
            few rows for ``lookback + horizon`` in the data or in one of its splits.
    """
    limits = limits or load_limits()
    check_unique_columns(df)
    check_numeric(df, spec.features, "feature")
    check_numeric(df, spec.targets, "target")
    check_timesteps("lookback", spec.lookback, limits)
    used = list(dict.fromkeys(spec.features + spec.targets))
    ordered = _in_time_order(df)
    if not ordered.index.is_unique:  # filled_in finds the kept rows by their labels
        ordered = ordered.reset_index(drop=True)
    rows = apply_missing(ordered, used, spec.missing)
    observed = ~filled_in(ordered, rows, list(spec.targets))  # (rows, targets)
    features = rows[list(spec.features)].to_numpy(np.float64)  # (rows, features)
    targets = rows[list(spec.targets)].to_numpy(np.float64)  # (rows, targets)
    if spec.difference:  # row r becomes the change from row r - 1; the first row has none
        features = np.diff(features, axis=0)  # (rows - 1, features)
        targets, observed, rows = targets[1:], observed[1:], rows.iloc[1:]
    n_train, n_val, n_test = _split_rows(len(rows), spec)
    feature_scaler = Scaler.fit(spec.scaler, features[:n_train])
    x_all = feature_scaler.transform(features)  # (rows, features) float32
    bounds = {
        "train": (spec.lookback, n_train),  # the first window needs lookback rows of history
        "val": (n_train, n_train + n_val),
        "test": (n_train + n_val, len(rows)),
    }
    starts = {
        split: np.arange(first, end - spec.horizon + 1, spec.stride)
        for split, (first, end) in bounds.items()
    }
    starts, left_out = _observed_only(starts, observed, spec.horizon)
    samples = sum(len(s) for s in starts.values())
    check_window_memory(samples, spec.lookback, len(spec.features), limits)
    y_raw = {}  # split -> (samples, horizon, targets) float64, what the model learns to predict
    for split, t in starts.items():
        y_raw[split] = _gather(targets, t, 0, spec.horizon)
        if spec.difference:  # the change from the last row before the window
            y_raw[split] = y_raw[split] - targets[t - 1][:, None, :]
    fitted_on = (
        y_raw["train"].reshape(-1, len(spec.targets)) if spec.difference else targets[:n_train]
    )
    target_scaler = Scaler.fit(spec.scaler, fitted_on)
    arrays = {}
    for split, t in starts.items():
        arrays[f"x_{split}"] = _gather(x_all, t, -spec.lookback, 0)  # (samples, lookback, features)
        y = target_scaler.transform(y_raw[split])  # (samples, horizon, targets)
        arrays[f"y_{split}"] = y.reshape(len(t), spec.horizon * len(spec.targets))
    return Windows(
        **arrays,
        feature_names=spec.features,
        target_names=spec.targets,
        horizon=spec.horizon,
        task="regression",
        feature_scaler=feature_scaler,
        target_scaler=target_scaler,
        series=SeriesRows(
            first_rows={split: t - spec.lookback for split, t in starts.items()},
            targets=targets.astype(np.float32),
            dates=_dates(rows),
        ),
        history=TargetHistory(
            values=targets,
            observed=observed,
            starts=starts,
            train_rows=n_train,
            season=choose_season(rows, spec.season),
            left_out=left_out,
            differenced=spec.difference,
        ),
    )


def _dates(rows: pd.DataFrame) -> np.ndarray | None:
    """``(rows,)`` datetime64[ns] of the table's date column, or ``None`` without one."""
    date = rows.attrs.get("date_column")
    if date is None or date not in rows.columns:
        return None
    return rows[date].to_numpy("datetime64[ns]")


def _observed_only(
    starts: dict[str, np.ndarray], observed: np.ndarray, horizon: int
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Drop validation and test windows with a filled-in target; count them per split."""
    kept, left_out = {"train": starts["train"]}, {}
    for split in ("val", "test"):
        t = starts[split]
        rows = t[:, None] + np.arange(horizon)[None, :]  # (samples, horizon)
        whole = observed[rows].all(axis=(1, 2))  # (samples,): every target step observed
        kept[split] = t[whole]
        left_out[split] = int(len(t) - whole.sum())
    return kept, left_out


def _gather(values: np.ndarray, t: np.ndarray, begin: int, end: int) -> np.ndarray:
    """Rows ``t + begin .. t + end - 1`` for each ``t``: `(len(t), end - begin, columns)`."""
    index = t[:, None] + np.arange(begin, end)[None, :]  # (samples, end - begin)
    return values[index]


def _in_time_order(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` sorted by its date column when it has one and it is out of order."""
    date = df.attrs.get("date_column")
    if date is None or date not in df.columns or df[date].is_monotonic_increasing:
        return df
    if df[date].isna().any():
        row = int(np.argmax(df[date].isna().to_numpy()))
        raise DataError(
            f"The date column {date!r} has a missing date in data row {row + 1}, so the rows "
            f"cannot be put in time order; fill in the date or remove the row."
        )
    return df.sort_values(date, kind="stable")


def _split_rows(n: int, spec: WindowSpec) -> tuple[int, int, int]:
    """Row counts of the chronological (train, val, test) split, checked against the windows."""
    need = spec.lookback + spec.horizon
    if n < need:
        raise DataError(
            f"The data has {n} rows (after handling missing values) but lookback "
            f"{spec.lookback} + horizon {spec.horizon} needs at least {need}; use a shorter "
            f"lookback or horizon, or more rows."
        )
    n_train, n_val, n_test = split_sizes(n, spec.val_fraction, spec.test_fraction, "rows")
    if n_train < need:
        raise DataError(
            f"The training split has {n_train} of {n} rows but lookback {spec.lookback} + "
            f"horizon {spec.horizon} needs at least {need}; use a shorter lookback or horizon, "
            f"smaller val_fraction/test_fraction, or more rows."
        )
    for name, size in (("validation", n_val), ("test", n_test)):
        if 0 < size < spec.horizon:
            raise DataError(
                f"The {name} split has {size} rows but horizon {spec.horizon} needs at least "
                f"{spec.horizon} for one window; use a shorter horizon or a larger "
                f"{'val' if name == 'validation' else 'test'}_fraction."
            )
    return n_train, n_val, n_test
