"""Start, find and stop this session's training job.

The job is an ``lstm_core.train.TrainingJob`` on the Data page's windows and the Model page's
stack; it saves its run in this session's run store, under this session's workspace. TensorFlow
is imported only when a job starts (by the job's thread).
"""

from __future__ import annotations

from lstm_core.errors import DataError
from lstm_core.model import validate
from lstm_core.train import TrainingJob
from ui import dataset, jobs, stack, state
from ui.train_settings import config_from_state
from ui.workspace import limits, run_store, workspace_id


def estimate_key() -> tuple:
    """What a time estimate depends on: the data's windows, the model and the settings."""
    windows = dataset.windows()
    return (
        id(windows),
        stack.layer_string(),
        state.get("train", "epochs"),
        state.get("train", "batch_size"),
    )


def estimate_time():
    """Time a few batches of the current model on the current data; a ``RunEstimate``.

    Raises the engine's ``LabError`` when the data, model or settings do not fit.
    """
    from lstm_core.train.estimate import estimate_run  # imports TensorFlow when measuring

    windows = dataset.windows()
    if windows is None:
        raise DataError("There is no data yet; pick a sample or upload a CSV on the Data page.")
    spec = validate(stack.model_spec(windows), windows.timesteps, windows.features, limits())
    return estimate_run(windows, spec, config_from_state())


def current_job() -> TrainingJob | None:
    """This session's training job, running or ended, or ``None``."""
    return jobs.registry().get("train")


def start_training() -> TrainingJob:
    """Start a training job with the current data, model and settings; return it.

    Raises:
        DataError: no windows yet. SpecError, ConfigError: from the engine's validation,
        the memory budget or the cap on concurrent jobs.
    """
    windows = dataset.windows()
    if windows is None:
        raise DataError(
            "There is no data to train on yet; pick a sample or upload a CSV on the Data page."
        )
    spec = validate(stack.model_spec(windows), windows.timesteps, windows.features, limits())
    previous = current_job()
    if jobs.is_active(previous):
        previous.stop()
        previous.wait()
    job = TrainingJob(
        windows,
        spec,
        config_from_state(),
        store=run_store(),
        workspace=workspace_id(),
        dataset=dataset.summary(),
        window_spec=dataset.spec(),
        limits=limits(),
    )
    job.start()
    jobs.registry().put("train", job)
    return job
