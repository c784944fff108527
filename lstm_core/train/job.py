"""``TrainingJob``: train a model in a background thread while a page or a terminal watches.

A ``lstm_core.jobs.Job``: Keras' ``fit`` runs in a daemon thread under the process-wide cap
on concurrent jobs, and ``snapshot()`` is safe from any thread, at any time, and never waits
for a batch. Nothing raised in the thread reaches the caller: it ends the job as ``"failed"``
with its message. The job never calls UI code; pages and the command line poll it. What it
keeps in the run store goes through the ``RunRecorder`` it is given.

Progress and ``stop()`` run after every train-function call (the divergence check at most every
quarter second), and one call trains ``steps_per_execution`` batches (``lstm_core.train.speed``
picks it so that a call takes about a quarter of a second; on JAX one batch): "within one batch"
means within one such call.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from lstm_core.budget import check_memory, estimate_memory
from lstm_core.errors import ConfigError
from lstm_core.forecast import baselines as yardsticks
from lstm_core.forecast import scores
from lstm_core.inspect import diagnose
from lstm_core.jobs import ENDED, Job, running_jobs
from lstm_core.model import build_model, format_layers, validate
from lstm_core.runs import LOCAL_WORKSPACE
from lstm_core.settings import Limits
from lstm_core.train import speed
from lstm_core.train.config import METRICS, TrainConfig, check_config, resolve_loss
from lstm_core.train.recorder import RunRecorder

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["JobResult", "JobSnapshot", "StopTraining", "TrainingJob", "running_jobs"]


class StopTraining(Exception):
    """Raised from the progress callback to end ``fit`` at once, skipping the validation pass
    that Keras runs after ``model.stop_training`` is set."""


@dataclass(frozen=True, eq=False)
class JobSnapshot:
    """A training job's progress at one moment; a copy, safe to keep and read."""

    status: str  # "pending" | "running" | "finished" | "stopped" | "failed" | "interrupted"
    epoch: int  # the epoch running (or last run), 1-based; 0 before the first batch
    epochs: int  # epochs asked for
    batch: int  # batches done in `epoch`
    batches_per_epoch: int  # batches in one epoch
    steps_per_execution: int  # batches per train-function call: progress comes per call
    history: pd.DataFrame  # a row per completed epoch: epoch, loss, val_loss, metric, val_metric
    elapsed_s: float  # seconds since start()
    eta_s: float | None  # estimated seconds to the last epoch; None until it can be told
    error: str | None  # why the job failed
    run_id: str | None  # id in the run store, None without a store or before it is created
    device: str  # backend and device, e.g. "TensorFlow, CPU, XLA" or "JAX, CPU"; "" until built

    @property
    def steps_done(self) -> int:
        """Batches trained so far, over all epochs."""
        return max(self.epoch - 1, 0) * self.batches_per_epoch + self.batch

    @property
    def done(self) -> bool:
        return self.status in ENDED


@dataclass(frozen=True, eq=False)
class JobResult:
    """The test split, predicted by the trained model, in the targets' original units."""

    test_metrics: dict  # lstm_core.forecast.scores: the model's errors beside its baselines
    y_true: np.ndarray  # (samples, horizon * targets), or (samples, 1) class indices
    y_pred: np.ndarray  # same shape as y_true
    timings: dict  # seconds: setup_s (import, build, compile), train_s (fit), s_per_epoch;
    # device: the backend and device that trained, as JobSnapshot.device
    # baseline name -> its forecast, shaped like y_pred (None where it has none)
    baselines: dict = field(default_factory=dict)
    diagnosis: dict | None = None  # lstm_core.inspect.diagnose of the trained model


class TrainingJob(Job):
    """Train the model of ``model_spec`` on ``windows`` in a background thread.

    Everything a user can get wrong is checked here, before anything starts: the config
    against the limits, the spec against the windows' shapes and task, the estimated memory.

    Args:
        windows: a ``lstm_core.data.Windows``: ``x_*`` is ``(samples, timesteps, features)``.
        model_spec: a ``lstm_core.model.ModelSpec`` whose head fits ``windows`` (same task,
            ``outputs == windows.n_outputs``).
        config: a ``TrainConfig``.
        store: a ``RunStore`` to keep the run in (epochs as they end, the model at the end),
            or None; shorthand for ``recorder=RunRecorder(store, workspace=..., dataset=...,
            window_spec=...)``.
        workspace: the store's workspace the run belongs to. Defaults to
            ``lstm_core.runs.LOCAL_WORKSPACE``, the one the app and the command line share.
        dataset: a name (or a dict with a ``"name"``) saying where the data came from.
        window_spec: the ``WindowSpec`` or ``SequenceSpec`` that made ``windows``, kept in
            the store so the run can be repeated.
        recorder: a ``RunRecorder`` to keep the run with, instead of ``store``.
        distribute: None, or ``"mirrored"`` for ``tf.distribute.MirroredStrategy`` over
            all local GPUs (TensorFlow only; elsewhere one device trains, and the device
            line says so); ``config.batch_size`` is then per GPU.
        limits: the app's limits; default ``load_limits()``.

    Concurrency: at most ``limits.max_concurrent_jobs`` jobs of any kind run at once in a
    process (``lstm_core.jobs``); ``start()`` beyond that raises ``ConfigError`` (the job is
    refused, not queued).

    Example:

    >>> job = TrainingJob(windows, spec, TrainConfig(epochs=5)).start()  # doctest: +SKIP
    >>> job.wait().history  # doctest: +SKIP
    """

    kind = "training"

    def __init__(
        self,
        windows,
        model_spec,
        config: TrainConfig,
        *,
        store=None,
        workspace: str = LOCAL_WORKSPACE,
        dataset: str | Mapping | None = None,
        window_spec=None,
        distribute: str | None = None,
        limits: Limits | None = None,
        recorder: RunRecorder | None = None,
    ):
        super().__init__(limits)
        self.config = check_config(config, self._limits)
        self.model_spec = validate(model_spec, windows.timesteps, windows.features, self._limits)
        _check_fits_windows(model_spec, windows)
        self._loss = resolve_loss(config.loss, windows.task)
        samples = len(windows.x_train) + len(windows.x_val) + len(windows.x_test)
        check_memory(
            estimate_memory(
                model_spec, windows.timesteps, windows.features, config.batch_size, samples
            ),
            self._limits,
        )
        if distribute not in (None, "mirrored"):
            raise ConfigError(
                f"distribute must be None or 'mirrored', got {distribute!r}; "
                "use 'mirrored' to train on every local GPU."
            )
        self.windows = windows
        if recorder is None and store is not None:
            recorder = RunRecorder(
                store, workspace=workspace, dataset=dataset, window_spec=window_spec
            )
        self._recorder = recorder
        self._dataset = dataset if isinstance(dataset, Mapping) else {"name": dataset or ""}
        self._distribute = distribute
        self.model = None  # the keras.Model, once built; trained in place
        self.result: JobResult | None = None  # once finished or stopped
        self._epoch = self._batch = 0
        self._batches_per_epoch = math.ceil(len(windows.x_train) / config.batch_size)
        self._steps_per_execution = 1
        self._history: list[dict] = []
        self._run_id: str | None = None
        self._device = ""
        self._first_call: tuple[float, int] | None = None  # (time, steps done) after call 1

    @property
    def recorder(self) -> RunRecorder | None:
        """What keeps the run in the store, or None."""
        return self._recorder

    @property
    def run_id(self) -> str | None:
        with self._lock:
            return self._run_id

    def stop(self) -> JobSnapshot:
        """Ask the job to stop after the train-function call in progress.

        The weights and the history so far are kept; the job ends as ``"stopped"`` (with the
        test metrics of the weights so far) unless it had ended already.

        Returns:
            The snapshot at the moment of the request: at most one call (``steps_per_execution``
            batches) is trained after it.
        """
        return super().stop()

    def describe(self, snapshot: JobSnapshot) -> str:
        return f"Training: {snapshot.status}, epoch {snapshot.epoch}/{snapshot.epochs}"

    def _snapshot(self) -> JobSnapshot:
        import pandas as pd  # loaded already with the job's data; Home opens without it

        now = time.monotonic()
        return JobSnapshot(
            status=self._status,
            epoch=self._epoch,
            epochs=self.config.epochs,
            batch=self._batch,
            batches_per_epoch=self._batches_per_epoch,
            steps_per_execution=self._steps_per_execution,
            history=pd.DataFrame(self._history, columns=self._columns()),
            elapsed_s=self._elapsed(now),
            eta_s=self._eta(now),
            error=self._error,
            run_id=self._run_id,
            device=self._device,
        )

    def _columns(self) -> list[str]:
        metric = METRICS[self.windows.task]
        columns = ["epoch", "loss", "val_loss", metric, f"val_{metric}"]
        return columns if len(self.windows.x_val) else columns[:2] + columns[3:4]

    def _eta(self, now: float) -> float | None:
        if self._status != "running" or self._first_call is None:
            return None
        since, first_steps = self._first_call
        steps = (self._epoch - 1) * self._batches_per_epoch + self._batch
        if steps <= first_steps:
            return None
        per_step = (now - since) / (steps - first_steps)
        return per_step * (self.config.epochs * self._batches_per_epoch - steps)

    # The training thread.

    def _work(self) -> str:
        from lstm_core.train import engine

        if self._recorder is not None:
            run_id = self._recorder.start(self.model_spec, self.config, self.windows, self._name())
            with self._lock:
                self._run_id = run_id
        model, global_batch = self._build(engine)
        fitted = time.monotonic()
        status = self._fit(engine, model, global_batch)
        if self.interrupted:  # the process is shutting down: the epochs so far are kept
            return "interrupted"
        train_s = time.monotonic() - fitted
        timings = {
            "setup_s": fitted - self._started,
            "train_s": train_s,
            "s_per_epoch": train_s / max(len(self._history), 1),
            "device": self._device,  # set by this thread in _build
        }
        self.result = self._evaluate(engine, model, global_batch, timings)
        if self._recorder is not None:
            self._recorder.model(model)
            self._recorder.diagnosis(self.result.diagnosis)
        return status

    def _fit(self, engine, model, global_batch: int) -> str:
        """Run ``fit``; return ``"finished"``, or ``"stopped"`` when ``stop()`` ended it."""
        progress = engine.Progress(
            self._on_batch, self._on_epoch, self._batches_per_epoch, self.config.learning_rate
        )
        try:
            self._stop_point()  # stop() may have come while the model was being built
            engine.fit(model, self.windows, self.config, global_batch, [progress])
        except StopTraining:
            return "stopped"
        return "finished"

    def _build(self, engine):
        from lstm_core import backend

        scope, replicas, device = backend.strategy_for(self._distribute)
        global_batch = self.config.batch_size * replicas
        batches = math.ceil(len(self.windows.x_train) / global_batch)
        flops = speed.training_flops(
            self.model_spec, self.windows.timesteps, self.windows.features, global_batch
        )
        steps_per_execution = speed.choose_steps_per_execution(
            flops, batches, backend.unrolls_steps()
        )
        jit_compile = speed.choose_jit_compile(
            flops,
            self.windows.timesteps,
            batches * self.config.epochs,
            len(self.model_spec.layers),
            backend.has_gpu(),
            backend.always_compiled(),
        )
        with scope:
            model = build_model(
                self.model_spec,
                self.windows.timesteps,
                self.windows.features,
                self.config.seed,
                limits=self._limits,
            )
            engine.compile_model(
                model, self.config, self._loss, self.windows.task, steps_per_execution, jit_compile
            )
        with self._lock:
            self.model = model
            xla = jit_compile is True and not backend.always_compiled()
            self._device = f"{device}, XLA" if xla else device
            self._batches_per_epoch = batches
            self._steps_per_execution = steps_per_execution
        return model, global_batch

    def _stop_point(self) -> None:
        """Raise ``StopTraining`` if ``stop()`` was called."""
        if self.stopping:
            raise StopTraining

    def _on_batch(self, epoch: int, batches_done: int) -> None:
        now = time.monotonic()
        if self._recorder is not None:
            self._recorder.beat()
        with self._lock:
            self._epoch, self._batch = epoch, batches_done
            if self._first_call is None:
                self._first_call = (now, (epoch - 1) * self._batches_per_epoch + batches_done)
        self._stop_point()

    def _on_epoch(self, epoch: int, logs: dict) -> None:
        record = {"epoch": epoch, **{name: logs.get(name) for name in self._columns()[1:]}}
        if self._recorder is not None:
            self._recorder.epoch(epoch, record)
        with self._lock:
            self._history.append(record)
        self._stop_point()

    def _evaluate(self, engine, model, global_batch: int, timings: dict) -> JobResult:
        windows = self.windows
        predicted = engine.predict(model, windows.x_test, global_batch)  # (samples, outputs)
        test_metrics, y_true, y_pred = scores.score_test_split(windows, predicted)
        forecasts = (
            {}
            if windows.history is None
            else yardsticks.series_baselines(windows.history, "test", windows.horizon)
        )
        return JobResult(test_metrics, y_true, y_pred, timings, forecasts, diagnose(model, windows))

    def _finish(self, status: str, error: str | None) -> tuple[str, str | None]:
        if self._recorder is not None:
            self._recorder.finish(status, self.result, error)
        return status, error

    def _name(self) -> str:
        dataset = self._dataset.get("name") or "data"
        return f"{dataset}, {format_layers(self.model_spec.layers)}"


def _check_fits_windows(model_spec, windows) -> None:
    if model_spec.head != windows.task:
        raise ConfigError(
            f"The model has a {model_spec.head} head but the data is a {windows.task} task; "
            f"choose head={windows.task!r}."
        )
    if model_spec.outputs != windows.n_outputs:
        raise ConfigError(
            f"The model has outputs={model_spec.outputs} but the data needs "
            f"{windows.n_outputs} (horizon x targets, or classes); set outputs="
            f"{windows.n_outputs}."
        )
    if len(windows.x_train) == 0:
        raise ConfigError(
            "The training split has 0 samples; use more rows, a shorter lookback or smaller "
            "validation and test fractions."
        )
