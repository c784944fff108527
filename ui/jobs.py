"""This session's background jobs: the training job and the vanishing-gradient comparison.

Jobs live in a registry in session state, so training goes on while the visitor moves between
pages, and each page finds its job again. When the session ends (the tab is closed and
Streamlit drops its state) the registry is garbage-collected and a finalizer stops its jobs, so
no orphan thread keeps burning CPU.
"""

from __future__ import annotations

import weakref

import streamlit as st

ACTIVE = ("pending", "running")


def _stop_all(jobs: dict) -> None:
    for job in list(jobs.values()):
        job.stop()


class JobRegistry:
    """The jobs of one browser session, by name (``"train"``, ``"vanishing"``)."""

    def __init__(self) -> None:
        self._jobs: dict[str, object] = {}
        # The finalizer holds the dict, not the registry, so it does not keep it alive.
        weakref.finalize(self, _stop_all, self._jobs)

    def get(self, name: str):
        return self._jobs.get(name)

    def put(self, name: str, job) -> None:
        self._jobs[name] = job

    def forget(self, name: str) -> None:
        self._jobs.pop(name, None)


def registry() -> JobRegistry:
    """This session's registry, created on first use."""
    if "app.jobs" not in st.session_state:
        st.session_state["app.jobs"] = JobRegistry()
    return st.session_state["app.jobs"]


def is_active(job) -> bool:
    """Whether ``job`` (a training or comparison job) is still pending or running."""
    return job is not None and job.snapshot().status in ACTIVE
