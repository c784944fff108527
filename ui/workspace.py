"""Who the visitor is and where their runs go: hosted mode, the workspace, limits, the store.

Locally every browser tab shares one workspace, ``"local"``, so runs trained in one tab show in
another. In hosted mode (``LSTM_LAB_HOSTED=1``, or the same key in Streamlit secrets) each
browser session gets its own random workspace id, so its runs and jobs are private to it.

The run store is opened once per process and folder. When it cannot be used (folder not
writable, database damaged), the session gets an in-memory store and a warning: the app keeps
working, and the damaged file is left as it is for its owner to inspect.
"""

from __future__ import annotations

import os
import secrets
import sys

import streamlit as st

from lstm_core.errors import LabError
from lstm_core.runs import RunStore, default_folder
from lstm_core.settings import Limits, load_limits

LOCAL_WORKSPACE = "local"
_TRUE = {"1", "true", "yes", "on"}


def streamlit_secrets() -> dict:
    """Streamlit's secrets as a plain dict; empty when the app has no secrets file."""
    try:
        return dict(st.secrets.items())
    except FileNotFoundError:  # Streamlit's "no secrets" error is a FileNotFoundError
        return {}


def use_backend_secret() -> None:
    """Train on the Keras backend named by the ``KERAS_BACKEND`` secret, if there is one.

    Keras reads ``KERAS_BACKEND`` once, when it is first imported (the first training or
    inspection), so the secret is put into the environment on every script run until then;
    like Streamlit's own promotion of secrets to the environment, it wins over a variable set
    before. Changing it later needs a restart of the app.
    """
    chosen = streamlit_secrets().get("KERAS_BACKEND")
    if chosen and "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = str(chosen)


def is_hosted() -> bool:
    """Whether each browser session must get a private workspace."""
    flag = os.environ.get("LSTM_LAB_HOSTED") or streamlit_secrets().get("LSTM_LAB_HOSTED", "")
    return str(flag).strip().lower() in _TRUE


def workspace_id() -> str:
    """This session's workspace: a random id when hosted, else the shared ``"local"``."""
    if not is_hosted():
        return LOCAL_WORKSPACE
    if "app.workspace" not in st.session_state:
        st.session_state["app.workspace"] = secrets.token_hex(8)
    return st.session_state["app.workspace"]


def limits() -> Limits:
    """The limits from ``LSTM_LAB_*`` variables and Streamlit secrets (defaults if invalid)."""
    try:
        return load_limits(streamlit_secrets())
    except LabError as error:
        st.session_state["app.limits_warning"] = str(error)
        return Limits()


@st.cache_resource(show_spinner=False)
def _open_store(folder: str) -> RunStore:
    return RunStore(folder)


def store_folder() -> str:
    """The folder of the shared run store: ``LSTM_LAB_STORE`` or the per-user data folder."""

    return os.environ.get("LSTM_LAB_STORE") or str(default_folder())


def run_store() -> RunStore:
    """This session's run store: the shared one, or an in-memory one if that cannot be used.

    A session keeps the store it opened first. The reason for a fallback is kept in
    ``app.store_warning`` for the sidebar to show.
    """
    if "app.store" not in st.session_state:
        try:
            st.session_state["app.store"] = _open_store(store_folder())
        except LabError as error:
            st.session_state["app.store_warning"] = (
                f"{error} Runs of this session are kept in memory only and are lost when it ends."
            )
            st.session_state["app.store"] = RunStore.in_memory()
    return st.session_state["app.store"]
