"""Show errors as messages, never as tracebacks.

Every call from a page into ``lstm_core`` that a user's choice can make fail goes through
``attempt``: an ``lstm_core.errors.LabError`` is shown as its message (which names the input,
what was expected and the fix); anything else is a bug, shown as one short line while the
traceback goes to the server log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from lstm_core.errors import LabError
from ui.text import escape_markdown

T = TypeVar("T")
log = logging.getLogger("lstm_lab.ui")


def error_message(exc: BaseException) -> str:
    """The text to show for ``exc``: a LabError's own message, else a short generic line."""
    if isinstance(exc, LabError):
        return str(exc)
    return (
        f"Something went wrong ({type(exc).__name__}). This is a bug in LSTM Lab, not in "
        "your input; the details are in the server log. Try again, or change a setting."
    )


def show_error(exc: BaseException, where: Any = None, prefix: str = "") -> None:
    """Show ``exc`` as an error box in ``where`` (a container; default: here), after
    ``prefix`` (what failed, e.g. ``"data.csv was not loaded: "``).

    The message is escaped, because it may quote a user's column or file name.
    """
    if not isinstance(exc, LabError):
        log.error("Unexpected error in the dashboard", exc_info=exc)
    (st if where is None else where).error(
        escape_markdown(prefix + error_message(exc)), icon=":material/error:"
    )


def attempt(fn: Callable[..., T], *args: Any, where: Any = None, **kwargs: Any) -> T | None:
    """``fn(*args, **kwargs)``, or ``None`` after showing the error it raised in ``where``."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # Streamlit's rerun/stop signals are BaseException: they pass.
        show_error(exc, where)
        return None
