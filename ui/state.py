"""Session state: one namespace per page, defaults set once, nothing lost between pages.

Keys are ``"<page>.<name>"`` (``"data.lookback"``, ``"train.epochs"``). Widgets are created
with ``key=`` only and read their value from session state, whose defaults are set here with a
guard (``ensure``), so a default is never set twice and a widget never gets two defaults. Value
widgets pass ``persist_state="session"``, so their values survive page changes. Keys of buttons,
uploaders and download buttons, which session state cannot set, start with ``_``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import streamlit as st

NAMESPACES = (
    "app",
    "data",
    "model",
    "train",
    "states",
    "vanishing",
    "ablation",
    "sweeps",
    "runs",
)


def key(page: str, name: str) -> str:
    """The session-state key of ``name`` on ``page``, e.g. ``key("data", "lookback")``."""
    assert page in NAMESPACES, page
    return f"{page}.{name}"


def ensure(page: str, defaults: Mapping[str, Any]) -> None:
    """Set each ``page.name`` to its default unless it is already set."""
    for name, value in defaults.items():
        st.session_state.setdefault(key(page, name), value)


def ensure_fields(page: str, config: Any, names: Iterable[str] | None = None) -> None:
    """``ensure`` the fields of a frozen dataclass instance (the engine's own defaults)."""
    values = dataclasses.asdict(config)
    ensure(page, {n: values[n] for n in (names or values)})


def get(page: str, name: str, default: Any = None) -> Any:
    return st.session_state.get(key(page, name), default)


def put(page: str, name: str, value: Any) -> None:
    st.session_state[key(page, name)] = value


def drop(page: str, *names: str) -> None:
    for name in names:
        st.session_state.pop(key(page, name), None)


@contextlib.contextmanager
def all_or_nothing(*pages: str) -> Iterator[None]:
    """Undo every change to the keys of ``pages`` when the block raises, then re-raise.

    For settings applied in several steps (an imported experiment: the data, the windowing, the
    layers, the training), so that a step that fails leaves none of them applied. Use it where
    the widgets of those keys are not drawn yet (a callback, the start of a run): Streamlit
    refuses to set the key of a widget already drawn.
    """
    prefixes = tuple(key(page, "") for page in pages)
    before = {
        name: st.session_state[name] for name in st.session_state if name.startswith(prefixes)
    }
    try:
        yield
    except BaseException:
        for name in [name for name in st.session_state if name.startswith(prefixes)]:
            if name not in before:
                del st.session_state[name]
        for name, value in before.items():
            if st.session_state.get(name) is not value:
                st.session_state[name] = value
        raise


def keep_choice(page: str, name: str, options: list, fallback: Any = None) -> None:
    """Make ``page.name`` one of ``options`` before its selectbox is drawn.

    When the options change (another file is loaded), a stale choice would make Streamlit
    raise; it is replaced by ``fallback`` (default: the first option).
    """
    current = get(page, name)
    if current not in options:
        put(page, name, fallback if fallback in options else (options[0] if options else None))


def keep_choices(page: str, name: str, options: list, fallback: list | None = None) -> None:
    """``keep_choice`` for a multiselect: keep the still-valid choices, else ``fallback``."""
    current = [c for c in (get(page, name) or []) if c in options]
    put(page, name, current or [c for c in (fallback or []) if c in options])
