"""Long-format sequence tables: one sample per sequence id.

A long table has a sequence-id column, an optional step column that orders the rows of one
sequence, feature columns, and a target that is constant within a sequence (a class label or a
number; rows may leave it blank as long as each sequence states it once).

Sequences of unequal length are brought to a common length ``L``:

- ``length="pad"``: ``L`` is ``max_length`` or the longest sequence. Shorter sequences are padded
  at the *front* with ``mask_value`` ("pre" padding), so a recurrent layer reads the real steps
  last and its final state comes from them; a Keras ``Masking(mask_value)`` layer skips the
  padded steps. ``mask_value`` lies below every scaled value of every split, so no real step
  can be mistaken for padding.
- ``length="cut"``: ``L`` is ``max_length`` or the shortest sequence; no padding.

A sequence longer than ``L`` keeps its last ``L`` steps, in either mode, for the same reason.

Sequences are independent samples, so the split is random (seeded); for class labels it is
stratified, so every split keeps the class proportions. The feature scaler is fitted on the real
(unpadded) steps of the training sequences only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lstm_core.data.missing import MISSING_POLICIES, apply_missing
from lstm_core.data.scaling import SCALERS, Scaler
from lstm_core.data.validation import (
    check_choice,
    check_column,
    check_fractions,
    check_int,
    check_name,
    check_names,
    check_numeric,
    check_timesteps,
    check_unique_columns,
    check_window_memory,
    kind_of,
    spec_from_dict,
    spec_to_dict,
    split_sizes,
)
from lstm_core.data.windows import Windows
from lstm_core.errors import DataError
from lstm_core.settings import Limits, load_limits

if TYPE_CHECKING:
    import pandas as pd

TASKS = ("classification", "regression")
LENGTHS = ("pad", "cut")


@dataclass(frozen=True)
class SequenceSpec:
    """How to turn a long-format table into one sample per sequence.

    Args:
        id_column: column whose value names the sequence a row belongs to.
        features: columns fed to the model at every step, in this order.
        target: column holding each sequence's class label or number.
        step_column: column ordering the rows within a sequence (numbers or dates);
            ``None`` keeps file order. Defaults to ``None``.
        task: ``"classification"`` (labels become class indices) or ``"regression"``.
            Defaults to ``"classification"``.
        length: ``"pad"`` to the longest (masked) or ``"cut"`` to the shortest. Defaults
            to ``"pad"``.
        max_length: common length instead of the longest (pad) or shortest (cut).
            Defaults to ``None``.
        scaler: ``"minmax"``, ``"standard"`` or ``"none"``. Defaults to ``"minmax"``.
        val_fraction: share of sequences for validation. Defaults to 0.15.
        test_fraction: share of sequences for testing. Defaults to 0.15.
        seed: seed of the random (stratified for classes) split. Defaults to 0.
        missing: ``"error"``, ``"drop"``, ``"ffill"`` or ``"interpolate"`` for gaps in the
            features, within each sequence; ``"drop"`` also drops sequences without a
            target. Defaults to ``"error"``.
    """

    id_column: str  # sequence id of each row
    features: tuple[str, ...]  # input columns, in order along the features axis
    target: str  # one class label or number per sequence
    step_column: str | None = None  # orders the rows of a sequence; None keeps file order
    task: str = "classification"  # "classification" | "regression"
    length: str = "pad"  # "pad" (pre-padding, masked) | "cut"
    max_length: int | None = None  # common length; None: the longest (pad) or shortest (cut)
    scaler: str = "minmax"  # "minmax" | "standard" | "none", fitted on training steps only
    val_fraction: float = 0.15  # share of sequences for validation
    test_fraction: float = 0.15  # share of sequences for testing
    seed: int = 0  # seed of the shuffled (stratified for classes) split
    missing: str = "error"  # "error" | "drop" | "ffill" | "interpolate"

    def __post_init__(self) -> None:
        owner = "SequenceSpec"
        check_name(owner, "id_column", self.id_column)
        object.__setattr__(self, "features", check_names(owner, "features", self.features))
        check_name(owner, "target", self.target)
        check_name(owner, "step_column", self.step_column, optional=True)
        check_choice(owner, "task", self.task, TASKS)
        check_choice(owner, "length", self.length, LENGTHS)
        if self.max_length is not None:
            check_int(owner, "max_length", self.max_length, 1)
        check_choice(owner, "scaler", self.scaler, SCALERS)
        check_fractions(owner, self.val_fraction, self.test_fraction)
        check_int(owner, "seed", self.seed, 0)
        check_choice(owner, "missing", self.missing, MISSING_POLICIES)
        roles = {"id_column": self.id_column, "target": self.target}
        if self.step_column is not None:
            roles["step_column"] = self.step_column
        for role, column in roles.items():
            if column in self.features:
                raise DataError(
                    f"{owner} {role} {column!r} is also listed in features; "
                    f"remove it from features."
                )
        if len(set(roles.values())) < len(roles):
            raise DataError(f"{owner} {roles} must name different columns.")

    def to_dict(self) -> dict:
        """The spec as a JSON-ready dict."""
        return spec_to_dict(self)

    @classmethod
    def from_dict(cls, d: dict) -> SequenceSpec:
        """Rebuild a spec from ``to_dict()``'s output; raises ``DataError`` on a bad dict."""
        return spec_from_dict(cls, d)


def make_sequence_windows(
    df: pd.DataFrame, spec: SequenceSpec, *, limits: Limits | None = None
) -> Windows:
    """Turn a long-format table into scaled train, validation and test samples.

    Args:
        df: the long table, `(rows, columns)`, several rows per sequence id.
        spec: which columns, how to order, bring to one length, split and scale.
        limits: caps on timesteps and memory; ``load_limits()`` when ``None``.

    Returns:
        ``Windows`` with ``x`` of shape `(sequences, L, features)` and ``y`` of shape
        `(sequences, 1)`: the class index (classification) or the scaled target.

    Raises:
        DataError: a missing or non-numeric column, a gap under ``missing="error"``, a
            sequence without a target or with two, fewer than 2 sequences, or a class too
            rare to split.
    """
    limits = limits or load_limits()
    check_unique_columns(df)
    check_column(df, spec.id_column, "id")
    check_numeric(df, spec.features, "feature")
    check_column(df, spec.target, "target")
    if spec.task == "regression":
        check_numeric(df, [spec.target], "target")
    rows = apply_missing(_ordered(df, spec), list(spec.features), spec.missing, by=spec.id_column)
    ids, steps, labels = _sequences(rows, spec)
    if len(ids) < 2:
        raise DataError(
            f"Found {len(ids)} sequence(s) in the id column {spec.id_column!r}; the long "
            f"format makes one sample per id, so it needs many ids. For one long series "
            f"use make_windows with a WindowSpec, or choose the right id column."
        )
    y, class_names = _encode(labels, spec)  # (sequences,)
    train, val, test = _split(y, class_names, spec)
    length = _common_length(ids, steps, spec, limits)
    check_window_memory(len(ids), length, len(spec.features), limits)
    steps = [s[-length:] for s in steps]  # keep the last `length` steps
    feature_scaler = Scaler.fit(spec.scaler, np.concatenate([steps[i] for i in train]))
    scaled = [feature_scaler.transform(s) for s in steps]  # each (len_i, features) float32
    padded = any(len(s) < length for s in scaled)
    # One below the smallest real value, rounded down: no real step can equal it.
    mask_value = float(np.floor(min(s.min() for s in scaled)) - 1) if padded else None
    fill = 0.0 if mask_value is None else mask_value  # without padding every step is overwritten
    x = np.full((len(ids), length, len(spec.features)), fill, np.float32)
    for i, s in enumerate(scaled):
        x[i, length - len(s) :] = s  # pre-padding: real steps at the end
    target_scaler = None
    y = y.reshape(-1, 1)  # (sequences, 1)
    if class_names is None:
        target_scaler = Scaler.fit(spec.scaler, y[train])
        y = target_scaler.transform(y)
    y = y.astype(np.float32)
    return Windows(
        x_train=x[train],
        y_train=y[train],
        x_val=x[val],
        y_val=y[val],
        x_test=x[test],
        y_test=y[test],
        feature_names=spec.features,
        target_names=(spec.target,),
        horizon=1,
        task=spec.task,
        feature_scaler=feature_scaler,
        target_scaler=target_scaler,
        class_names=class_names,
        mask_value=mask_value,
    )


def _ordered(df: pd.DataFrame, spec: SequenceSpec) -> pd.DataFrame:
    """Rows grouped by id (in order of first appearance), then by step within each id."""
    from pandas.api import types  # loaded already: `df` is a DataFrame

    codes, _ = df[spec.id_column].factorize()  # (rows,), -1 for a missing id
    _check_no_gap(df, spec.id_column, codes < 0, "id")
    if spec.step_column is None:
        return df.iloc[np.argsort(codes, kind="stable")]
    step = df[check_column(df, spec.step_column, "step")]
    if not (types.is_numeric_dtype(step) or types.is_datetime64_any_dtype(step)):
        raise DataError(
            f"The step column {spec.step_column!r} holds {kind_of(step)}, not numbers or "
            f"dates; choose a column that orders the rows of a sequence, or none."
        )
    _check_no_gap(df, spec.step_column, step.isna().to_numpy(), "step")
    return df.iloc[np.lexsort((step.to_numpy(), codes))]  # stable: ties keep file order


def _check_no_gap(df: pd.DataFrame, column: str, missing: np.ndarray, role: str) -> None:
    if missing.any():
        row = df.index[int(np.argmax(missing))]
        raise DataError(
            f"The {role} column {column!r} has a missing value in data row {row + 1}; "
            f"every row needs its sequence's {role}: fill it in or remove the row."
        )


def _sequences(rows: pd.DataFrame, spec: SequenceSpec) -> tuple[list, list, pd.Series]:
    """Split the ordered rows into per-sequence feature arrays and one target each.

    Returns:
        ids, the feature arrays (each `(steps_i, features)`), and a target per sequence.
    """
    groups = rows.groupby(spec.id_column, sort=False)
    counts = groups[spec.target].nunique()  # distinct non-missing targets per sequence
    if spec.missing == "drop":
        kept = counts.index[counts > 0]
        rows = rows[rows[spec.id_column].isin(kept)]
        groups = rows.groupby(spec.id_column, sort=False)
        counts = counts[kept]
    for problem, bad in (("no target", counts == 0), ("more than one target", counts > 1)):
        if bad.any():
            sequence = counts.index[bad][0]
            values = rows.loc[rows[spec.id_column] == sequence, spec.target].dropna().unique()
            raise DataError(
                f"Sequence {sequence!r} has {problem} in column {spec.target!r} (values: "
                f"{list(values)[:5]}) and {int(bad.sum())} sequence(s) in all; give every "
                f"sequence exactly one target"
                + ("." if spec.missing == "drop" else ", or use missing='drop' to drop those.")
            )
    features = rows[list(spec.features)].to_numpy(np.float64)  # (rows, features)
    ends = np.cumsum(groups.size().to_numpy())[:-1]  # rows are contiguous per id
    return list(counts.index), np.split(features, ends), groups[spec.target].first()


def _encode(labels: pd.Series, spec: SequenceSpec) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """Targets as float64 `(sequences,)`: class indices and names, or the numbers themselves."""
    if spec.task == "regression":
        return labels.to_numpy(np.float64), None
    if labels.dtype.kind == "f" and (labels % 1 == 0).all():
        labels = labels.astype(np.int64)  # whole-number labels read as floats: 1.0 -> "1"
    codes, classes = labels.factorize(sort=True)
    if len(classes) < 2:
        raise DataError(
            f"The target column {spec.target!r} has a single class {str(classes[0])!r}; "
            f"classification needs at least 2 classes."
        )
    return codes.astype(np.float64), tuple(str(c) for c in classes)


def _split(
    y: np.ndarray, class_names: tuple[str, ...] | None, spec: SequenceSpec
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeded (train, val, test) sequence indices, stratified by class for classification."""
    from sklearn.model_selection import train_test_split

    _, n_val, n_test = split_sizes(len(y), spec.val_fraction, spec.test_fraction, "sequences")
    rest = np.arange(len(y))
    parts = {}
    for name, size in (("test", n_test), ("validation", n_val)):
        stratify = None if class_names is None else y[rest]
        if size == 0:
            parts[name] = rest[:0]
            continue
        if stratify is not None:
            _check_class_counts(stratify, class_names, name, spec.target)
        try:
            rest, parts[name] = train_test_split(
                rest, test_size=size, random_state=spec.seed, stratify=stratify
            )
        except ValueError as error:
            raise DataError(
                f"Cannot draw a stratified {name} split of {size} from {len(rest)} sequences: "
                f"{error} Add sequences, or change val_fraction/test_fraction."
            ) from None
    return np.sort(rest), np.sort(parts["validation"]), np.sort(parts["test"])


def _check_class_counts(
    codes: np.ndarray, class_names: tuple[str, ...], split: str, target: str
) -> None:
    """A stratified split needs every class at least twice among the sequences it splits."""
    counts = np.bincount(codes.astype(np.int64), minlength=len(class_names))
    rarest = int(np.argmin(counts))
    if counts[rarest] < 2:
        raise DataError(
            f"Class {class_names[rarest]!r} of {target!r} has {counts[rarest]} sequence(s) left "
            f"for the stratified {split} split, which needs at least 2 per class; add "
            f"sequences of that class, lower val_fraction/test_fraction, or choose "
            f"task='regression' for a numeric target."
        )


def _common_length(ids: list, steps: list[np.ndarray], spec: SequenceSpec, limits: Limits) -> int:
    """The common length ``L``: ``max_length``, else the longest (pad) or the shortest (cut)."""
    lengths = np.array([len(s) for s in steps])  # (sequences,)
    if spec.length == "pad":
        length = spec.max_length or int(lengths.max())
    else:
        length = spec.max_length or int(lengths.min())
        shortest = int(np.argmin(lengths))
        if lengths[shortest] < length:
            raise DataError(
                f"Sequence {ids[shortest]!r} has {lengths[shortest]} steps but length='cut' "
                f"with max_length={length} needs at least {length} in every sequence; use "
                f"max_length <= {lengths[shortest]}, or length='pad'."
            )
    check_timesteps("max_length", length, limits)
    return length
