"""The vanishing-gradient lab: a plain RNN against an LSTM, with real gradients and a real task.

- ``tasks``: the adding problem and copy-memory generators, and their computed baselines.
- ``gradients``: ``gradient_profile``, ``||dL/dx_t||``, ``||dL/dh_t||`` (and ``||dL/dc_t||``, the
  forget gate) at every step, from one backward pass.
- ``config``, ``compare`` and ``job``: ``compare_cells`` trains cell kinds side by side on the
  same data; ``CompareJob`` runs it in the background.
- ``cli``: the ``vanishing`` and ``compare`` commands of ``python -m lstm_core``.

Importing this package does not import TensorFlow.
"""

from lstm_core.experiments.compare import (
    CellResult,
    CompareResult,
    build_task_model,
    compare_cells,
    run_compare,
)
from lstm_core.experiments.config import REFERENCE, CompareConfig, check_compare, model_spec
from lstm_core.experiments.gradients import GradientProfiler, gradient_profile, gradient_reach
from lstm_core.experiments.job import CompareJob, CompareSnapshot
from lstm_core.experiments.tasks import (
    adding_baseline,
    adding_problem,
    copy_baseline,
    copy_memory,
    make_task,
    task_baseline,
)

__all__ = [
    "REFERENCE",
    "CellResult",
    "CompareConfig",
    "CompareJob",
    "CompareResult",
    "CompareSnapshot",
    "GradientProfiler",
    "adding_baseline",
    "adding_problem",
    "build_task_model",
    "check_compare",
    "compare_cells",
    "copy_baseline",
    "copy_memory",
    "gradient_profile",
    "gradient_reach",
    "make_task",
    "model_spec",
    "run_compare",
    "task_baseline",
]
