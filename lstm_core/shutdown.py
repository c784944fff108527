"""A clean end for a serving process: stop every job, keep its run, close the stores, exit 0.

A Streamlit server stopped with SIGTERM or SIGINT (Ctrl-C) stops its event loop and returns
from its main function; the interpreter then runs its exit hooks, among them the one
``install`` registers. It interrupts every job of the process (``lstm_core.jobs.active_jobs``:
each training run ends as ``"interrupted"`` with every epoch completed so far), waits for them
briefly, marks as interrupted any run whose job did not end in time (one busy compiling), closes
the run stores, and ends the process with status 0 through ``os._exit``.

Why ``os._exit``: the interpreter's own clean-up after the exit hooks tears down modules
while TensorFlow's threads (its thread pools, a ``fit`` still unwinding in a daemon thread)
may still run, which can crash it (a segmentation fault was seen at SIGTERM during training).
Every write that matters is committed by then, so nothing is lost by skipping that clean-up.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
import threading
import time
import weakref

from lstm_core.errors import LabError

JOB_WAIT_S = 4.0  # how long the running jobs get to stop (one train-function call each)
EXIT_OK = 0
SHUT_DOWN = "The server shut down."  # the error kept with a run marked interrupted here

_stores: weakref.WeakSet = weakref.WeakSet()  # run stores to close at exit
_installed = False
_install_lock = threading.Lock()
_log = logging.getLogger(__name__)


def install() -> None:
    """Run ``exit_cleanly`` when the interpreter exits; calling it again does nothing.

    It is registered with ``threading``'s own exit hooks, which run when the main thread ends
    and before the interpreter waits for the threads that are not daemons: a thread pool's
    worker busy feeding ``fit`` is one, and the wait for it would outlast the training.
    ``atexit`` hooks run only after that wait.
    """
    global _installed
    with _install_lock:
        if _installed:
            return
        register = getattr(threading, "_register_atexit", atexit.register)
        register(exit_cleanly)
        _installed = True


def close_at_exit(store) -> None:
    """Have ``exit_cleanly`` close ``store`` (a ``RunStore``) too."""
    _stores.add(store)


def stop_jobs(timeout: float = JOB_WAIT_S) -> list[str]:
    """Interrupt every job of this process (``lstm_core.jobs.active_jobs``) and wait up to
    ``timeout`` seconds for those keeping a run.

    Returns:
        The ids of the runs whose job did not end in time, marked ``"interrupted"`` here.
    """
    from lstm_core.jobs import active_jobs

    jobs = active_jobs()
    for job in jobs:
        job.interrupt()
    # A job whose run is not created yet (still importing TensorFlow) has nothing to keep.
    keeping = [job for job in jobs if _recorder(job) is not None]
    deadline = time.monotonic() + timeout
    for job in keeping:
        job.wait(max(0.0, deadline - time.monotonic()))
    late = []
    for job in keeping:
        recorder = _recorder(job)
        _stores.add(recorder.store)
        if job.snapshot().done:
            continue
        try:
            recorder.store.finish_run(recorder.run_id, "interrupted", error=SHUT_DOWN)
        except LabError as error:
            _log.warning("Run %s could not be marked interrupted: %s", recorder.run_id, error)
        late.append(recorder.run_id)
    return late


def _recorder(job):
    """The job's ``RunRecorder`` once its run exists, else None."""
    recorder = getattr(job, "recorder", None)
    return recorder if recorder is not None and recorder.run_id is not None else None


def exit_cleanly() -> None:
    """Stop the jobs, close the stores, flush the output, and end the process with status 0."""
    try:
        stop_jobs()
        for store in list(_stores):
            store.close()
        logging.shutdown()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # closed already
                stream.flush()
        os._exit(EXIT_OK)
