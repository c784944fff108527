"""A task's sequences as Windows: the data a sweep's trial trained on, generated again."""

import numpy as np
import pytest

from lstm_core.errors import DataError
from lstm_core.experiments import CompareConfig, run_compare
from lstm_core.experiments.task_windows import task_windows
from lstm_core.experiments.tasks import make_task

TINY = CompareConfig(
    kinds=("lstm",), timesteps=6, units=3, epochs=1, n_train=32, n_val=16, batch_size=16,
    profile_samples=4, seed=2, data_seed=5,
)  # fmt: skip


def test_the_adding_problem_as_windows_is_the_tasks_own_data_unscaled():
    windows = task_windows(TINY)
    x, y = make_task("adding", 32, 6, 5)  # data_seed, not seed
    x_val, y_val = make_task("adding", 16, 6, 6)
    np.testing.assert_array_equal(windows.x_train, x)
    np.testing.assert_array_equal(windows.y_val, y_val)
    np.testing.assert_array_equal(windows.x_val, x_val)
    assert windows.x_test.shape == (0, 6, 2) and windows.y_test.shape == (0, 1)
    assert windows.feature_names == ("value", "marker") and windows.target_names == ("sum",)
    assert (windows.timesteps, windows.features, windows.n_outputs) == (6, 2, 1)
    np.testing.assert_array_equal(windows.inverse_targets(y_val), y_val)  # nothing scaled


def test_the_copy_task_is_refused_with_the_reason():
    with pytest.raises(DataError, match="A 'copy' trial answers at every step, not once per"):
        task_windows(CompareConfig(task="copy", kinds=("lstm",), timesteps=6))


@pytest.mark.slow
def test_the_trained_model_scores_its_final_val_loss_on_these_windows():
    models = {}
    result = run_compare(TINY, on_trained=lambda kind, model: models.setdefault(kind, model))
    windows = task_windows(TINY)
    loss = models["lstm"].evaluate(windows.x_val, windows.y_val, verbose=0)
    assert loss == pytest.approx(result.results["lstm"].val_loss[-1], rel=1e-5)
