"""This session's background jobs: the training job and the vanishing-gradient comparison.

Jobs live in a registry in session state, so training goes on while the visitor moves between
pages, and each page finds its job again. When the session ends (the tab is closed), its jobs
are stopped, so no orphan thread keeps burning CPU:

- a watchdog thread stops the jobs of a session whose browser has been gone for longer than
  Streamlit's session timeout, ``server.disconnectedSessionTTL`` (a session that reconnects
  sooner, after a network blip, keeps its jobs). Streamlit forgets an expired session only
  when another session connects or leaves, so its clean-up alone could leave a job running
  for hours on a quiet server;
- when Streamlit drops the session's state, the registry is garbage-collected and a finalizer
  stops its jobs; this also covers sessions run without a server (``AppTest``).
"""

from __future__ import annotations

import threading
import time
import weakref

import streamlit as st

from lstm_core.errors import ConfigError
from ui import streamlit_private
from ui.errors import show_error

ACTIVE = ("pending", "running")
WATCH_INTERVAL_S = 1.0  # how often the watchdog looks for ended sessions

_watched: weakref.WeakSet[JobRegistry] = weakref.WeakSet()  # registries of served sessions
_watch_lock = threading.Lock()
_watchdog: threading.Thread | None = None


def _stop_all(jobs: dict) -> None:
    for job in list(jobs.values()):
        job.stop()


class JobRegistry:
    """The jobs of one browser session, by name (``"train"``, ``"vanishing"``).

    Args:
        session_id: the Streamlit session the jobs belong to, watched so that its jobs stop
            when it ends; ``None`` for a session without a server.
    """

    def __init__(self, session_id: str | None = None) -> None:
        self._jobs: dict[str, object] = {}
        self.session_id = session_id
        # The finalizer holds the dict, not the registry, so it does not keep it alive.
        weakref.finalize(self, _stop_all, self._jobs)
        if session_id is not None:
            _watch(self)

    def get(self, name: str):
        return self._jobs.get(name)

    def put(self, name: str, job) -> None:
        self._jobs[name] = job

    def start_alone(self, name: str, job):
        """Start ``job`` as the session's ``name`` job, unless that one still runs; return it.

        For a job that must not be replaced while it runs (a sweep: a second one would leave
        the first running out of reach, its Stop button gone). A second click on Start sent
        before the page drew it disabled lands here.

        Raises:
            ConfigError: the session's ``name`` job is pending or running.
        """
        running = self._jobs.get(name)
        if is_active(running):
            raise ConfigError(
                f"A {running.kind} is running already ({running.describe(running.snapshot())}); "
                f"stop it, or wait for it to end, before starting another {job.kind}."
            )
        job.start()
        self._jobs[name] = job
        return job

    def items(self) -> list[tuple[str, object]]:
        """Every job of the session, ``(name, job)``, in the order they were put."""
        return list(self._jobs.items())

    def forget(self, name: str) -> None:
        self._jobs.pop(name, None)

    def stop_all(self) -> None:
        _stop_all(self._jobs)


def registry() -> JobRegistry:
    """This session's registry, created on first use."""
    if "app.jobs" not in st.session_state:
        st.session_state["app.jobs"] = JobRegistry(streamlit_private.session_id())
    return st.session_state["app.jobs"]


def is_active(job) -> bool:
    """Whether ``job`` (any ``lstm_core.jobs.Job``) is still pending or running."""
    return job is not None and job.snapshot().status in ACTIVE


def _watch(jobs: JobRegistry) -> None:
    """Have the watchdog (started on first use, one per process) look after ``jobs``."""
    global _watchdog
    with _watch_lock:
        _watched.add(jobs)
        if _watchdog is None:
            _watchdog = threading.Thread(target=_patrol, name="lstm-lab-sessions", daemon=True)
            _watchdog.start()


def _patrol() -> None:
    """Forever: stop the jobs of every session gone for longer than the session timeout."""
    gone_since: dict[str, float] = {}  # session id -> when it was first seen disconnected
    while True:
        time.sleep(WATCH_INTERVAL_S)
        timeout = float(st.get_option("server.disconnectedSessionTTL"))
        now = time.monotonic()
        with _watch_lock:
            registries = list(_watched)
        for jobs in registries:
            if streamlit_private.is_connected(jobs.session_id):
                gone_since.pop(jobs.session_id, None)
            elif now - gone_since.setdefault(jobs.session_id, now) >= timeout:
                jobs.stop_all()
                gone_since.pop(jobs.session_id)
                with _watch_lock:
                    _watched.discard(jobs)


# --- what the Train and Vanishing-gradient pages share about a background job ---------------


def start_stop_buttons(
    page: str,
    start_label: str,
    stop_label: str,
    start_job,
    current_job,
    *,
    active: bool,
    can_start: bool = True,
) -> None:
    """A page's Start and Stop buttons for its background job, and the error of the last
    start, if it failed.

    Args:
        page: the page's namespace: the buttons' keys are ``_<page>.start`` and
            ``_<page>.stop``, and a failed start's error is kept in ``<page>.start_error``.
        start_job: called by Start; returns the started job (an error it raises is shown).
        current_job: returns the page's job, for Stop.
        active: whether the job is pending or running (Start off, Stop on).
        can_start: whether Start may be pressed when no job runs.
    """
    error_key = f"{page}.start_error"
    left, right, _ = st.columns([1, 1, 3])
    left.button(
        start_label,
        type="primary",
        icon=":material/play_arrow:",
        key=f"_{page}.start",
        disabled=active or not can_start,
        on_click=start_and_keep_error,
        args=(start_job, error_key),
    )
    right.button(
        stop_label,
        icon=":material/stop:",
        key=f"_{page}.stop",
        disabled=not active,
        on_click=stop_current,
        args=(current_job,),
    )
    if error_key in st.session_state:
        show_error(st.session_state.pop(error_key))


def start_and_keep_error(start_job, error_key: str) -> None:
    """A Start button's callback: run ``start_job()``; keep its error for the next run to show.

    Callbacks run before the page, so the page shows ``st.session_state[error_key]`` beside
    its Start button.
    """
    try:
        start_job()
    except Exception as error:
        st.session_state[error_key] = error


def stop_current(current_job) -> None:
    """A Stop button's callback: stop ``current_job()``'s job, if there is one."""
    job = current_job()
    if job is not None:
        job.stop()


LIVE_REFRESH_S = 1.0  # how often a live view of a running job redraws: pages and sidebar alike


@st.fragment(run_every=LIVE_REFRESH_S)
def follow(job, draw) -> None:
    """Redraw ``draw(job.snapshot())`` every ``LIVE_REFRESH_S``; a full rerun shows the
    results at the end."""
    snapshot = job.snapshot()
    draw(snapshot)
    if snapshot.done:
        st.rerun()
