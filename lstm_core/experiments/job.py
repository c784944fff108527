"""``CompareJob``: ``compare_cells`` in a background thread, watched by a page or a terminal.

Like ``lstm_core.train.TrainingJob``: ``snapshot()`` is safe from any thread at any time,
``stop()`` ends the comparison after the epoch in progress, and nothing raised in the thread
reaches the caller: it ends the job as ``"failed"`` with its message.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from lstm_core import keras_session
from lstm_core.errors import ConfigError
from lstm_core.experiments.compare import CompareResult, run_compare
from lstm_core.experiments.config import CompareConfig, check_compare
from lstm_core.experiments.tasks import task_baseline
from lstm_core.settings import Limits, load_limits

ENDED = ("finished", "stopped", "failed")

# Comparisons started and not yet ended in this process, for Limits.max_concurrent_jobs.
_running: set[CompareJob] = set()
_running_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class CompareSnapshot:
    """A comparison's progress at one moment; a copy, safe to keep and read."""

    status: str  # "pending" | "running" | "finished" | "stopped" | "failed"
    epochs: int  # epochs per kind
    kinds: tuple[str, ...]  # every kind of the comparison, in training order
    val_loss: dict[str, list[float]]  # kind -> validation loss after each finished epoch
    baseline: float  # the remember-nothing loss to draw the curves against
    elapsed_s: float  # seconds since start()
    error: str | None  # why the job failed
    result: CompareResult | None  # once ended, unless it failed

    @property
    def kind(self) -> str | None:
        """The kind training now (the first with epochs left) while running, else None."""
        if self.status != "running":
            return None
        return next((k for k in self.kinds if len(self.val_loss[k]) < self.epochs), None)

    @property
    def progress(self) -> float:
        """Fraction of all epochs of all kinds finished, in [0, 1]."""
        total = max(1, self.epochs * len(self.kinds))
        return sum(len(losses) for losses in self.val_loss.values()) / total

    @property
    def done(self) -> bool:
        return self.status in ENDED


def active_jobs() -> list[CompareJob]:
    """The comparisons started and not yet ended in this process."""
    with _running_lock:
        return list(_running)


class CompareJob:
    """Run ``compare_cells`` with ``config`` in a daemon thread, with progress and a stop.

    Args:
        config: a ``CompareConfig``; checked here (ranges, memory), so a bad one fails before
            anything starts.
        limits: the app's limits; default ``load_limits()``.

    Concurrency: at most ``limits.max_concurrent_jobs`` comparisons run at once in a process;
    ``start()`` beyond that raises ``ConfigError``.

    Example:

    >>> job = CompareJob(CompareConfig(timesteps=50, epochs=5)).start()  # doctest: +SKIP
    >>> job.snapshot().progress  # doctest: +SKIP
    >>> job.wait().result.to_dict()  # doctest: +SKIP
    """

    def __init__(self, config: CompareConfig, *, limits: Limits | None = None):
        self._limits = limits or load_limits()
        self.config = check_compare(config, self._limits)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = "pending"
        self._started: float | None = None
        self._val_loss: dict[str, list[float]] = {kind: [] for kind in config.kinds}
        self._error: str | None = None
        self._result: CompareResult | None = None

    def start(self) -> CompareJob:
        """Start the comparison in a daemon thread; return the job.

        Raises:
            ConfigError: when ``limits.max_concurrent_jobs`` comparisons are running already.
        """
        with _running_lock:
            if self._thread is not None:
                raise RuntimeError("This comparison was started already; make a new one.")
            cap = self._limits.max_concurrent_jobs
            if len(_running) >= cap:
                raise ConfigError(
                    f"{len(_running)} comparisons are already running (the limit is {cap}, "
                    "LSTM_LAB_MAX_CONCURRENT_JOBS); wait for one to finish or stop one."
                )
            _running.add(self)
            with self._lock:
                self._status, self._started = "running", time.monotonic()
            self._thread = threading.Thread(target=self._run, name="lstm-lab-compare", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> CompareSnapshot:
        """Ask the comparison to stop after the epoch in progress; no further kind starts."""
        self._stop.set()
        return self.snapshot()

    def wait(self, timeout: float | None = None) -> CompareSnapshot:
        """Wait until the job ends, or ``timeout`` seconds; return its snapshot."""
        self._done.wait(timeout)
        return self.snapshot()

    def snapshot(self) -> CompareSnapshot:
        """The job's progress now; safe from any thread."""
        with self._lock:
            return CompareSnapshot(
                status=self._status,
                epochs=self.config.epochs,
                kinds=self.config.kinds,
                val_loss={kind: list(losses) for kind, losses in self._val_loss.items()},
                baseline=task_baseline(self.config.task, self.config.timesteps),
                elapsed_s=0.0 if self._started is None else time.monotonic() - self._started,
                error=self._error,
                result=self._result,
            )

    def _on_epoch(self, kind: str, epoch: int, val_loss: float) -> None:
        with self._lock:
            self._val_loss[kind].append(val_loss)

    def _run(self) -> None:
        status, error, result = "failed", None, None
        try:
            with keras_session.training():  # a host's clear_session() is skipped meanwhile
                result = run_compare(self.config, self._on_epoch, self._stop.is_set)
            status = "stopped" if result.stopped else "finished"
        except Exception as exc:  # shown as the job's status, never lost in the thread
            error = f"{type(exc).__name__}: {exc}"
        finally:
            with self._lock:
                self._status, self._error, self._result = status, error, result
            with _running_lock:
                _running.discard(self)
            self._done.set()
