"""``CompareJob``: ``compare_cells`` in a background thread, watched by a page or a terminal.

A ``lstm_core.jobs.Job`` like ``lstm_core.train.TrainingJob``: it runs under the process-wide
cap on concurrent jobs, ``snapshot()`` is safe from any thread at any time, ``stop()`` ends the
comparison after the epoch in progress, and nothing raised in the thread reaches the caller: it
ends the job as ``"failed"`` with its message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from lstm_core.experiments.compare import CompareResult, run_compare
from lstm_core.experiments.config import CompareConfig, check_compare
from lstm_core.experiments.tasks import task_baseline
from lstm_core.jobs import ENDED, Job
from lstm_core.settings import Limits


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


class CompareJob(Job):
    """Run ``compare_cells`` with ``config`` in a daemon thread, with progress and a stop.

    Args:
        config: a ``CompareConfig``; checked here (ranges, memory), so a bad one fails before
            anything starts.
        limits: the app's limits; default ``load_limits()``.

    Concurrency: at most ``limits.max_concurrent_jobs`` jobs of any kind run at once in a
    process (``lstm_core.jobs``); ``start()`` beyond that raises ``ConfigError``.

    Example:

    >>> job = CompareJob(CompareConfig(timesteps=50, epochs=5)).start()  # doctest: +SKIP
    >>> job.snapshot().progress  # doctest: +SKIP
    >>> job.wait().result.to_dict()  # doctest: +SKIP
    """

    kind = "comparison"

    def __init__(self, config: CompareConfig, *, limits: Limits | None = None):
        super().__init__(limits)
        self.config = check_compare(config, self._limits)
        self._val_loss: dict[str, list[float]] = {kind: [] for kind in config.kinds}
        self._result: CompareResult | None = None

    def stop(self) -> CompareSnapshot:
        """Ask the comparison to stop after the epoch in progress; no further kind starts."""
        return super().stop()

    def describe(self, snapshot: CompareSnapshot) -> str:
        return f"Vanishing-gradient lab: {snapshot.status}, {snapshot.progress:.0%}"

    def _snapshot(self) -> CompareSnapshot:
        return CompareSnapshot(
            status=self._status,
            epochs=self.config.epochs,
            kinds=self.config.kinds,
            val_loss={kind: list(losses) for kind, losses in self._val_loss.items()},
            baseline=task_baseline(self.config.task, self.config.timesteps),
            elapsed_s=self._elapsed(time.monotonic()),
            error=self._error,
            result=self._result,
        )

    def _on_epoch(self, kind: str, epoch: int, val_loss: float) -> None:
        with self._lock:
            self._val_loss[kind].append(val_loss)

    def _work(self) -> str:
        result = run_compare(self.config, self._on_epoch, lambda: self.stopping)
        with self._lock:
            self._result = result
        return "stopped" if result.stopped else "finished"
