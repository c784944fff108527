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

Importing this package imports neither TensorFlow nor pandas.
"""

import importlib

from lstm_core.experiments.config import (
    QUICK,
    REFERENCE,
    CompareConfig,
    check_compare,
    model_spec,
)

# The rest is imported on first use (PEP 562), so that reading a config (the field tables,
# the pages that open first) does not import pandas with the comparison and its profiles.
_LAZY = {
    "compare": ("CellResult", "CompareResult", "build_task_model", "compare_cells", "run_compare"),
    "gradients": ("GradientProfiler", "gradient_profile", "gradient_reach"),
    "job": ("CompareJob", "CompareSnapshot"),
    "tasks": (
        "SOLVED_ERROR",
        "adding_baseline",
        "adding_problem",
        "adding_solved",
        "copy_baseline",
        "copy_memory",
        "differentiated_loss",
        "make_task",
        "profile_loss_steps",
        "task_baseline",
    ),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)


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
