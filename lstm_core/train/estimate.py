"""How long a training run will take, from a few steps measured on this machine.

Before Start, the Train page builds the model, trains it for a handful of batches (a warm-up
call that traces the graph, then a timed one) and scales the time of one batch to the run:
``epochs * (batches + validation batches / 3)``, validation costing about a third of a
training batch (a forward pass, no gradient). Without XLA, which a long run may switch on, so
the estimate leans long. It is an order of magnitude, said as such, not a promise.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from lstm_core import keras_session
from lstm_core.model import build_model
from lstm_core.train import speed
from lstm_core.train.config import TrainConfig, resolve_loss

TIMED_CALLS = 2  # train-function calls timed after the warm-up
VALIDATION_COST = 1 / 3  # a validation batch against a training batch


@dataclass(frozen=True)
class RunEstimate:
    """The measured step and what it predicts for the whole run."""

    seconds: float  # the whole run, setup included
    setup_s: float  # building, compiling and the first (tracing) call
    per_batch_s: float  # one training batch, measured
    batches: int  # training batches in the run: epochs * batches per epoch

    def words(self) -> str:
        """``"about 40 s (1140 batches at 31 ms each, measured on this machine)"``."""
        return f"about {_duration(self.seconds)} ({self.batches} batches at {self.per_batch_s * 1000:.3g} ms each, measured on this machine)"


def estimate_run(windows, model_spec, config: TrainConfig) -> RunEstimate:
    """Measure a few training batches of ``model_spec`` on ``windows`` and scale to the run.

    Args:
        windows: ``lstm_core.data.Windows``; ``x_train`` is `(samples, timesteps, features)`.
        model_spec: a validated ``ModelSpec`` that fits ``windows``.
        config: the run's ``TrainConfig`` (epochs, batch size, optimizer).

    Returns:
        a ``RunEstimate``. Imports TensorFlow.
    """
    from lstm_core import backend
    from lstm_core.train import engine, pipeline

    started = time.perf_counter()
    batches = math.ceil(len(windows.x_train) / config.batch_size)
    flops = speed.training_flops(model_spec, windows.timesteps, windows.features, config.batch_size)
    per_call = speed.choose_steps_per_execution(flops, batches, backend.unrolls_steps())
    sample = min(len(windows.x_train), per_call * config.batch_size)
    x, y = windows.x_train[:sample], windows.y_train[:sample]  # one call's batches
    with keras_session.training():
        model = build_model(model_spec, windows.timesteps, windows.features, config.seed)
        jit_compile = backend.always_compiled()  # XLA on TensorFlow only for long runs
        engine.compile_model(
            model,
            config,
            resolve_loss(config.loss, windows.task),
            windows.task,
            per_call,
            jit_compile,
        )
        data, callbacks = pipeline.train_batches(x, y, config.batch_size, config.seed)
        # the first call traces (or compiles) the train function: part of the setup
        model.fit(data, epochs=1, callbacks=callbacks, shuffle=False, verbose=0)
        setup_s = time.perf_counter() - started
        timed = time.perf_counter()
        model.fit(data, epochs=TIMED_CALLS, callbacks=callbacks, shuffle=False, verbose=0)
        per_batch = (time.perf_counter() - timed) / (
            TIMED_CALLS * math.ceil(sample / config.batch_size)
        )
    val_batches = math.ceil(len(windows.x_val) / config.batch_size)
    per_epoch = per_batch * (batches + VALIDATION_COST * val_batches)
    return RunEstimate(
        seconds=setup_s + config.epochs * per_epoch,
        setup_s=setup_s,
        per_batch_s=per_batch,
        batches=config.epochs * batches,
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
