"""The vanishing-gradient lab: a plain RNN against an LSTM, with real gradients and a real task.

- ``tasks``: the adding problem and copy-memory generators, their computed baselines and the
  adding problem's 0.04 criterion.
- ``gradients``: ``gradient_profile``, ``||dL/dx_t||``, ``||dL/dh_t||`` (and ``||dL/dc_t||``, the
  forget gate) at every step, from one backward pass; ``probe`` (the forward pass, Keras ops)
  and ``backprop`` (the backward pass, once per backend) under it.
- ``config``, ``compare`` and ``job``: ``compare_cells`` trains cell kinds side by side on the
  same data; ``CompareJob`` runs it in the background.
- ``task_windows``: a task's sequences as ``Windows``, for the States page to open a sweep's
  trial on the adding problem.

Importing this package does not import TensorFlow.
"""

from lstm_core.experiments.compare import (
    CellResult,
    CompareResult,
    build_task_model,
    compare_cells,
    run_compare,
)
from lstm_core.experiments.config import (
    QUICK,
    REFERENCE,
    CompareConfig,
    check_compare,
    model_spec,
)
from lstm_core.experiments.gradients import GradientProfiler, gradient_profile, gradient_reach
from lstm_core.experiments.job import CompareJob, CompareSnapshot
from lstm_core.experiments.tasks import (
    SOLVED_ERROR,
    adding_baseline,
    adding_problem,
    adding_solved,
    copy_baseline,
    copy_memory,
    differentiated_loss,
    make_task,
    profile_loss_steps,
    task_baseline,
)

__all__ = [
    "QUICK",
    "REFERENCE",
    "SOLVED_ERROR",
    "CellResult",
    "CompareConfig",
    "CompareJob",
    "CompareResult",
    "CompareSnapshot",
    "GradientProfiler",
    "adding_baseline",
    "adding_problem",
    "adding_solved",
    "build_task_model",
    "check_compare",
    "compare_cells",
    "copy_baseline",
    "copy_memory",
    "differentiated_loss",
    "gradient_profile",
    "gradient_reach",
    "make_task",
    "model_spec",
    "profile_loss_steps",
    "run_compare",
    "task_baseline",
]
