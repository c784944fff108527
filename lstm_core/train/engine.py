"""The Keras side of a training job: compile, ``fit`` over the input pipeline, the progress
callback. Imported only by a running job, so it imports Keras (and its backend) at once; what
differs between backends lives in ``lstm_core.backend`` and ``lstm_core.train.pipeline``."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable

import keras
import numpy as np

from lstm_core import backend
from lstm_core.errors import ConfigError
from lstm_core.train.config import METRICS, TrainConfig
from lstm_core.train.pipeline import eval_batches, train_batches

# Keras and its backend leave hundreds of thousands of long-lived objects behind their import
# (TensorFlow about 400,000), and every full garbage collection walks them all (0.5 to 1 s on a
# busy 2-core host, holding the GIL). Streamlit collects after every script run
# (``runner.postScriptGC``, and ``keras.backend.clear_session`` while no job trains:
# ``lstm_core.keras_session``), and the Train page reruns every second while it shows
# progress, which starved the training thread 30-fold. Freezing moves every object alive now
# out of the collector's sight, once per process; later objects are collected as usual.
gc.freeze()

# A training loss past this has diverged, on every backend: as a mean squared error, errors of
# 1e10 in the targets' units as trained (scaled to about 1 by default). A run that runs away
# grows its loss by orders of magnitude per epoch, but reaches float32's inf (3.4e38) only if
# its arithmetic overflows, which one backend's run may do and another's not.
DIVERGED_LOSS = 1e20

OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
}


def compile_model(
    model: keras.Model,
    config: TrainConfig,
    loss: str,
    task: str,
    steps_per_execution: int,
    jit_compile,
) -> None:
    """Compile ``model`` with the config's optimizer, ``loss`` and the task's metric."""
    model.compile(
        optimizer=make_optimizer(config.optimizer, config.learning_rate, config.clipnorm),
        loss=loss,
        metrics=[METRICS[task]],
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
    )


def fit(model: keras.Model, windows, config: TrainConfig, batch_size: int, callbacks: list) -> None:
    """Train ``model`` on ``windows`` (a ``lstm_core.data.Windows``) for ``config.epochs``.

    Validates on ``windows.x_val`` when it has samples; with ``config.patience`` stops early
    when ``val_loss`` (else ``loss``) has not improved for that many epochs, and restores the
    best epoch's weights. Afterwards the model predicts without XLA, where that is a choice
    (TensorFlow; on JAX every function is compiled).
    """
    has_validation = len(windows.x_val) > 0
    if config.patience:
        callbacks = callbacks + [
            keras.callbacks.EarlyStopping(
                monitor="val_loss" if has_validation else "loss",
                patience=config.patience,
                restore_best_weights=True,
            )
        ]
    batches, followers = train_batches(windows.x_train, windows.y_train, batch_size, config.seed)
    try:
        model.fit(
            batches,
            validation_data=(
                eval_batches(windows.x_val, windows.y_val, batch_size) if has_validation else None
            ),
            validation_batch_size=batch_size,
            epochs=config.epochs,
            callbacks=followers + callbacks,
            shuffle=False,  # train_batches shuffles, with its own seed
            verbose=0,
        )
    finally:
        # XLA repays its compilation over many training steps, not over the few prediction
        # passes that follow (test metrics, inspection).
        if not backend.always_compiled():
            model.jit_compile = False


def predict(model: keras.Model, x: np.ndarray, batch_size: int) -> np.ndarray:
    """``model``'s outputs for ``x`` ``(samples, timesteps, features)``: ``(samples, outputs)``."""
    if len(x) == 0:
        return np.zeros((0, model.output_shape[-1]), dtype=np.float32)
    return model.predict(x, batch_size=batch_size, verbose=0)


def make_optimizer(name: str, learning_rate: float, clipnorm: float | None):
    """The Keras optimizer ``name`` with its learning rate and per-tensor gradient clipping
    (Pascanu, Mikolov & Bengio 2013: clipping keeps exploding gradients of RNNs in check)."""
    return OPTIMIZERS[name](learning_rate=learning_rate, clipnorm=clipnorm)


class Progress(keras.callbacks.Callback):
    """Reports progress after every train-function call and every epoch; ends a diverging run
    (a loss not finite, or past ``DIVERGED_LOSS``).

    The batch count and ``on_batch`` (where ``stop()`` takes effect) come after every call.
    The loss is read at most every ``check_s`` seconds and at each epoch's last call: reading
    it waits for the device to finish, which would keep a backend that dispatches
    asynchronously (JAX, one batch per call) from queueing the next batch meanwhile.

    Args:
        on_batch: called with ``(epoch, batches_done)`` after each call (``epoch`` 1-based);
            an exception it raises ends ``fit``.
        on_epoch: called with ``(epoch, logs)`` after each epoch, validation included.
        batches_per_epoch: batches in one epoch, to cap the count of the last call.
        learning_rate: quoted in the message of a diverging run.
        check_s: seconds between two reads of the loss for the divergence check.
    """

    def __init__(
        self,
        on_batch: Callable[[int, int], None],
        on_epoch: Callable[[int, dict], None],
        batches_per_epoch: int,
        learning_rate: float,
        check_s: float = 0.25,
    ):
        super().__init__()
        self._on_batch = on_batch
        self._on_epoch = on_epoch
        self._batches_per_epoch = batches_per_epoch
        self._learning_rate = learning_rate
        self._check_s = check_s
        self._checked = -math.inf
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        # With steps_per_execution k, `batch` is the last of the k batches just run.
        done = min(batch + 1, self._batches_per_epoch)
        now = time.monotonic()
        if now - self._checked >= self._check_s or done == self._batches_per_epoch:
            self._checked = now
            self._check_diverged(float(logs["loss"]), done)
        self._on_batch(self._epoch, done)

    def _check_diverged(self, loss: float, done: int) -> None:
        # `loss` is the epoch's running mean: one NaN batch makes it NaN.
        if not math.isfinite(loss) or loss > DIVERGED_LOSS:
            raise ConfigError(
                f"The training loss became {loss:.3g} in epoch {self._epoch} (batch {done}), "
                f"where at most {DIVERGED_LOSS:g} is expected: training diverged. Lower the "
                f"learning rate (now {self._learning_rate:g}), clip gradients (clipnorm=1.0) "
                "or scale the targets."
            )

    def on_epoch_end(self, epoch, logs=None):
        self._on_epoch(epoch + 1, {name: float(value) for name, value in logs.items()})
