"""The Keras side of a training job: compile, the input pipeline, ``fit``, the progress
callback and the device. Imported only by a running job, so it imports Keras and TensorFlow
at once."""

from __future__ import annotations

import gc
import itertools
import math
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from lstm_core.errors import ConfigError
from lstm_core.train.config import METRICS, TrainConfig

# TensorFlow and Keras leave about 400,000 long-lived objects behind their import, and every
# full garbage collection walks them all (0.5 to 1 s on a busy 2-core host, holding the GIL).
# Streamlit collects after every script run (``runner.postScriptGC``, and
# ``keras.backend.clear_session`` while no job trains: ``lstm_core.keras_session``), and the
# Train page reruns every second while it shows progress, which starved the training thread
# 30-fold. Freezing moves every object alive now
# out of the collector's sight, once per process; later objects are collected as usual.
gc.freeze()

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
    best epoch's weights. Afterwards the model predicts without XLA.
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
    try:
        model.fit(
            train_dataset(windows.x_train, windows.y_train, batch_size, config.seed),
            validation_data=(
                eval_dataset(windows.x_val, windows.y_val, batch_size) if has_validation else None
            ),
            epochs=config.epochs,
            callbacks=callbacks,
            shuffle=False,  # train_dataset shuffles, with its own seed
            verbose=0,
        )
    finally:
        # XLA repays its compilation over many training steps, not over the few prediction
        # passes that follow (test metrics, inspection).
        model.jit_compile = False


def predict(model: keras.Model, x: np.ndarray, batch_size: int) -> np.ndarray:
    """``model``'s outputs for ``x`` ``(samples, timesteps, features)``: ``(samples, outputs)``."""
    if len(x) == 0:
        return np.zeros((0, model.output_shape[-1]), dtype=np.float32)
    return model.predict(x, batch_size=batch_size, verbose=0)


def train_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int) -> tf.data.Dataset:
    """Batches of ``(x, y)`` in a new order every epoch; the same orders for the same seed.

    The order of epoch ``e`` is ``np.random.default_rng([seed, e]).permutation(samples)``:
    it depends on nothing process-wide (``keras.utils.set_random_seed`` or TensorFlow's
    global seed), so two jobs running at once cannot disturb each other's order.

    Args:
        x: ``(samples, timesteps, features)`` float32.
        y: ``(samples, outputs)`` float32.

    Returns:
        A dataset of ``ceil(samples / batch_size)`` batches per iteration, each
        ``((batch, timesteps, features), (batch, outputs))``; Keras iterates it once per epoch.
    """
    samples = len(x)
    epochs = itertools.count()

    def orders():
        yield np.random.default_rng([seed, next(epochs)]).permutation(samples)

    x_all, y_all = tf.constant(x), tf.constant(y)
    order = tf.data.Dataset.from_generator(
        orders, output_signature=tf.TensorSpec((samples,), tf.int64)
    )

    @tf.autograph.experimental.do_not_convert  # plain TensorFlow ops: nothing to convert
    def gather(index):  # (batch,) -> (batch, timesteps, features), (batch, outputs)
        return tf.gather(x_all, index), tf.gather(y_all, index)

    batches = order.unbatch().batch(batch_size).map(gather)
    # Known length, so Keras counts the batches instead of warning when an epoch runs out.
    batches = batches.apply(
        tf.data.experimental.assert_cardinality(math.ceil(samples / batch_size))
    )
    return batches.prefetch(tf.data.AUTOTUNE)


def eval_dataset(x: np.ndarray, y: np.ndarray, batch_size: int) -> tf.data.Dataset:
    """Batches of ``(x, y)`` in order, for validation."""
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size).prefetch(tf.data.AUTOTUNE)


def make_optimizer(name: str, learning_rate: float, clipnorm: float | None):
    """The Keras optimizer ``name`` with its learning rate and per-tensor gradient clipping
    (Pascanu, Mikolov & Bengio 2013: clipping keeps exploding gradients of RNNs in check)."""
    return OPTIMIZERS[name](learning_rate=learning_rate, clipnorm=clipnorm)


def has_gpu() -> bool:
    return bool(tf.config.list_logical_devices("GPU"))


def strategy_for(distribute: str | None) -> tuple[tf.distribute.Strategy, str]:
    """The ``tf.distribute`` strategy for ``distribute`` and a line naming the devices.

    ``"mirrored"`` replicates the model on every local GPU (``MirroredStrategy``); with fewer
    than two GPUs it falls back to the default device, and the line says so.
    """
    gpus = tf.config.list_logical_devices("GPU")
    here = f"GPU ({gpus[0].name})" if gpus else "CPU"
    if distribute is None:
        return tf.distribute.get_strategy(), here
    if len(gpus) < 2:
        note = f"{here} (MirroredStrategy needs 2 or more GPUs, found {len(gpus)})"
        return tf.distribute.get_strategy(), note
    strategy = tf.distribute.MirroredStrategy()
    return strategy, f"MirroredStrategy over {strategy.num_replicas_in_sync} GPUs"


class Progress(keras.callbacks.Callback):
    """Reports progress after every train-function call and every epoch; ends a diverging run.

    Args:
        on_batch: called with ``(epoch, batches_done)`` after each call (``epoch`` 1-based);
            an exception it raises ends ``fit``.
        on_epoch: called with ``(epoch, logs)`` after each epoch, validation included.
        batches_per_epoch: batches in one epoch, to cap the count of the last call.
        learning_rate: quoted in the message of a diverging run.
    """

    def __init__(
        self,
        on_batch: Callable[[int, int], None],
        on_epoch: Callable[[int, dict], None],
        batches_per_epoch: int,
        learning_rate: float,
    ):
        super().__init__()
        self._on_batch = on_batch
        self._on_epoch = on_epoch
        self._batches_per_epoch = batches_per_epoch
        self._learning_rate = learning_rate
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        # With steps_per_execution k, `batch` is the last of the k batches just run.
        done = min(batch + 1, self._batches_per_epoch)
        loss = float(logs["loss"])  # the epoch's running mean: one NaN batch makes it NaN
        if not math.isfinite(loss):
            raise ConfigError(
                f"The training loss became {loss} in epoch {self._epoch} (batch {done}): "
                f"training diverged. Lower the learning rate (now {self._learning_rate:g}) "
                "or clip gradients (clipnorm=1.0)."
            )
        self._on_batch(self._epoch, done)

    def on_epoch_end(self, epoch, logs=None):
        self._on_epoch(epoch + 1, {name: float(value) for name, value in logs.items()})
