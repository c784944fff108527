"""Train cell kinds side by side on a long-dependency task, and watch their gradients.

Every kind sees the same data, optimizer (Adam), clipping and seed; what differs is the cell.
The validation loss per epoch is recorded next to the task's remember-nothing baseline, the
gradient profile (``lstm_core.experiments.gradients``) before training and after chosen epochs.
Both matter: at initialisation a SimpleRNN with orthogonal recurrent weights can pass gradients
back as well as an LSTM whose forget gates start near sigmoid(1); the LSTM's advantage comes from
forget gates it learns to hold open (Hochreiter & Schmidhuber 1997; Gers, Schmidhuber & Cummins
2000).

``compare_cells`` runs in the caller's thread; ``lstm_core.experiments.job.CompareJob`` runs it in
a background thread with ``snapshot()`` and ``stop()``, like ``lstm_core.train.TrainingJob``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from lstm_core.experiments.config import REFERENCE, CompareConfig, check_compare, model_spec
from lstm_core.experiments.gradients import GradientProfiler, gradient_reach
from lstm_core.experiments.tasks import (
    CATEGORIES,
    adding_solved,
    make_task,
    profile_loss_steps,
    task_baseline,
)
from lstm_core.model.outputs import outputs


@dataclass
class CellResult:
    """What one cell kind did: its losses per epoch, training time and gradient profiles."""

    kind: str  # "rnn", "lstm" or "gru"
    params: int  # trainable weights of the whole model
    loss: list[float] = field(default_factory=list)  # training loss after each epoch
    val_loss: list[float] = field(default_factory=list)  # validation loss after each epoch
    wall_s: float = 0.0  # seconds spent training and validating (profiling not counted)
    profiles: dict[int, pd.DataFrame] = field(default_factory=dict)  # epoch -> gradient_profile
    # adding problem: share of validation sequences with |error| < 0.04 after training
    solved: float | None = None

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "params": self.params,
            "loss": self.loss,
            "val_loss": self.val_loss,
            "solved": self.solved,
            "wall_s": round(self.wall_s, 3),
            "profiles": {
                str(epoch): profile.to_dict(orient="list")
                for epoch, profile in self.profiles.items()
            },
        }


@dataclass
class CompareResult:
    """The outcome of ``compare_cells``: per kind, next to the baseline."""

    config: CompareConfig  # the settings it ran with
    baseline: float  # the loss of the best guess that remembers nothing
    results: dict[str, CellResult]  # kind -> what it did, in the order of config.kinds
    stopped: bool = False  # True when stop() ended it early

    def summary(self) -> list[dict]:
        """One row per kind, the numbers that tell the story, each beside its yardstick.

        Returns:
            ``{"kind", "val_loss"`` (after the last epoch run, or None), ``"baseline"``,
            ``"solved"`` (adding problem: share with |error| < 0.04, else None),
            ``"reach_before"``, ``"reach_after"`` (``gradient_reach`` at initialisation and
            after the last profiled epoch, or None), ``"wall_s"``, ``"params"}``.
        """
        rows = []
        for kind, cell in self.results.items():
            profiled = sorted(cell.profiles)
            trained = [epoch for epoch in profiled if epoch > 0]
            rows.append(
                {
                    "kind": kind,
                    "val_loss": cell.val_loss[-1] if cell.val_loss else None,
                    "baseline": self.baseline,
                    "solved": cell.solved,
                    "reach_before": gradient_reach(cell.profiles[0]) if 0 in profiled else None,
                    "reach_after": gradient_reach(cell.profiles[trained[-1]]) if trained else None,
                    "wall_s": cell.wall_s,
                    "params": cell.params,
                }
            )
        return rows

    def to_dict(self) -> dict:
        """``{"task", "timesteps", "baseline", "stopped", "config", "results": {kind: ...}}``."""
        return {
            "task": self.config.task,
            "timesteps": self.config.timesteps,
            "baseline": self.baseline,
            "stopped": self.stopped,
            "config": self.config.to_dict(),
            "results": {kind: result.to_dict() for kind, result in self.results.items()},
        }


def compare_cells(
    task: str = REFERENCE.task,
    timesteps: int = REFERENCE.timesteps,
    kinds: tuple[str, ...] = REFERENCE.kinds,
    units: int = REFERENCE.units,
    epochs: int = REFERENCE.epochs,
    seed: int = REFERENCE.seed,
    n_train: int = REFERENCE.n_train,
    n_val: int = REFERENCE.n_val,
    batch_size: int = REFERENCE.batch_size,
    learning_rate: float = REFERENCE.learning_rate,
    clipnorm: float = REFERENCE.clipnorm,
    profile_epochs: tuple[int, ...] | None = REFERENCE.profile_epochs,
    forget_bias: str = REFERENCE.forget_bias,
    profile_samples: int = REFERENCE.profile_samples,
    data_seed: int | None = REFERENCE.data_seed,
    on_epoch: Callable[[str, int, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> CompareResult:
    """Train each cell kind on the same task data and compare validation loss and gradients.

    With no arguments it runs the reference setting (see ``lstm_core.experiments.config``).
    The arguments are ``CompareConfig``'s fields, plus two hooks.

    Args:
        task: ``"adding"`` (x ``(n, timesteps, 2)``, y ``(n, 1)``, MSE) or ``"copy"`` (one-hot x
            ``(n, timesteps + 20, 10)``, y ``(n, timesteps + 20)``, cross-entropy per step).
        timesteps, kinds, units, epochs, seed, n_train, n_val, batch_size, learning_rate,
            clipnorm, profile_epochs, forget_bias, profile_samples, data_seed: see
            ``CompareConfig``.
        on_epoch: called as ``on_epoch(kind, epoch, val_loss)`` after every epoch.
        should_stop: polled after every epoch; when it returns True, training stops after
            that epoch and no further kind starts.

    Returns:
        A ``CompareResult``; ``to_dict()`` is JSON-able.

    Raises:
        ConfigError: an out-of-range setting, or a comparison too big for the memory budget.
    """
    config = CompareConfig(
        task=task,
        timesteps=timesteps,
        kinds=tuple(kinds),
        units=units,
        epochs=epochs,
        seed=seed,
        n_train=n_train,
        n_val=n_val,
        batch_size=batch_size,
        learning_rate=learning_rate,
        clipnorm=clipnorm,
        profile_epochs=None if profile_epochs is None else tuple(profile_epochs),
        forget_bias=forget_bias,
        profile_samples=profile_samples,
        data_seed=data_seed,
    )
    return run_compare(config, on_epoch, should_stop)


def run_compare(
    config: CompareConfig,
    on_epoch: Callable[[str, int, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    on_trained: Callable[[str, object], None] | None = None,
) -> CompareResult:
    """``compare_cells`` for a ``CompareConfig``; see there. ``on_trained(kind, model)`` is
    given each kind's trained ``keras.Model`` (a sweep's trial keeps it; nothing else holds
    on to the models)."""
    check_compare(config)
    x, y = make_task(config.task, config.n_train, config.timesteps, config.task_seed)
    x_val, y_val = make_task(config.task, config.n_val, config.timesteps, config.task_seed + 1)
    result = CompareResult(config, task_baseline(config.task, config.timesteps), {})
    for kind in config.kinds:
        if should_stop and should_stop():
            break
        result.results[kind] = train_kind(
            config,
            kind,
            (x, y, x_val, y_val),
            on_epoch or _ignore,
            should_stop or _never,
            on_trained=on_trained,
        )
    result.stopped = len(result.results) < len(config.kinds) or any(
        len(cell.val_loss) < config.epochs for cell in result.results.values()
    )
    return result


def train_kind(
    config: CompareConfig, kind: str, data, on_epoch, should_stop, *, on_trained=None
) -> CellResult:
    """Build, profile and train one kind on ``config.task``; profiles at the epochs of
    ``epochs_to_profile`` that training reaches.

    Args:
        config: the settings; ``config.seed`` seeds the weights and the shuffle order.
        kind: a key of ``lstm_core.cells.CELLS``.
        data: ``(x, y, x_val, y_val)`` of ``config.task`` (``make_task``'s shapes).
        on_epoch: called as ``on_epoch(kind, epoch, val_loss)`` after every epoch.
        should_stop: polled after every epoch; True stops training after it.
        on_trained: if given, called as ``on_trained(kind, model)`` with the trained model.
    """
    # On the copy task the profile differentiates the loss of the recall steps only, so a
    # gradient reaching early steps is memory, not the loss of those steps' own (blank) outputs.
    result, model = train_model(
        config,
        kind,
        lambda: build_task_model(config, kind),
        _loss(config.task),
        data,
        on_epoch,
        should_stop,
        loss_steps=profile_loss_steps(config.task),
    )
    if config.task == "adding":
        x_val, y_val = data[2], data[3]
        result.solved = adding_solved(y_val, outputs(model, x_val))
    if on_trained is not None:
        on_trained(kind, model)
    return result


def train_model(
    config: CompareConfig,
    kind: str,
    build: Callable,
    loss,
    data,
    on_epoch,
    should_stop,
    *,
    loss_steps: int | None = None,
):
    """Seed, build, profile and train one model; the one training loop of every task.

    Args:
        config: the settings read here: ``seed`` (weights and shuffle order), ``epochs``,
            ``batch_size``, ``learning_rate``, ``clipnorm``, ``epochs_to_profile`` and
            ``profile_samples``; its task and data sizes are not read.
        kind: a key of ``lstm_core.cells.CELLS``, the name the result and ``on_epoch`` carry.
        build: called with no arguments after seeding; returns the ``keras.Model``.
        loss: the Keras loss to train with (and to profile the gradients of).
        data: ``(x, y, x_val, y_val)``, ``x`` of shape ``(samples, timesteps, features)``.
        on_epoch: called as ``on_epoch(kind, epoch, val_loss)`` after every epoch.
        should_stop: polled after every epoch; True stops training after it.
        loss_steps: profile the loss of only the last ``loss_steps`` outputs; None: all.

    Returns:
        ``(CellResult, model)``: what it did, and the trained model.
    """
    import keras

    from lstm_core.train.pipeline import eval_batches, keras_order_batches

    x, y, x_val, y_val = data
    keras.utils.set_random_seed(config.seed)  # the same shuffle order for every kind
    model = build()
    steps = math.ceil(len(x) / config.batch_size)
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=config.clipnorm),
        loss=loss,
        steps_per_execution=steps,  # one call into the compiled graph per epoch
    )
    result = CellResult(kind, model.count_params())
    # A few calls: compiling would not pay off.
    profiler = GradientProfiler(model, loss_steps=loss_steps, jit_compile=False)
    x_probe, y_probe = x_val[: config.profile_samples], y_val[: config.profile_samples]
    if 0 in config.epochs_to_profile:
        result.profiles[0] = profiler(x_probe, y_probe)
    started = {}

    def epoch_begin(epoch, logs=None):
        started["at"] = time.perf_counter()

    def epoch_end(epoch, logs):
        result.wall_s += time.perf_counter() - started["at"]
        result.loss.append(float(logs["loss"]))
        result.val_loss.append(float(logs["val_loss"]))
        if epoch + 1 in config.epochs_to_profile:
            result.profiles[epoch + 1] = profiler(x_probe, y_probe)
        on_epoch(kind, epoch + 1, result.val_loss[-1])
        model.stop_training = should_stop()

    if config.epochs > 0:
        model.fit(
            **keras_order_batches(x, y, config.batch_size),
            epochs=config.epochs,
            validation_data=eval_batches(x_val, y_val, config.batch_size),
            verbose=0,
            callbacks=[keras.callbacks.LambdaCallback(epoch_begin, epoch_end)],
        )
    return result, model


def build_task_model(config: CompareConfig, kind: str):
    """The model ``kind`` is trained as, built by ``build_model`` with ``config.seed``.

    Returns:
        A ``keras.Model``. Adding: ``(batch, timesteps, 2)`` to ``(batch, 1)``. Copy:
        ``(batch, timesteps + 20, 10)`` to logits ``(batch, timesteps + 20, 10)``, a Dense head
        applied at every step of the layer's sequence (what ``TimeDistributed(Dense)`` does),
        since ``build_model``'s head reads the whole sequence at once.
    """
    import keras

    from lstm_core.model import build_model, recurrent_layers

    spec, timesteps, features = model_spec(config, kind)
    model = build_model(spec, timesteps, features, seed=config.seed)
    if config.task == "adding":
        return model
    sequence = recurrent_layers(model)[0].output  # (batch, timesteps + 20, units)
    initializer = keras.initializers.GlorotUniform(seed=config.seed)
    logits = keras.layers.Dense(CATEGORIES, kernel_initializer=initializer, name="step_head")(
        sequence
    )  # (batch, timesteps + 20, 10)
    return keras.Model(model.inputs, logits, name="lstm_lab_copy")


def _loss(task: str):
    import keras

    if task == "adding":
        return keras.losses.MeanSquaredError()
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def _ignore(kind: str, epoch: int, val_loss: float) -> None:
    pass


def _never() -> bool:
    return False
