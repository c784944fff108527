"""A task comparison's data as ``Windows``: what the States page reads a trained model with.

A sweep's trial on the adding problem keeps its trained model; the States page steps that model
through the very sequences it was trained and validated on. They are not stored: the task's
generator gives them again from the trial's settings (``make_task`` with ``task_seed`` for
training, ``task_seed + 1`` for validation, as ``run_compare`` made them). Nothing is scaled
(the task's values are already in [0, 1]), and there is no test split.

The copy task is not here: its model answers at every step (logits of shape
``(batch, timesteps + 20, 10)``), not one prediction per window, so its trials keep no model.
"""

from __future__ import annotations

import numpy as np

from lstm_core.data import Windows
from lstm_core.data.scaling import Scaler
from lstm_core.errors import DataError
from lstm_core.experiments.config import CompareConfig
from lstm_core.experiments.tasks import make_task

# task -> (feature names, target names) of its windows.
TASKS_WITH_WINDOWS = {"adding": (("value", "marker"), ("sum",))}


def task_windows(config: CompareConfig) -> Windows:
    """The training and validation data of ``config``'s task as unscaled ``Windows``.

    Returns:
        ``Windows`` with ``x_train`` of shape ``(n_train, timesteps, 2)``, ``y_train`` of shape
        ``(n_train, 1)``, the validation split likewise with ``n_val`` sequences, and an empty
        test split (``(0, timesteps, 2)``).

    Raises:
        DataError: a task whose model does not give one prediction per sequence (copy).
    """
    if config.task not in TASKS_WITH_WINDOWS:
        raise DataError(
            f"A {config.task!r} trial answers at every step, not once per sequence, so the "
            "States page cannot open it; open a trial on the adding problem instead."
        )
    features, targets = TASKS_WITH_WINDOWS[config.task]
    x, y = make_task(config.task, config.n_train, config.timesteps, config.task_seed)
    x_val, y_val = make_task(config.task, config.n_val, config.timesteps, config.task_seed + 1)
    return Windows(
        x_train=x,
        y_train=y,
        x_val=x_val,
        y_val=y_val,
        x_test=np.zeros((0, *x.shape[1:]), np.float32),
        y_test=np.zeros((0, y.shape[1]), np.float32),
        feature_names=features,
        target_names=targets,
        horizon=1,
        task="regression",
        feature_scaler=_identity(len(features)),
        target_scaler=_identity(len(targets)),
    )


def _identity(columns: int) -> Scaler:
    return Scaler(kind="none", offset=np.zeros(columns), scale=np.ones(columns))
