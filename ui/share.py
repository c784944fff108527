"""Shareable settings: the experiment as JSON (export, validated import) and in the page URL.

The JSON is ``lstm_core.experiment_io``'s: the data source, the windowing, the layer stack and
the training settings. The URL carries all of it, field by field, as ``lstm_core.experiment_url``'s
table spells it (``?sample=airline&lookback=12&scaler=standard&layers=lstm:32:seq,lstm:16
&patience=3...``), or the id of the experiment kept in the run store when that would be too
long. It is read once when a session starts and rewritten on every run, so the address bar
always holds the current settings. Whatever comes in, a file, a URL or a stored run, passes
the engine's validation and is then applied wholly or not at all, before the widgets it sets
are drawn (an imported file: by the uploader's callback, on any page). Two parameters belong to
pages, not to the experiment, and are read once: ``run`` (the run the Runs page opens) and
``workspace`` (``ui.workspace``).
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from lstm_core import experiment_url
from lstm_core.errors import LabError
from lstm_core.experiment_io import Experiment, export_experiment, import_experiment
from lstm_core.experiment_io import experiment_of_run as io_experiment_of_run
from ui import dataset, stack, state, train_settings
from ui.errors import show_error
from ui.text import escape_markdown
from ui.workspace import LINK_PARAM, limits, run_store

PAGE_PARAMS = ("run", LINK_PARAM)
IMPORT_KEY = "_app.import"


def _apply_parts(experiment: Experiment) -> str | None:
    """Load an experiment's parts into session state; return a note for the user, if any.

    Raises:
        LabError: an unknown sample name.
    """
    note = None
    data = experiment.data or {}
    if "sample" in data:
        dataset.load_sample(data["sample"])
        state.put("data", "source", "A sample")
        state.put("data", "sample", data["sample"])
    if experiment.window is not None:
        if "file" in data and dataset.title() != data["file"]:
            state.put("data", "pending", (data["file"], experiment.window))
            note = f"Upload {data['file']} on the Data page: its windowing settings are ready."
        else:
            dataset.apply_spec(experiment.window)
    if experiment.model is not None:
        stack.set_layers(experiment.model.layers)
    if experiment.train is not None:
        train_settings.put_config(experiment.train)
    return note


def apply_experiment(experiment: Experiment) -> str | None:
    """Apply an experiment wholly, its data windowed, or not at all; return a note, if any.

    Call it before the Data, Model and Train pages' widgets are drawn (from a callback, or
    before the page runs): it writes their keys.

    Raises:
        LabError: a part that cannot be applied (an unknown sample, a windowing that does not
            fit the data); session state is then as it was.
    """
    with state.all_or_nothing("data", "model", "train"):
        note = _apply_parts(experiment)
        if dataset.frame() is not None:
            dataset.refresh_windows()
    return note


def current_experiment() -> Experiment:
    """The settings now; a part that is not valid yet is left out."""
    model = None
    if "model.layer_ids" in st.session_state:
        model = stack.model_spec(dataset.windows())
    try:
        train = train_settings.config_from_state()
    except LabError:
        train = None
    return Experiment(data=dataset.source(), window=dataset.spec(), model=model, train=train)


def apply_query_params_once() -> None:
    """At the start of a session, take the settings in the URL, if any, and window the data
    they name, so that any page opened from a link has it."""
    if st.session_state.get("app.query_applied"):
        return
    st.session_state["app.query_applied"] = True
    params = {name: st.query_params[name] for name in st.query_params}
    state.put("runs", "wanted", params.get("run"))
    try:
        experiment, notes = experiment_url.from_params(
            params, limits=limits(), store=run_store(), ignore=PAGE_PARAMS
        )
        note = apply_experiment(experiment)
    except LabError as error:
        st.session_state["app.query_error"] = f"The link's settings were not applied: {error}"
        return
    st.session_state["app.query_notes"] = [*notes, *([note] if note else [])]


def current_params() -> dict[str, str]:
    """The current settings as URL parameters (a stored experiment's id when too long)."""
    experiment = current_experiment()
    if not any(state.get("train", name) is not None for name in train_settings.TRAIN_FIELDS):
        experiment = dataclasses.replace(experiment, train=None)  # not chosen yet: not shared
    return experiment_url.to_link_params(experiment, run_store())


def write_query_params() -> None:
    """Put the current settings in the address bar, when they changed."""
    params = current_params()
    if {name: st.query_params[name] for name in st.query_params} != params:
        st.query_params.from_dict(params)


def take_import() -> None:
    """The import uploader's callback: apply the chosen file, wholly or not at all, and keep
    what came of it for the sidebar (the file's id with a note or the error).

    A callback runs before the page draws its widgets, whose keys the import writes. It runs
    again when the same file is chosen again (a new upload, a new id).
    """
    upload = st.session_state.get(IMPORT_KEY)
    if upload is None:  # the file was taken out of the uploader
        return
    try:
        outcome = apply_experiment(import_experiment(upload.getvalue(), limits()))
    except Exception as error:  # shown by the sidebar: a LabError as its message, a bug as a line
        outcome = error
    state.put("app", "imported", (upload.file_id, outcome or "Settings imported."))


def _import_outcome(upload) -> None:
    """Say what came of importing the file the uploader holds (nothing for an older file)."""
    file_id, outcome = state.get("app", "imported", (None, None))
    if upload is None or file_id != upload.file_id:
        return
    if isinstance(outcome, Exception):
        show_error(outcome, prefix=f"{upload.name} was not imported, nothing changed: ")
    else:
        st.success(escape_markdown(outcome), icon=":material/check:")


def sidebar_controls() -> None:
    """Export the settings as JSON, or import a file someone shared."""
    with st.expander("Share settings"):
        st.download_button(
            "Export settings (JSON)",
            export_experiment(current_experiment()),
            file_name="lstm-lab-experiment.json",
            mime="application/json",
            key="_app.export",
        )
        upload = st.file_uploader(
            "Import settings (JSON)", type=["json"], key=IMPORT_KEY, on_change=take_import
        )
        _import_outcome(upload)
        st.caption(
            "The page address holds every setting too: copy it to share the experiment "
            "(not your runs, nor an uploaded file)."
        )


def experiment_of_run(run) -> Experiment:
    """The settings a stored run was trained with, under this session's limits
    (``lstm_core.experiment_io.experiment_of_run``)."""
    return io_experiment_of_run(run, limits())
