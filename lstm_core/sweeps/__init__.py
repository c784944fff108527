"""Sweeps: many independent trials of one experiment, run at once on Ray.

- ``spec``: ``SweepSpec``, a base experiment (a ``CompareConfig``, or a training
  ``Experiment``), the axes swept over it and the seeds, expanded into ``Trial``s; JSON round
  trip, validated in one place.
- ``training``: a training base: its axes, each trial's experiment, what its run keeps.
- ``trial``: one comparison trial as a Ray worker runs it, on one thread; ``train_trial``: one
  training trial (window, train, score, the model's bytes).
- ``ray_backend``: Ray, local or a cluster (``--address`` / ``RAY_ADDRESS``); the only module
  that imports Ray, and only when a sweep starts.
- ``runner``: ``SweepJob``, the driver: trials into the run store as they end; resume, stop,
  failures.
- ``aggregate``: median and interquartile range over seeds per point; breaking lengths.
- ``ablation``: an ablation lab's variants and seeds as a sweep (``AblationSweepJob``), its
  result assembled back from the stored trials.

Importing this package imports neither Ray nor TensorFlow.
"""

from lstm_core.sweeps.aggregate import SOLVED_LOSS, aggregate, breaking_lengths
from lstm_core.sweeps.runner import SweepJob, SweepSnapshot
from lstm_core.sweeps.spec import AXES, KIND_AXIS, SweepSpec, Trial, check_sweep

__all__ = [
    "AXES",
    "KIND_AXIS",
    "SOLVED_LOSS",
    "SweepJob",
    "SweepSnapshot",
    "SweepSpec",
    "Trial",
    "aggregate",
    "breaking_lengths",
    "check_sweep",
]
