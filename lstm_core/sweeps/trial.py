"""One trial of a sweep, as a Ray worker runs it: train one cell kind, report each epoch.
(A training experiment's trial is ``lstm_core.sweeps.train_trial``.)

The worker writes nothing to the run store (SQLite has one writer, and on a cluster the store
is on another machine): it pushes each epoch to the sweep's ``Progress`` actor
(``lstm_core.sweeps.ray_backend``) and returns what it did, for the driver to keep. It polls the same actor for a stop after every epoch.

Each trial runs on one thread (``THREAD_ENV``, set by the driver as the task's environment
before TensorFlow or JAX start in the worker): N trials on N cores then scale, where N
trials each spreading over every core would fight for them.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from lstm_core import backend
from lstm_core.experiments.compare import run_compare
from lstm_core.experiments.task_windows import TASKS_WITH_WINDOWS

# One thread per trial: TensorFlow's own pools, OpenMP, and XLA's CPU backend (for JAX).
THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
}


def run_trial(config_dict: dict, key: str, progress) -> dict:
    """Train the one kind of ``config_dict`` (a ``CompareConfig.to_dict()``); return the result.

    Args:
        config_dict: the trial's settings, one kind in ``kinds``.
        key: the trial's key, with which its epochs are reported.
        progress: the sweep's ``ray_backend.Channel`` to the ``Progress`` actor (``push``,
            ``stopping``).

    Returns:
        ``{"summary": CompareResult.summary()[0], "loss": [...], "val_loss": [...],
        "model": bytes | None, "stopped": bool, "pid": int}``: ``model`` the trained model's
        ``.keras`` file on a task the States page opens (``TASKS_WITH_WINDOWS``), else None.
    """
    from lstm_core.experiments.config import CompareConfig

    config = CompareConfig.from_dict(config_dict)
    kind = config.kinds[0]
    progress.push.remote(key, 0, {"pid": os.getpid(), "started": time.time()})

    def on_epoch(_kind: str, epoch: int, val_loss: float) -> None:
        progress.push.remote(key, epoch, {"val_loss": val_loss})

    models = {}

    def on_trained(_kind: str, model) -> None:
        if config.task in TASKS_WITH_WINDOWS:  # a model the States page can open
            models["model"] = keras_bytes(model)

    result = run_compare(config, on_epoch, stop_poller(progress), on_trained=on_trained)
    cell = result.results.get(kind)
    return {
        "summary": result.summary()[0] if cell else None,
        "loss": cell.loss if cell else [],
        "val_loss": cell.val_loss if cell else [],
        "model": models.get("model"),
        "stopped": result.stopped,
        "pid": os.getpid(),
    }


def keras_bytes(model) -> bytes:
    """``model`` as the bytes of its ``.keras`` file, for the driver to keep in the store."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        backend.save_model(model, path)  # on JAX without loading TensorFlow
        return path.read_bytes()


def stop_poller(progress):
    """``should_stop()`` for a trial: whether the sweep's ``Progress`` actor says stop.

    Never waits on the actor: a Ray task blocked in ray.get, or in ray.wait on a reply not yet
    there (even with timeout=0), gives its CPU back and Ray starts another trial on it, so
    2 CPUs would run 3 trials. It asks, and reads the answer through a future once it has come
    (a stop is seen a poll later at worst).
    """
    asked = [progress.stopping.remote().future()]

    def should_stop() -> bool:
        if not asked[0].done():
            return False
        stop = asked[0].result()
        asked[0] = progress.stopping.remote().future()
        return stop

    return should_stop
