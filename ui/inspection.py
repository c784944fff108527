"""The States page's glue: which trained model to open, and what to ask ``lstm_core.inspect``.

A model to open is this session's last training job, once it has ended (its weights no longer
change), or any stored run that kept its model; the samples come from the windows it was
trained on. A stored run's windows are cut again from its data with its window spec: a sample
is loaded again, and a file must be the one loaded on the Data page now. A sweep's trial on the
adding problem has no data to load: its sequences are generated again from its settings
(``lstm_core.experiments.task_windows``).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lstm_core import samples
from lstm_core.data import Windows, cut_windows
from lstm_core.errors import DataError
from lstm_core.experiments.config import CompareConfig
from lstm_core.experiments.task_windows import task_windows
from lstm_core.model import ModelSpec
from ui import dataset, share, training
from ui.workspace import limits, run_store, workspace_id

SESSION = "session"  # the choice of this session's last training job
_LOADED = "_states.loaded"  # session state: the stored run opened last, kept while chosen
_CACHE = "_states.cache"  # session state: figures computed for the model shown


@dataclass(frozen=True)
class Trained:
    """A trained model with what it was trained on, as the States page reads it."""

    model: object  # keras.Model, built by lstm_core.model.build_model
    model_spec: ModelSpec
    windows: Windows  # x: (samples, timesteps, features)
    run_id: str | None  # the stored run, if any
    diagnosis: dict | None  # lstm_core.inspect.diagnose, as kept with the run; None if not kept


def trained_job():
    """This session's training job if it ended with a model to inspect, else ``None``."""
    job = training.current_job()
    if job is None or not job.snapshot().done or job.model is None or job.result is None:
        return None
    return job


def model_choices() -> dict[str, str]:
    """What the States page can open, ``{choice: label}``: ``SESSION`` first when this
    session's job has ended, then the workspace's stored runs that saved a model, newest
    first."""
    choices = {}
    job = trained_job()
    if job is not None:
        suffix = f" (run {job.run_id})" if job.run_id else ""
        choices[SESSION] = f"This session's last training{suffix}"
    listed = run_store().list_runs(workspace_id())
    for run in listed.itertuples():
        if run.has_model and (job is None or run.run_id != job.run_id):
            choices[run.run_id] = f"Stored run {run.run_id} · {run.name}"
    return choices


def open_choice(choice: str) -> Trained:
    """The model of ``choice`` (a key of ``model_choices()``), loaded at most once in a row.

    Raises:
        LabError: a run whose model or data cannot be had, with what to do about it.
    """
    if choice == SESSION:
        job = trained_job()
        return Trained(job.model, job.model_spec, job.windows, job.run_id, job.result.diagnosis)
    loaded = st.session_state.get(_LOADED)
    if loaded is None or loaded.run_id != choice:
        st.session_state.pop(_LOADED, None)  # one stored model in memory at a time
        st.session_state[_LOADED] = _open_run(choice)
    return st.session_state[_LOADED]


def _open_run(run_id: str) -> Trained:
    store, workspace = run_store(), workspace_id()
    run = store.get_run(run_id, workspace)
    if "task" in (run.train_config or {}):  # a task comparison's trial, from a sweep
        return _open_task_run(store, workspace, run)
    experiment = share.experiment_of_run(run)  # its data, window spec and model spec
    data = experiment.data or {}
    if "sample" in data:
        frame = samples.load_sample(data["sample"])
    elif "file" in data and dataset.title() == data["file"]:
        frame = dataset.frame()
    else:
        raise DataError(
            f"Run {run_id} was trained on {data.get('file', 'data it did not record')!r}, "
            "which is not loaded now; load that file on the Data page to look inside this "
            "run's model."
        )
    if experiment.window is None:
        raise DataError(f"Run {run_id} did not record how its data was windowed.")
    windows = cut_windows(frame, experiment.window, limits=limits())
    model = store.load_model(run_id, workspace)
    expected = (windows.timesteps, windows.features)
    if tuple(model.input_shape[1:]) != expected:
        raise DataError(
            f"Run {run_id}'s model reads (batch, {model.input_shape[1]}, "
            f"{model.input_shape[2]}), but its data now gives windows of (batch, {expected[0]}, "
            f"{expected[1]}): the file has changed since; load the file it was trained on."
        )
    return Trained(model, experiment.model, windows, run_id, run.diagnosis)


def _open_task_run(store, workspace: str, run) -> Trained:
    """A sweep trial on a task: its model, and the task's sequences generated again."""
    config = CompareConfig.from_dict(run.train_config, limits())
    windows = task_windows(config)  # (n_train, timesteps, 2), as the trial trained on
    model = store.load_model(run.run_id, workspace)
    return Trained(model, ModelSpec.from_dict(run.model_spec), windows, run.run_id, run.diagnosis)


def remembered(trained: Trained, name: str, compute, *args):
    """``compute(*args)`` for the model of ``trained``, kept in the session while that model is
    shown, so reruns of the page (a Play step, another tab) do not compute it again."""
    cache = st.session_state.setdefault(_CACHE, {})
    key = (name, id(trained.model), *(a if isinstance(a, int | str) else id(a) for a in args))
    if key not in cache:
        if len(cache) > 32:
            cache.clear()
        cache[key] = compute(*args)
    return cache[key]
