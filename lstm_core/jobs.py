"""The job runtime: one base for background jobs, and one process-wide cap on what runs.

Two things every long computation shares, whatever it computes (training, a cell comparison,
a gradient measurement, and kinds still to come):

- **A slot.** ``take_slot(name, limits)`` takes one of the process's
  ``Limits.max_concurrent_jobs`` slots, or raises ``ConfigError`` naming
  ``LSTM_LAB_MAX_CONCURRENT_JOBS``: a job over the cap is refused, not queued. There is one
  registry for the whole process, so the cap a host budgets for (jobs x
  ``LSTM_LAB_MEMORY_BUDGET_MB``) holds whatever mix of kinds runs. A computation that runs in
  the caller's thread takes its slot with ``with take_slot(...):``.
- **A thread.** ``Job`` runs ``_work()`` in a daemon thread and publishes its progress through
  a lock: ``snapshot()`` is safe from any thread at any time; ``stop()`` asks the work to end
  at its next stop point; ``interrupt()`` does the same because the process is shutting down
  (``lstm_core.shutdown`` interrupts every job of ``active_jobs()``), and the work then ends
  at once, as ``"interrupted"``; ``wait(timeout)`` returns the snapshot. Nothing raised in the thread
  reaches the caller: the job ends as ``"failed"`` with ``failure_text(exc)``.

A kind of job is a subclass that says what it is (``kind``), does its work (``_work``), and
copies its progress (``_snapshot``). What it writes to the run store is a recorder it is given
(``lstm_core.train.recorder``), not code inside the job.
"""

from __future__ import annotations

import threading
import time

from lstm_core import keras_session
from lstm_core.errors import ConfigError, LabError
from lstm_core.settings import Limits, load_limits

ACTIVE = ("pending", "running")
ENDED = ("finished", "stopped", "failed", "interrupted")
MAX_FAILURE_CHARS = 300  # a failure is shown in one line of a page or a terminal


class Slot:
    """One of the process's concurrent-job slots, held until ``release()`` (or the end of a
    ``with`` block); releasing twice is harmless."""

    def __init__(self, registry: SlotRegistry, name: str) -> None:
        self._registry = registry
        self.name = name  # what holds it, e.g. "training", shown when another is refused

    def release(self) -> None:
        self._registry.release(self)

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


class SlotRegistry:
    """The slots held in one process, capped by ``Limits.max_concurrent_jobs``."""

    def __init__(self) -> None:
        self._held: list[Slot] = []
        self._lock = threading.Lock()

    def take(self, name: str, limits: Limits | None = None) -> Slot:
        """A slot for ``name`` (``"training"``, ``"comparison"``, ...).

        Raises:
            ConfigError: when ``limits.max_concurrent_jobs`` slots are held already.
        """
        cap = (limits or load_limits()).max_concurrent_jobs
        with self._lock:
            if len(self._held) >= cap:
                held = ", ".join(slot.name for slot in self._held)
                count = "1 job is" if len(self._held) == 1 else f"{len(self._held)} jobs are"
                raise ConfigError(
                    f"{count} already running (the limit is {cap}, "
                    f"LSTM_LAB_MAX_CONCURRENT_JOBS): {held}; wait for one to finish or stop "
                    f"one before starting a {name}."
                )
            slot = Slot(self, name)
            self._held.append(slot)
            return slot

    def release(self, slot: Slot) -> None:
        with self._lock:
            if slot in self._held:
                self._held.remove(slot)

    def held(self) -> tuple[str, ...]:
        """The names of the slots held now, oldest first."""
        with self._lock:
            return tuple(slot.name for slot in self._held)


SLOTS = SlotRegistry()  # the one registry of the process
_active: set[Job] = set()  # jobs started and not yet ended, for a shutdown to interrupt
_active_lock = threading.Lock()


def take_slot(name: str, limits: Limits | None = None) -> Slot:
    """Take a slot of the process-wide cap for ``name``; see ``SlotRegistry.take``."""
    return SLOTS.take(name, limits)


def running_jobs() -> int:
    """How many slots are held in this process, by jobs of every kind."""
    return len(SLOTS.held())


def active_jobs() -> list[Job]:
    """The jobs of every kind started and not yet ended in this process."""
    with _active_lock:
        return list(_active)


def failure_text(exc: BaseException) -> str:
    """How a job reports what ended it: a ``LabError``'s own message (it names the fix),
    else ``"TypeName: first line of the message"``; one line, at most 300 characters."""
    if isinstance(exc, LabError):
        text = " ".join(str(exc).split())
    else:
        lines = str(exc).strip().splitlines()
        text = f"{type(exc).__name__}: {lines[0] if lines else 'no message'}"
    if len(text) <= MAX_FAILURE_CHARS:
        return text
    return text[: MAX_FAILURE_CHARS - 3] + "..."


class Job:
    """A computation in a daemon thread, under the process-wide cap; subclass it.

    A subclass sets ``kind`` and implements ``_work()`` (run in the thread; returns
    ``"finished"``, or ``"stopped"`` when it saw ``stopping``) and ``_snapshot()`` (called
    with the lock held; returns a frozen copy of the progress with a ``done`` property). It may
    override ``_finish(status, error)``, run in the thread before the end is published (to
    record the end; it returns the status and error to publish), and ``describe(snapshot)``.

    Args:
        limits: the app's limits; default ``load_limits()``.
    """

    kind = "job"  # what the job does, in a word: its slot's name and the sidebar's label

    def __init__(self, limits: Limits | None = None) -> None:
        self._limits = limits or load_limits()
        self._lock = threading.Lock()  # guards everything a snapshot reads
        self._done = threading.Event()
        self._stopping = threading.Event()
        self._interrupted = threading.Event()
        self._thread: threading.Thread | None = None
        self._slot: Slot | None = None
        # "pending" | "running" | "finished" | "stopped" | "failed" | "interrupted"
        self._status = "pending"
        self._error: str | None = None
        self._started: float | None = None  # time.monotonic() at start()
        self._ended: float | None = None

    def start(self):
        """Take a slot and start the work in a daemon thread; return the job.

        A thread that cannot start (the process has too many: ``RuntimeError: can't start
        new thread``) ends the job at once as ``"failed"`` with that reason, its slot free.

        Raises:
            ConfigError: when ``limits.max_concurrent_jobs`` jobs run already (any kind).
            RuntimeError: when the job was started before.
        """
        with self._lock:
            if self._slot is not None:
                raise RuntimeError(f"This {self.kind} job was started already; make a new one.")
            self._slot = take_slot(self.kind, self._limits)
            self._status, self._started = "running", time.monotonic()
        with _active_lock:
            _active.add(self)
        self._thread = threading.Thread(target=self._run, name=f"lstm-lab-{self.kind}", daemon=True)
        try:
            self._thread.start()
        except Exception as exc:  # noqa: BLE001 - reported as the job's failure, like _work's
            self._conclude("failed", f"The {self.kind} thread did not start: {failure_text(exc)}")
        return self

    def stop(self):
        """Ask the work to stop at its next stop point; return the snapshot at the request."""
        self._stopping.set()
        return self.snapshot()

    def interrupt(self) -> None:
        """Stop because the process is shutting down: like ``stop()``, and the work ends as
        ``"interrupted"`` without its closing steps (a test pass, saving a model), which could
        not be trusted to finish in time."""
        self._interrupted.set()
        self._stopping.set()

    @property
    def interrupted(self) -> bool:
        """Whether ``interrupt()`` was called; the work polls it where it would go on."""
        return self._interrupted.is_set()

    @property
    def stopping(self) -> bool:
        """Whether ``stop()`` was called; the work polls it."""
        return self._stopping.is_set()

    def wait(self, timeout: float | None = None):
        """Wait until the job ends, or ``timeout`` seconds; return its snapshot."""
        self._done.wait(timeout)
        return self.snapshot()

    def snapshot(self):
        """The job's progress now; safe from any thread."""
        with self._lock:
            return self._snapshot()

    def describe(self, snapshot) -> str:
        """One line on the job for a list of jobs, e.g. ``"Training: running, epoch 3/20"``."""
        return f"{self.kind.capitalize()}: {snapshot.status}"

    def _elapsed(self, now: float) -> float:
        """Seconds since ``start()``, to the end once ended; call with the lock held."""
        return 0.0 if self._started is None else (self._ended or now) - self._started

    def _snapshot(self):
        raise NotImplementedError

    def _work(self) -> str:
        raise NotImplementedError

    def _finish(self, status: str, error: str | None) -> tuple[str, str | None]:
        return status, error

    def _run(self) -> None:
        status, error = "failed", None
        try:
            with keras_session.training():  # a host's clear_session() is skipped meanwhile
                status = self._work()
        except Exception as exc:  # noqa: BLE001 - a job reports every failure, never raises
            error = failure_text(exc)
        finally:
            self._conclude(status, error)

    def _conclude(self, status: str, error: str | None) -> None:
        """Record the end (``_finish``), publish it, free the slot, then wake the waiters."""
        try:
            status, error = self._finish(status, error)
        except Exception as exc:  # noqa: BLE001 - recording the end failed: say so
            status, error = "failed", failure_text(exc)
        finally:
            with self._lock:
                self._status, self._error = status, error
                self._ended = time.monotonic()
            self._slot.release()
            with _active_lock:
                _active.discard(self)
            self._done.set()
