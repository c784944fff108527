"""The sidebar: the current dataset, model and jobs at a glance, warnings, and sharing."""

from __future__ import annotations

import streamlit as st

from lstm_core.errors import LabError
from lstm_core.model import count_params
from ui import dataset, jobs, share, stack
from ui.errors import attempt
from ui.text import escape_markdown, shape_text
from ui.workspace import is_hosted, run_store, workspace_id, your_runs_note


def _dataset() -> None:
    st.markdown("**Dataset**")
    if dataset.title() is None:
        st.caption("None yet: pick one on the Data page.")
        return
    windows = dataset.windows()
    shapes = (
        f" · x_train {shape_text(windows.x_train.shape)}"
        if windows is not None
        else " · not windowed"
    )
    st.caption(escape_markdown(dataset.title()) + escape_markdown(shapes))


def _model() -> None:
    st.markdown("**Model**")
    if "model.layer_ids" not in st.session_state:
        st.caption("The default two-layer LSTM (see the Model page).")
        return
    windows = dataset.windows()
    text = stack.layer_string()
    if windows is not None:
        try:
            params = count_params(stack.model_spec(windows), windows.timesteps, windows.features)
            text += f" · {params:,} parameters"
        except (LabError, KeyError):  # an unfinished stack: the Model page explains it
            pass
    st.caption(escape_markdown(text))


def _jobs_lines() -> None:
    lines = [job.describe(job.snapshot()) for _, job in jobs.registry().items()]
    st.caption("  \n".join(lines) if lines else "No job yet.")


@st.fragment(run_every=jobs.LIVE_REFRESH_S)  # as often as the page's view: no epoch behind it
def _jobs_live() -> None:
    _jobs_lines()


def _jobs() -> None:
    st.markdown("**Jobs**")
    if any(jobs.is_active(job) for _, job in jobs.registry().items()):
        _jobs_live()  # refreshes itself while a job runs
    else:
        _jobs_lines()


def _runs() -> None:
    st.markdown("**Runs**")
    store = run_store()  # opening it here also surfaces a store problem on every page
    count = attempt(store.count_runs, workspace_id())
    if count is not None:
        where = "in memory" if store.is_memory else "kept on disk"
        whose = "your private workspace" if is_hosted() else "this workspace"
        st.caption(f"{count} in {whose}, {where}.")
    if is_hosted():
        with st.expander("Keep your runs"):
            your_runs_note()


def render() -> None:
    """Draw the sidebar summary (called by ``app.py`` on every run)."""
    with st.sidebar:
        _dataset()
        _model()
        _jobs()
        _runs()
        for key in (
            "app.store_warning",
            "app.limits_warning",
            "app.query_error",
            "app.workspace_warning",
        ):
            if st.session_state.get(key):
                st.warning(escape_markdown(st.session_state[key]), icon=":material/warning:")
        for note in st.session_state.get("app.query_notes", []):
            st.info(escape_markdown(note), icon=":material/info:")
        share.sidebar_controls()
