import math

import numpy as np
import pytest

from lstm_core.errors import ConfigError
from lstm_core.experiments.tasks import (
    adding_baseline,
    adding_problem,
    adding_solved,
    copy_baseline,
    copy_memory,
    make_task,
    task_baseline,
)


def test_adding_problem_shapes_and_types():
    x, y = adding_problem(7, 10, seed=0)
    assert x.shape == (7, 10, 2) and x.dtype == np.float32
    assert y.shape == (7, 1) and y.dtype == np.float32


def test_adding_problem_has_one_marker_in_each_half():
    x, _ = adding_problem(500, 11, seed=1)
    markers = x[:, :, 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert (markers[:, :5].sum(axis=1) == 1).all()  # first half: steps 0..4 (11 // 2 = 5)
    assert (markers[:, 5:].sum(axis=1) == 1).all()
    # every position of each half gets used: the markers are drawn, not fixed
    assert (markers.sum(axis=0) > 0).all()


def test_adding_target_is_the_sum_of_the_marked_values():
    x, y = adding_problem(50, 6, seed=2)
    values, markers = x[:, :, 0], x[:, :, 1]
    assert ((values >= 0) & (values <= 1)).all()
    np.testing.assert_allclose(y[:, 0], (values * markers).sum(axis=1), rtol=1e-6)


def test_generators_are_seeded():
    a, b = adding_problem(5, 8, seed=3), adding_problem(5, 8, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], adding_problem(5, 8, seed=4)[0])
    np.testing.assert_array_equal(copy_memory(5, 8, seed=3)[1], copy_memory(5, 8, seed=3)[1])


def test_copy_memory_layout():
    timesteps = 6
    x, y = copy_memory(200, timesteps, seed=0)
    length = timesteps + 20
    assert x.shape == (200, length, 10) and x.dtype == np.float32
    assert y.shape == (200, length) and y.dtype == np.int32
    np.testing.assert_array_equal(x.sum(axis=-1), 1.0)  # one-hot: one category per step
    codes = x.argmax(axis=-1)  # (n, T + 20)
    symbols = codes[:, :10]
    assert symbols.min() == 1 and symbols.max() == 8  # 8 symbols, all used
    assert (codes[:, 10 : 10 + timesteps - 1] == 0).all()  # timesteps - 1 blanks
    assert (codes[:, 10 + timesteps - 1] == 9).all()  # the delimiter
    assert (codes[:, -10:] == 0).all()  # 10 blanks while the model answers
    assert (y[:, :-10] == 0).all()
    np.testing.assert_array_equal(y[:, -10:], symbols)  # the answer is the 10 symbols


def test_adding_baseline_by_simulation():
    # The best memoryless guess is the mean target; its MSE on fresh data is the baseline.
    _, y_fit = adding_problem(200_000, 4, seed=10)
    _, y_new = adding_problem(200_000, 4, seed=11)
    simulated = np.mean((y_new - y_fit.mean()) ** 2)
    assert adding_baseline() == pytest.approx(1 / 6)
    assert simulated == pytest.approx(adding_baseline(), rel=0.02)


def test_adding_solved_counts_errors_below_0_04():
    y_true = np.array([[1.0], [1.0], [0.5], [1.5]])
    y_pred = np.array([[1.03], [0.95], [0.5], [1.5399]])  # errors 0.03, 0.05, 0, 0.0399
    assert adding_solved(y_true, y_pred) == 0.75
    # Always predicting 1 solves the sequences whose sum lies within 0.04 of 1: 1 - 0.96**2.
    _, y = adding_problem(200_000, 4, seed=12)
    assert adding_solved(y, np.ones_like(y)) == pytest.approx(1 - 0.96**2, rel=0.03)


def test_copy_baseline_by_simulation():
    # The best memoryless guess is each step's category frequencies; score it on fresh data.
    timesteps, n = 5, 20_000
    _, y_fit = copy_memory(n, timesteps, seed=10)
    _, y_new = copy_memory(n, timesteps, seed=11)
    counts = np.stack([(y_fit == k).sum(axis=0) for k in range(10)], axis=-1)  # (T + 20, 10)
    p = counts / n  # (T + 20, 10)
    steps = np.arange(timesteps + 20)
    simulated = -np.mean(np.log(p[steps, y_new]))
    assert copy_baseline(timesteps) == pytest.approx(10 * math.log(8) / (timesteps + 20))
    assert simulated == pytest.approx(copy_baseline(timesteps), rel=0.02)


def test_make_task_and_task_baseline_dispatch():
    x, _ = make_task("copy", 3, 4, seed=0)
    assert x.shape == (3, 24, 10)
    assert task_baseline("adding", 100) == adding_baseline()
    assert task_baseline("copy", 100) == copy_baseline(100)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: adding_problem(0, 10), r"n for the adding problem .* got 0"),
        (lambda: adding_problem(5, 1), r"timesteps .* at least 2, got 1"),
        (lambda: copy_memory(5, 0), r"timesteps for the copy-memory task .* at least 1, got 0"),
        (lambda: make_task("sort", 5, 5, 0), r"task must be 'adding' or 'copy', got 'sort'"),
    ],
)
def test_bad_sizes_name_the_input(call, match):
    with pytest.raises(ConfigError, match=match):
        call()
