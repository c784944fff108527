"""The private APIs of Streamlit that LSTM Lab uses, in one place, behind a version check.

Declared as ``lstm_core.private_apis`` declares Keras' and Ray's (see there): each name once,
with what it is used for; the installed release is compared with ``requirements.txt``'s range
before a name is read, and ``tests/test_private_apis.py`` reads every one. Streamlit's public
API cannot tell a page which browser session runs it, nor whether that browser is still
connected, which a session's background jobs need (``ui.jobs``).
"""

from __future__ import annotations

from lstm_core.private_apis import Library, PrivateName

STREAMLIT = Library("streamlit", ">=1.61,<2")

SCRIPT_RUN_CONTEXT = PrivateName(
    STREAMLIT,
    "streamlit.runtime.scriptrunner",
    "get_script_run_ctx",
    "to find the session a page runs in",
)
RUNTIME_EXISTS = PrivateName(
    STREAMLIT,
    "streamlit.runtime",
    "exists",
    "to tell a served session from an AppTest's",
)
RUNTIME_INSTANCE = PrivateName(
    STREAMLIT,
    "streamlit.runtime",
    "get_instance",
    "to ask the server whether a session's browser is connected",
)
ACTIVE_SESSION = PrivateName(
    STREAMLIT,
    "streamlit.runtime.runtime",
    "Runtime.is_active_session",
    "to ask the server whether a session's browser is connected",
)


def session_id() -> str | None:
    """This session's id when a Streamlit server runs it, else ``None`` (``AppTest``)."""
    context = SCRIPT_RUN_CONTEXT.load()()
    return context.session_id if context is not None and RUNTIME_EXISTS.load()() else None


def is_connected(session_id: str) -> bool:
    """Whether the session's browser is connected; ``True`` when no server can tell."""
    ACTIVE_SESSION.load()  # the method called below is still there
    try:
        return bool(RUNTIME_INSTANCE.load()().is_active_session(session_id))
    except RuntimeError:  # no server: AppTest (its stand-in ended), or shutting down
        return True
