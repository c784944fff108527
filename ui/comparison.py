"""The Vanishing-gradients page's glue: its settings as a ``CompareConfig``, and its jobs.

Two things run: a quick gradient profile of the untrained models (``epochs=0``, in the page's
own run, a few seconds) and the full comparison, a ``CompareJob`` in the background that
profiles before training and after the last epoch.
"""

from __future__ import annotations

import dataclasses

from lstm_core.experiments import (
    CompareConfig,
    CompareJob,
    CompareResult,
    check_compare,
    run_compare,
)
from lstm_core.jobs import take_slot
from lstm_core.model.describe import KERAS_CLASS
from ui import jobs, state
from ui.workspace import limits

FIELDS = (
    "task",
    "timesteps",
    "kinds",
    "units",
    "epochs",
    "seed",
    "n_train",
    "batch_size",
    "learning_rate",
    "forget_bias",
)
# A setting that shows the result in well under a minute on 2 cores, for a first look.
QUICK = {"timesteps": 50, "n_train": 1000, "epochs": 8}


def defaults() -> dict:
    """The page's defaults: the reference setting of ``lstm_core.experiments``."""
    reference = CompareConfig().to_dict()
    return {name: reference[name] for name in FIELDS}


def config_from_state() -> CompareConfig:
    """The page's settings as a validated ``CompareConfig``; ``ConfigError`` if invalid."""
    values = {name: state.get("vanishing", name) for name in FIELDS}
    values["kinds"] = tuple(values["kinds"] or ())
    return check_compare(CompareConfig(**values), limits())


def profile_untrained() -> CompareResult:
    """Gradient profiles of every chosen kind at initialisation (no training), in this run of
    the page, under the process-wide cap on concurrent jobs like any background job.

    Raises:
        ConfigError: invalid settings, or ``LSTM_LAB_MAX_CONCURRENT_JOBS`` jobs running.
    """
    config = dataclasses.replace(config_from_state(), epochs=0, profile_epochs=None)
    with take_slot("measurement of the untrained cells", limits()):
        return run_compare(config)


def current_job() -> CompareJob | None:
    return jobs.registry().get("vanishing")


def start_comparison() -> CompareJob:
    """Start the comparison in the background (stopping a previous one); return the job."""
    previous = current_job()
    if jobs.is_active(previous):
        previous.stop()
    job = CompareJob(config_from_state(), limits=limits()).start()
    jobs.registry().put("vanishing", job)
    return job


def profiles(result: CompareResult) -> dict:
    """``{"LSTM, at initialisation": frame, "LSTM, after epoch 20": frame, ...}``."""
    labelled = {}
    for kind, cell in result.results.items():
        for epoch, frame in sorted(cell.profiles.items()):
            when = "at initialisation" if epoch == 0 else f"after epoch {epoch}"
            labelled[f"{KERAS_CLASS[kind]}, {when}"] = frame
    return labelled
