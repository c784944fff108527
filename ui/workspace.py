"""Who the visitor is and where their runs go: hosted mode, the workspace, limits, the store.

Locally every browser tab shares one workspace, ``lstm_core.runs.LOCAL_WORKSPACE``, which the
command line (``python -m lstm_core runs list``) reads too. In hosted mode
(``LSTM_LAB_HOSTED=1``, or the same key in Streamlit secrets) each visitor gets a private
workspace: a random key of 128 bits, kept in a cookie of their browser, so that a reload, a new
tab or a visit next week finds their runs again. A link ``/runs?workspace=KEY`` moves it to
another browser; whoever holds the key can see and delete its runs, and nobody else can.

The cookie is read from the request (``st.context.cookies``) and written by a line of
JavaScript (``st.html``), on the first run of every session, which also renews its expiry. The
key is hex digits made here, never text from the visitor, so the script holds nothing else.

Retention: in hosted mode the store is pruned (``lstm_core.retention``) when a session opens
it, at most once every ``PRUNE_EVERY_S`` seconds per process.

The run store is opened once per process and folder. When it cannot be used (folder not
writable, database damaged), the session gets an in-memory store and a warning: the app keeps
working, and the damaged file is left as it is for its owner to inspect.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import threading
import time
import urllib.parse

import streamlit as st

from lstm_core import retention, shutdown
from lstm_core.errors import LabError
from lstm_core.runs import LOCAL_WORKSPACE, RunStore, default_folder
from lstm_core.settings import Limits, load_limits

COOKIE = "lstm_lab_workspace"
LINK_PARAM = "workspace"  # /runs?workspace=KEY: a visitor's runs, in any browser
COOKIE_MAX_AGE_S = 400 * 86_400  # the longest a browser keeps a cookie (Chrome's cap)
PRUNE_EVERY_S = 600.0
_KEY = re.compile(r"[0-9a-f]{32}")  # 128 random bits
_TRUE = {"1", "true", "yes", "on"}
_pruned = {"at": -PRUNE_EVERY_S}
_prune_lock = threading.Lock()


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
    """This session's workspace: the visitor's key when hosted, else ``LOCAL_WORKSPACE``."""
    if not is_hosted():
        return LOCAL_WORKSPACE
    if "app.workspace" not in st.session_state:
        st.session_state["app.workspace"] = _claimed_key()
    return st.session_state["app.workspace"]


def _claimed_key() -> str:
    """The key of a ``?workspace=`` link, else the browser's cookie, else a new key."""
    for candidate in (st.query_params.get(LINK_PARAM), st.context.cookies.get(COOKIE)):
        if isinstance(candidate, str) and _KEY.fullmatch(candidate):
            return candidate
    if st.query_params.get(LINK_PARAM) is not None:
        st.session_state["app.workspace_warning"] = (
            "The link's workspace key is not one this app makes (32 hex digits); a new, empty "
            "workspace was opened. Check that the whole link was copied."
        )
    return secrets.token_hex(16)


def remember_visitor() -> None:
    """On a session's first run in hosted mode: settle its workspace and (re)write the cookie
    that brings the visitor back to it. Call before the URL is rewritten."""
    if not is_hosted() or st.session_state.get("app.cookie_written"):
        return
    key = workspace_id()
    st.session_state["app.cookie_written"] = True
    secure = "; Secure" if str(st.context.url or "").startswith("https:") else ""
    st.sidebar.html(  # the sidebar: an element drawn there takes no room above the page
        f'<script>document.cookie = "{COOKIE}={key}; path=/; max-age={COOKIE_MAX_AGE_S}; '
        f'SameSite=Lax{secure}";</script>',
        unsafe_allow_javascript=True,
    )


def runs_link() -> str:
    """The address that opens this visitor's runs in any browser (hosted mode)."""
    address = urllib.parse.urlsplit(str(st.context.url or ""))
    base_path = str(st.get_option("server.baseUrlPath") or "").strip("/")
    path = "/".join(part for part in (base_path, "runs") if part)
    origin = f"{address.scheme}://{address.netloc}" if address.netloc else ""
    return f"{origin}/{path}?{LINK_PARAM}={workspace_id()}"


def limits() -> Limits:
    """The limits from ``LSTM_LAB_*`` variables and Streamlit secrets (defaults if invalid)."""
    try:
        return load_limits(streamlit_secrets())
    except LabError as error:
        st.session_state["app.limits_warning"] = str(error)
        return Limits()


@st.cache_resource(show_spinner=False)
def _open_store(folder: str) -> RunStore:
    store = RunStore(folder)
    shutdown.close_at_exit(store)
    return store


def _prune_now_and_then(store: RunStore) -> None:
    """Apply the retention limits, at most once every ``PRUNE_EVERY_S`` per process."""
    with _prune_lock:
        if time.monotonic() - _pruned["at"] < PRUNE_EVERY_S:
            return
        _pruned["at"] = time.monotonic()
    try:
        retention.prune(store, limits())
    except LabError as error:  # the app works on; the next session tries again later
        st.session_state["app.store_warning"] = f"Old runs could not be removed: {error}"


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
            if is_hosted():
                _prune_now_and_then(st.session_state["app.store"])
        except LabError as error:
            st.session_state["app.store_warning"] = (
                f"{error} Runs of this session are kept in memory only and are lost when it ends."
            )
            st.session_state["app.store"] = RunStore.in_memory()
    return st.session_state["app.store"]


def your_runs_note() -> None:
    """In hosted mode: how long runs are kept, and the link that opens them elsewhere."""
    if not is_hosted():
        return
    st.caption(
        f"{retention.promise(limits())} Your workspace is private to this browser, which "
        "remembers it. To open your runs in another browser, bookmark this link; anyone who "
        "has it can see and delete them:"
    )
    st.code(runs_link(), language=None)
