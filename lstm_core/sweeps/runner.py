"""``SweepJob``: a sweep's trials on Ray, each kept in the run store as it finishes.

A ``lstm_core.jobs.Job``: it takes one slot of the process-wide cap like any other job, runs
in a daemon thread, and ``snapshot()`` is safe from any thread. Its thread is the sweep's
*driver*: the only writer of the run store (SQLite has one writer; on a cluster the store is
not even on the workers' machines). Each trial becomes one run linked to its sweep
(``RunStore.create_sweep``), created when its worker starts, given each epoch as the worker
reports it (``lstm_core.sweeps.trial``), and ended with the trial.

- **Resume**: ``SweepJob.resume(store, sweep_id)`` runs the trials that have no finished run;
  the run of a trial that stopped or failed is replaced by the new attempt (one run per trial).
- **Stop**: pending trials are cancelled (no run); running ones stop after their epoch in
  progress, and their runs keep the epochs done, as ``"stopped"``.
- **Failures**: a trial that raises, and one whose worker process dies, end as ``"failed"``
  with the reason; the others go on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from lstm_core.experiments.config import model_spec
from lstm_core.jobs import ENDED, Job, failure_text
from lstm_core.runs import LOCAL_WORKSPACE
from lstm_core.settings import Limits
from lstm_core.sweeps import training
from lstm_core.sweeps.spec import SweepSpec, Trial, check_sweep, config_document
from lstm_core.sweeps.train_trial import run_training_trial
from lstm_core.sweeps.trial import run_trial

POLL_S = 0.2  # how often the driver drains the trials' epochs into the store
WORKER_DIED = (
    "The worker process running this trial died (killed, or out of memory); the other trials "
    "went on. Resume the sweep to run it again."
)


@dataclass
class TrialState:
    """One trial as the driver sees it; copied into every snapshot."""

    key: str  # the trial's key, e.g. "kind=lstm,timesteps=100,seed=0"
    values: dict  # axis -> value, and "seed"
    status: str = "pending"  # "pending", "running", or how its run ended
    val_loss: list[float] = field(default_factory=list)  # after each epoch reported
    run_id: str | None = None  # its run in the store, once started
    # CompareResult.summary()'s row, or a training trial's (training.summary_of), once it
    # ended with a result
    summary: dict | None = None
    error: str | None = None  # why it failed

    def to_dict(self) -> dict:
        summary = self.summary or {}
        return {
            "trial": self.key,
            "settings": dict(self.values),
            "status": self.status,
            "val_loss": self.val_loss[-1] if self.val_loss else None,
            "epochs": len(self.val_loss),
            "baseline": summary.get("baseline"),
            "solved": summary.get("solved"),
            "reach_after": summary.get("reach_after"),
            "skill": summary.get("skill"),  # training: test skill vs naive (or majority)
            "wall_s": summary.get("wall_s"),  # seconds training and validating (no profiles)
            "run_id": self.run_id,
            "error": self.error,
        }


@dataclass(frozen=True, eq=False)
class SweepSnapshot:
    """A sweep's progress at one moment; a copy, safe to keep and read."""

    status: str  # "pending" | "running" | "finished" | "stopped" | "failed" | "interrupted"
    sweep_id: str | None  # its id in the run store, once its work started
    trials: tuple[dict, ...]  # TrialState.to_dict() of every trial, in the spec's order
    elapsed_s: float  # seconds since start()
    error: str | None  # why the sweep failed

    @property
    def done(self) -> bool:
        return self.status in ENDED

    def count(self, status: str) -> int:
        """How many trials are in ``status``."""
        return sum(trial["status"] == status for trial in self.trials)


class SweepJob(Job):
    """Run ``spec``'s trials on Ray in a daemon thread, keeping each in ``store``.

    Args:
        spec: a ``SweepSpec``; checked here (axes, seeds, the trial cap, every trial).
        store: the ``RunStore`` its sweep and runs go to.
        workspace: the store's workspace.
        sweep_id: an existing sweep of ``store`` to continue (see ``resume``); default a new one.
        address: a Ray cluster's address; default ``$RAY_ADDRESS``, else a local instance.
        num_cpus: CPUs of a local Ray instance; default this machine's cores, at most the
            job slots of ``limits`` (``ray_backend.local_cpus``).
        trial_fn: what a worker runs, ``trial_fn(config_dict, key, progress) -> dict`` (a
            training sweep's also gets the data's rows); default
            ``lstm_core.sweeps.trial.run_trial``, or ``train_trial.run_training_trial`` for a
            training base (tests give faulty ones).
        rows: a training base's rows (a ``DataFrame``) when its data is a file; a sample is
            loaded by name.
        limits: the app's limits; default ``load_limits()``.

    Raises:
        LabError: the spec is not valid, or a training base's file was not given (``rows``).
    """

    kind = "sweep"

    def __init__(
        self,
        spec: SweepSpec,
        store,
        *,
        workspace: str = LOCAL_WORKSPACE,
        sweep_id: str | None = None,
        address: str | None = None,
        num_cpus: int | None = None,
        trial_fn=None,
        rows=None,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(limits)
        self.spec = check_sweep(spec, self._limits)
        self.store, self.workspace = store, workspace
        self.sweep_id = sweep_id  # a new sweep is kept when its work starts (not if refused)
        self._training = training.is_training(self.spec.base)
        if trial_fn is None:
            trial_fn = run_training_trial if self._training else run_trial
        self._address, self._num_cpus, self._trial_fn = address, num_cpus, trial_fn
        # A training sweep's rows, loaded now: a file's rows not given is said before Ray starts.
        self._rows = training.rows_of(self.spec.base, rows) if self._training else None
        self._trials = {trial.key: trial for trial in self.spec.trials()}
        self._states = {key: TrialState(key, trial.values) for key, trial in self._trials.items()}
        self._complete: set[str] = set()  # trials whose whole history came with their result

    @classmethod
    def resume(cls, store, sweep_id: str, *, workspace: str = LOCAL_WORKSPACE, **options):
        """A job that runs the trials of stored sweep ``sweep_id`` not yet finished."""
        stored = store.get_sweep(sweep_id, workspace)
        spec = SweepSpec.from_dict(stored["spec"], options.get("limits"))
        return cls(spec, store, workspace=workspace, sweep_id=sweep_id, **options)

    def describe(self, snapshot: SweepSnapshot) -> str:
        ended = sum(trial["status"] in ENDED for trial in snapshot.trials)
        return f"Sweep: {snapshot.status}, {ended}/{len(snapshot.trials)} trials"

    def _snapshot(self) -> SweepSnapshot:
        return SweepSnapshot(
            status=self._status,
            sweep_id=self.sweep_id,
            trials=tuple(state.to_dict() for state in self._states.values()),
            elapsed_s=self._elapsed(time.monotonic()),
            error=self._error,
        )

    # The driver.

    def _work(self) -> str:
        if self.sweep_id is None:
            sweep_id = self.store.create_sweep(
                self.spec.to_dict(), name=self.spec.name, workspace=self.workspace
            )
            with self._lock:
                self.sweep_id = sweep_id
        todo = self._skip_finished()
        if not todo:
            return "finished"
        from lstm_core.sweeps import ray_backend

        ray = ray_backend.connect(self._address, self._num_cpus, self._limits)
        progress = ray_backend.progress_channel(ray)
        task = ray_backend.remote_trial(ray, self._trial_fn)
        # A training sweep's rows go to Ray's object store once, not once per trial.
        rows = (ray.put(self._rows),) if self._training else ()
        refs = {task.remote(config_document(t.config), t.key, progress, *rows): t.key for t in todo}
        stop_sent = False
        try:
            while refs:
                if self.stopping and not stop_sent:
                    stop_sent = True
                    progress.stop.remote()
                    for ref, key in refs.items():  # those not started: cancelled, no run
                        if self._states[key].run_id is None or self.interrupted:
                            ray.cancel(ref)
                ready, _ = ray.wait(list(refs), num_returns=len(refs), timeout=POLL_S)
                self._drain(ray.get(progress.drain.remote()))
                for ref in ready:
                    self._end(refs.pop(ref), ray, ref)
            self._drain(ray.get(progress.drain.remote()))  # a dead worker's last epochs
        finally:
            self._close_open_runs()
            progress.close.remote()
        if self.interrupted:
            return "interrupted"
        return "stopped" if self.stopping else "finished"

    def _skip_finished(self) -> list[Trial]:
        """Trials with no finished run yet; the finished ones are shown from the store."""
        stored = self.store.sweep_trials(self.sweep_id, self.workspace)
        todo = []
        for key, trial in self._trials.items():
            run = stored.get(key)
            if run is not None and run.status == "finished":
                with self._lock:
                    state = self._states[key]
                    state.status, state.run_id = "finished", run.run_id
                    state.val_loss = [float(v) for v in run.history["val_loss"]]
                    state.summary = (
                        training.summary_of(run.test_metrics, run.timings)
                        if self._training
                        else run.test_metrics
                    )
                continue
            if run is not None:  # stopped, failed or interrupted: the new attempt replaces it
                self.store.delete_run(run.run_id, self.workspace)
            todo.append(trial)
        return todo

    def _drain(self, events: list[tuple[str, int, dict]]) -> None:
        """Keep the epochs the workers reported; epoch 0 says a trial started."""
        for key, epoch, record in events:
            state = self._states[key]
            if key in self._complete or (state.run_id is None and state.status in ENDED):
                continue  # its result carried everything; or cancelled before it started
            if state.run_id is None:
                self._create_run(key)
            if epoch > 0:
                self.store.record_epoch(state.run_id, epoch, record)
                if record.get("val_loss") is not None:  # no validation windows: none
                    with self._lock:
                        state.val_loss.append(float(record["val_loss"]))

    def _create_run(self, key: str) -> None:
        config = self._trials[key].config
        if self._training:
            settings = training.run_fields(config)
        else:
            spec, _, _ = model_spec(config, config.kinds[0])
            settings = {
                "model_spec": spec.to_dict(),
                "train_config": config.to_dict(),
                "dataset": {"name": f"{config.task} problem", "timesteps": config.timesteps},
            }
        run_id = self.store.create_run(
            **settings,
            workspace=self.workspace,
            name=f"sweep {self.spec.name or self.sweep_id}: {key}",
            sweep_id=self.sweep_id,
            trial=key,
        )
        with self._lock:
            self._states[key].run_id, self._states[key].status = run_id, "running"

    def _end(self, key: str, ray, ref) -> None:
        """Record how trial ``key`` ended, from its task's result or error."""
        from ray.exceptions import RayTaskError, TaskCancelledError

        state, result, error = self._states[key], None, None
        try:
            result = ray.get(ref)
        except TaskCancelledError:
            status = "stopped"
        except RayTaskError as exc:  # the trial raised: its own exception, in one line
            status, error = "failed", failure_text(exc.cause or exc)
        except Exception:  # noqa: BLE001 - the worker died (WorkerCrashedError and kin)
            status, error = "failed", WORKER_DIED
        else:
            status = "stopped" if result["stopped"] else "finished"
            if result["summary"] is None:  # stopped before it began: like a cancelled one
                result = None
        if status == "stopped" and self.interrupted:
            status = "interrupted"  # the process is shutting down, not the user's stop
        if state.run_id is None and status != "failed" and result is None:
            with self._lock:
                state.status = status
            return
        if state.run_id is None:
            self._create_run(key)
        if result is not None:
            self._complete.add(key)
            for epoch, record in enumerate(_history(result), 1):
                self.store.record_epoch(state.run_id, epoch, record)
            if result.get("model") is not None:  # the trained model, to open on States
                self.store.save_model_bytes(state.run_id, result["model"])
            if result.get("diagnosis") is not None:  # a training trial's
                self.store.save_diagnosis(state.run_id, result["diagnosis"])
        summary = None if result is None else result["summary"]
        test_metrics = timings = None
        if result is not None:  # a training trial's whole scores and timings, else its row
            test_metrics = result.get("test_metrics", summary)
            timings = result.get("timings", {"train_s": summary["wall_s"]})
        self.store.finish_run(
            state.run_id, status, test_metrics=test_metrics, timings=timings, error=error
        )
        with self._lock:
            state.status, state.error, state.summary = status, error, summary
            if result is not None:
                state.val_loss = [loss for loss in result["val_loss"] if loss is not None]

    def _close_open_runs(self) -> None:
        """End the runs of trials the loop left open (the driver itself failed)."""
        for state in self._states.values():
            if state.status == "running":
                ending = "interrupted" if self.interrupted else "failed"
                self.store.finish_run(state.run_id, ending, error="The sweep's driver ended.")
                with self._lock:
                    state.status = ending


def _history(result: dict) -> list[dict]:
    """A trial result's epochs as the store keeps them: a training trial's whole records,
    else its losses."""
    if "history" in result:
        return [{k: v for k, v in record.items() if k != "epoch"} for record in result["history"]]
    return [
        {"loss": loss, "val_loss": val_loss}
        for loss, val_loss in zip(result["loss"], result["val_loss"], strict=True)
    ]
