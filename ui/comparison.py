"""The Vanishing-gradients page's glue: its settings as a ``CompareConfig``, and its jobs.

Two things run: a quick gradient profile of the untrained models (``epochs=0``, in the page's
own run, a few seconds) and the full comparison, a ``CompareJob`` in the background that
profiles before training and after the last epoch. A result remembers the settings it ran
with; ``changed_settings`` says which the page has changed since, so the page marks it as old.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from lstm_core.experiments import (
    QUICK,
    SOLVED_ERROR,
    CompareConfig,
    CompareJob,
    CompareResult,
    check_compare,
    run_compare,
)
from lstm_core.fields import COMPARE
from lstm_core.jobs import take_slot
from lstm_core.model import KERAS_CLASS
from ui import fields, jobs, state
from ui.workspace import limits

# The settings grid both labs show (Vanishing gradients, Ablation), drawn from the comparison's
# field table (lstm_core.fields.COMPARE).
GRID = ("timesteps", "units", "epochs", "n_train", "batch_size", "learning_rate", "forget_bias")
FIELDS = ("task", "kinds", *GRID, "seed")  # this page's: the grid, the task, cells and seed
# What the untrained profile depends on (not the training settings).
UNTRAINED_FIELDS = ("task", "timesteps", "kinds", "units", "seed", "forget_bias")


def settings_grid(page: str, names: tuple[str, ...] = GRID, **options) -> None:
    """The comparison's settings ``names`` as a grid of widgets on ``page``, from their rows
    of ``lstm_core.fields.COMPARE``; ``options[name]`` change a row's widget there."""
    fields.grid(page, [COMPARE[name] for name in names], columns=4, **options)


def defaults() -> dict:
    """The page's defaults: the reference setting of ``lstm_core.experiments``."""
    return _fields(CompareConfig())


def quick() -> dict:
    """The page's fields of ``lstm_core.experiments.QUICK``: the story in under a minute."""
    return _fields(QUICK)


def _fields(config: CompareConfig) -> dict:
    values = config.to_dict()
    return {name: values[name] for name in FIELDS}


def changed_settings(config: CompareConfig, names: tuple[str, ...] = FIELDS) -> list[str]:
    """The settings among ``names`` that the page now holds differently from ``config``.

    Returns:
        ``["timesteps 100 (now 50)", ...]``, empty when the result is current.
    """
    ran = _fields(config)
    changes = []
    for name in names:
        now = state.get("vanishing", name)
        then = ran[name]
        if name == "kinds":
            now, then = list(now or ()), list(then)
        if now != then:
            changes.append(f"{name} {_plain(then)} (now {_plain(now)})")
    return changes


def _plain(value) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


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
    """``{"LSTM": {"at initialisation": frame, "after epoch 20": frame}, ...}``."""
    labelled = {}
    for kind, cell in result.results.items():
        moments = labelled.setdefault(KERAS_CLASS[kind], {})
        for epoch, frame in sorted(cell.profiles.items()):
            moments["at initialisation" if epoch == 0 else f"after epoch {epoch}"] = frame
    return labelled


def summary_frame(result: CompareResult) -> pd.DataFrame:
    """``result.summary()`` as a table a reader can take in: one row per cell."""
    loss = "MSE" if result.config.task == "adding" else "cross-entropy"
    rows = []
    for row in result.summary():
        shown = {
            "cell": KERAS_CLASS[row["kind"]],
            f"validation {loss}": row["val_loss"],
            f"remember-nothing {loss}": row["baseline"],
        }
        if result.config.task == "adding":
            shown[f"solved (|error| < {SOLVED_ERROR})"] = (
                None if row["solved"] is None else f"{row['solved']:.0%}"
            )
        shown["gradient reach, untrained"] = _scientific(row["reach_before"])
        shown["gradient reach, trained"] = _scientific(row["reach_after"])
        shown["training s"] = round(row["wall_s"], 1)
        shown["weights"] = row["params"]
        rows.append(shown)
    return pd.DataFrame(rows)


def _scientific(value: float | None) -> str | None:
    return None if value is None else f"{value:.1e}"
