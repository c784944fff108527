import json

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import SequenceSpec, make_sequence_windows
from lstm_core.errors import DataError
from lstm_core.settings import Limits


def long_table(lengths, labels, value=lambda i, step: float(10 * i + step)):
    """One row per step; sequence i (from 1) has feature f = value(i, step) and its label."""
    rows = [
        {"id": f"s{i}", "step": step, "f": value(i, step), "g": 1.0, "label": label}
        for i, (length, label) in enumerate(zip(lengths, labels, strict=True), start=1)
        for step in range(length)
    ]
    return pd.DataFrame(rows)


def spec(**kwargs):
    defaults = {
        "id_column": "id",
        "features": ("f",),
        "target": "label",
        "step_column": "step",
        "scaler": "none",
        "val_fraction": 0.0,
        "test_fraction": 0.0,
    }
    return SequenceSpec(**{**defaults, **kwargs})


def test_rows_are_ordered_by_step_and_padded_at_the_front():
    df = long_table([3, 2], ["a", "b"]).iloc[[2, 0, 1, 4, 3]]  # steps out of order
    w = make_sequence_windows(df, spec())
    assert w.x_train.shape == (2, 3, 1)
    # Scaler "none": real values 10, 11, 12 and 20, 21; padding goes below the smallest.
    assert w.mask_value == 9.0
    np.testing.assert_array_equal(w.x_train[:, :, 0], [[10, 11, 12], [9, 20, 21]])
    np.testing.assert_array_equal(w.y_train[:, 0], [0, 1])
    assert w.class_names == ("a", "b") and w.n_outputs == 2


def test_without_step_column_file_order_is_kept():
    df = long_table([3, 3], ["a", "b"]).iloc[[2, 1, 0, 5, 4, 3]]
    w = make_sequence_windows(df, spec(step_column=None))
    np.testing.assert_array_equal(w.x_train[:, :, 0], [[12, 11, 10], [22, 21, 20]])


def test_minmax_mask_value_is_outside_the_scaled_range():
    w = make_sequence_windows(long_table([4, 2, 3], "abc"), spec(scaler="minmax"))
    real = w.x_train[w.x_train != w.mask_value]
    assert w.mask_value == -1.0 and real.min() == 0.0 and real.max() == 1.0
    # Padded steps are whole steps at the front: what a Keras Masking layer skips.
    np.testing.assert_array_equal((w.x_train == w.mask_value).all(axis=2).sum(axis=1), [0, 2, 1])


def test_cut_keeps_the_last_steps_of_the_shortest_length():
    w = make_sequence_windows(long_table([4, 2, 3], "abc"), spec(length="cut"))
    assert w.mask_value is None
    np.testing.assert_array_equal(w.x_train[:, :, 0], [[12, 13], [20, 21], [31, 32]])


def test_max_length_under_pad_truncates_to_the_last_steps():
    w = make_sequence_windows(long_table([4, 1], "ab"), spec(max_length=2))
    np.testing.assert_array_equal(w.x_train[:, :, 0], [[12, 13], [11, 20]])


def test_scaler_is_fitted_on_training_sequences_only():
    # Sequence i has the constant value i, so x tells which sequences went where.
    lengths, labels = [3] * 20, ["a", "b"] * 10
    df = long_table(lengths, labels, value=lambda i, step: float(i))
    w = make_sequence_windows(df, spec(scaler="minmax", val_fraction=0.2, test_fraction=0.2))
    train_ids = w.feature_scaler.inverse(w.x_train[:, -1, :])[:, 0].round()
    assert len(train_ids) == 12
    assert (train_ids.min(), train_ids.max()) != (1, 20)  # else a fit on all would agree
    assert w.feature_scaler.offset[0] == train_ids.min()
    assert w.feature_scaler.scale[0] == train_ids.max() - train_ids.min()


def test_stratified_split_keeps_class_proportions_and_follows_the_seed():
    df = long_table([2] * 30, ["a", "b", "c"] * 10, value=lambda i, step: float(i))
    split = spec(val_fraction=0.2, test_fraction=0.2)
    w = make_sequence_windows(df, split)
    for y, per_class in ((w.y_train, 6), (w.y_val, 2), (w.y_test, 2)):
        np.testing.assert_array_equal(np.bincount(y[:, 0].astype(int)), [per_class] * 3)
    ids = {s: set(getattr(w, f"x_{s}")[:, 0, 0]) for s in ("train", "val", "test")}
    assert set.union(*ids.values()) == set(range(1, 31)) and sum(map(len, ids.values())) == 30
    again = make_sequence_windows(df, split)
    np.testing.assert_array_equal(again.x_test, w.x_test)
    other = make_sequence_windows(df, spec(val_fraction=0.2, test_fraction=0.2, seed=1))
    assert set(other.x_test[:, 0, 0]) != ids["test"]


def test_regression_target_is_scaled_and_inverted():
    df = long_table([2] * 10, [float(v) for v in range(100, 200, 10)])
    w = make_sequence_windows(df, spec(task="regression", scaler="minmax", test_fraction=0.2))
    assert w.class_names is None and w.n_outputs == 1
    train_targets = w.inverse_targets(w.y_train)[:, 0]
    assert w.target_scaler.offset[0] == train_targets.min()
    np.testing.assert_allclose(
        np.sort(np.concatenate([train_targets, w.inverse_targets(w.y_test)[:, 0]])),
        np.arange(100, 200, 10),
        atol=1e-4,
    )


def test_target_stated_once_per_sequence_and_whole_number_labels():
    df = long_table([2, 2], [1.0, 2.0])
    df.loc[df["step"] == 1, "label"] = np.nan  # the label column is read as floats
    w = make_sequence_windows(df, spec())
    assert w.class_names == ("1", "2")
    np.testing.assert_array_equal(w.y_train[:, 0], [0, 1])


def test_ffill_stays_within_a_sequence():
    df = long_table([2, 2], ["a", "b"])
    df["f"] = [1.0, 2.0, np.nan, 5.0]
    w = make_sequence_windows(df, spec(missing="ffill"))
    # s2's first step has no earlier value in s2: dropped, not filled with s1's 2.0.
    np.testing.assert_array_equal(w.x_train[:, :, 0], [[1, 2], [0, 5]])


def test_drop_policy_drops_sequences_without_a_target():
    df = long_table([2, 2, 2], ["a", None, "b"])
    w = make_sequence_windows(df, spec(missing="drop"))
    np.testing.assert_array_equal(w.x_train[:, :, 0], [[10, 11], [30, 31]])


def test_summary_is_json_ready():
    summary = make_sequence_windows(long_table([3, 2], "ab"), spec()).summary()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["class_names"] == ["a", "b"] and summary["mask_value"] == 9.0


# --- bad input ---


def test_a_single_sequence():
    with pytest.raises(
        DataError, match=r"Found 1 sequence\(s\) in the id column 'id'.*make_windows"
    ):
        make_sequence_windows(long_table([5], ["a"]), spec())


def test_a_class_too_rare_to_stratify():
    df = long_table([2] * 7, ["a"] * 6 + ["b"])
    with pytest.raises(
        DataError,
        match=r"Class 'b' of 'label' has 1 sequence\(s\) left for the stratified test split",
    ):
        make_sequence_windows(df, spec(test_fraction=0.3))


def test_a_split_too_small_for_every_class():
    df = long_table([2] * 30, ["a", "b", "c"] * 10)
    with pytest.raises(
        DataError, match=r"Cannot draw a stratified test split of 2 from 30 sequences"
    ):
        make_sequence_windows(df, spec(test_fraction=0.05))


def test_a_single_class():
    with pytest.raises(DataError, match="has a single class 'a'; classification needs at least 2"):
        make_sequence_windows(long_table([2, 2], "aa"), spec())


def test_target_that_changes_within_a_sequence():
    df = long_table([2, 2], "ab")
    df.loc[1, "label"] = "c"
    with pytest.raises(
        DataError,
        match=r"Sequence 's1' has more than one target in column 'label' \(values: \['a', 'c'\]\)",
    ):
        make_sequence_windows(df, spec())


def test_sequence_without_target():
    with pytest.raises(DataError, match=r"Sequence 's2' has no target.*missing='drop'"):
        make_sequence_windows(long_table([2, 2, 2], ["a", None, "b"]), spec())


def test_missing_feature_value_names_column_and_row():
    df = long_table([2, 2], "ab")
    df.loc[3, "f"] = np.nan
    with pytest.raises(DataError, match=r"Column 'f' has a missing value in data row 4"):
        make_sequence_windows(df, spec())


def test_missing_id():
    df = long_table([2, 2], "ab")
    df.loc[2, "id"] = None
    with pytest.raises(DataError, match=r"id column 'id' has a missing value in data row 3"):
        make_sequence_windows(df, spec())


def test_text_step_column():
    df = long_table([2, 2], "ab").assign(step=["x", "y", "x", "y"])
    with pytest.raises(DataError, match=r"step column 'step' holds text, not numbers or dates"):
        make_sequence_windows(df, spec())


def test_text_feature():
    with pytest.raises(DataError, match=r"feature column 'label' holds text"):
        make_sequence_windows(
            long_table([2, 2], "ab"), spec(features=("f", "label"), target="g", task="regression")
        )


def test_regression_on_a_text_target():
    with pytest.raises(DataError, match=r"target column 'label' holds text \(e.g. 'a'\)"):
        make_sequence_windows(long_table([2, 2], "ab"), spec(task="regression"))


def test_cut_longer_than_the_shortest_sequence():
    with pytest.raises(
        DataError, match=r"Sequence 's2' has 2 steps but length='cut' with max_length=3"
    ):
        make_sequence_windows(long_table([4, 2], "ab"), spec(length="cut", max_length=3))


def test_length_above_the_limit():
    with pytest.raises(DataError, match="max_length is 4, above the limit of 3 timesteps"):
        make_sequence_windows(long_table([4, 2], "ab"), spec(), limits=Limits(max_timesteps=3))


# --- the spec ---


def test_spec_json_round_trip():
    original = spec(task="regression", length="cut", max_length=5, seed=3, missing="interpolate")
    assert SequenceSpec.from_dict(json.loads(json.dumps(original.to_dict()))) == original


@pytest.mark.parametrize(
    "change, message",
    [
        ({"task": "ranking"}, r"task must be one of \('classification', 'regression'\)"),
        ({"length": "wrap"}, r"length must be one of \('pad', 'cut'\)"),
        ({"max_length": 0}, "max_length must be at least 1, got 0"),
        ({"seed": -1}, "seed must be at least 0"),
        ({"id_column": 3}, "id_column must be a column name"),
        ({"target": "f"}, "target 'f' is also listed in features"),
        ({"step_column": "id"}, "must name different columns"),
    ],
)
def test_spec_rejects_bad_values(change, message):
    with pytest.raises(DataError, match=message):
        spec(**change)


def test_from_dict_rejects_an_unknown_key():
    with pytest.raises(DataError, match=r"Unknown SequenceSpec key\(s\) \['pad'\]"):
        SequenceSpec.from_dict({**spec().to_dict(), "pad": "pre"})
