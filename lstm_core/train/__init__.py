"""Training: ``TrainConfig`` (how), ``TrainingJob`` (a background thread running Keras' ``fit``,
watched through ``snapshot()``), and the test metrics of a trained model.

Importing this package does not import TensorFlow; a job imports it when it starts.
"""

from lstm_core.train.config import LOSSES, OPTIMIZERS, TrainConfig, check_config, resolve_loss
from lstm_core.train.job import JobResult, JobSnapshot, TrainingJob, running_jobs
from lstm_core.train.recorder import RunRecorder
from lstm_core.train.speed import forward_flops, training_flops

__all__ = [
    "LOSSES",
    "OPTIMIZERS",
    "JobResult",
    "JobSnapshot",
    "RunRecorder",
    "TrainConfig",
    "TrainingJob",
    "check_config",
    "forward_flops",
    "resolve_loss",
    "running_jobs",
    "training_flops",
]
