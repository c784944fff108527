"""Keras' session kept intact while a model trains in a background thread.

``keras.backend.clear_session()`` resets Keras' global state (for every thread) and, on
TensorFlow, clears the eager context's kernel cache. A host that calls it from another thread
while a job trains makes the training thread rebuild its kernels, and Streamlit does exactly
that after every script run (``ScriptRunner._clean_problem_modules``), so once a second while
the Train page follows a job. Measured on 2 cores: the demo job trained 1.7 times slower with
one call a second, and in the app (the progress rerun every second, the sidebar's every two,
and the browser on the same cores) 3.7 times slower than alone.

``training()`` marks a block that trains (``TrainingJob`` and ``CompareJob`` run their whole
thread in one). While any such block runs in the process, ``keras.backend.clear_session``
returns at once; with none running it clears as usual. Nothing is lost by skipping: every job
builds its own model, and a later call clears.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_training = 0  # blocks inside training(), over all threads
_installed = False


@contextlib.contextmanager
def training() -> Iterator[None]:
    """Within this block, ``keras.backend.clear_session()`` from any thread does nothing."""
    global _training
    _install()
    with _lock:
        _training += 1
    try:
        yield
    finally:
        with _lock:
            _training -= 1


def is_training() -> bool:
    """Whether a ``training()`` block is running in this process."""
    return _training > 0


def _install() -> None:
    """Replace ``keras.backend.clear_session`` (once per process) by a guarded call."""
    global _installed
    import keras

    with _lock:
        if _installed:
            return
        original = keras.backend.clear_session

        @functools.wraps(original)
        def clear_session(*args, **kwargs):
            if is_training():
                return None
            return original(*args, **kwargs)

        keras.backend.clear_session = clear_session
        _installed = True
