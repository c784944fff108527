"""``CompareConfig``: one cell-kind comparison, as plain JSON-able data, validated in one place.

Its defaults are the reference setting (``REFERENCE``), which reproduces the published result on a 2-core CPU
in about a minute per cell kind: the adding problem over 100 steps, 32 units, 5000 training and
1000 validation sequences, Adam with learning rate 0.005 and gradient-norm clipping 1.0, batch
50, 20 epochs; the LSTM learns it (validation MSE below 0.05), the SimpleRNN stays near the 1/6
baseline (Hochreiter & Schmidhuber 1997; Arjovsky, Shah & Bengio 2016). ``QUICK`` tells the
same story over 50 steps in under a minute.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from lstm_core.budget import check_memory, estimate_memory
from lstm_core.cells import CELLS
from lstm_core.errors import ConfigError
from lstm_core.experiments.tasks import CATEGORIES, MEMORY_LENGTH, check_task
from lstm_core.model.spec import FORGET_BIASES, KINDS, LayerSpec, ModelSpec
from lstm_core.settings import Limits, load_limits
from lstm_core.validation import check_choice, check_int, check_number, from_dict

MAX_SEED = 2**31 - 1
OWNER = "CompareConfig"  # how messages name the settings


@dataclass(frozen=True)
class CompareConfig:
    """Settings shared by every cell kind of one comparison; ``check_compare`` validates them."""

    task: str = "adding"  # "adding" (MSE) or "copy" (cross-entropy per step)
    timesteps: int = 100  # adding: sequence length; copy: the delay (sequences are 20 longer)
    kinds: tuple[str, ...] = ("rnn", "lstm")  # cell kinds, trained one after the other
    units: int = 32  # size of h (and c) of every kind
    epochs: int = 20  # passes over the training data; 0 profiles the untrained models only
    seed: int = 0  # the initial weights, the shuffle order and (unless data_seed) the data
    n_train: int = 5000  # training sequences
    n_val: int = 1000  # validation sequences, generated with task_seed + 1
    batch_size: int = 50  # sequences per Adam step
    learning_rate: float = 0.005  # Adam's step size
    clipnorm: float = 1.0  # largest gradient norm per weight tensor, against exploding gradients
    forget_bias: str = "one"  # LSTM forget-gate bias init: "one", "zeros" or "chrono"
    profile_epochs: tuple[int, ...] | None = None  # epochs to profile gradients at; None: 0, last
    profile_samples: int = 100  # validation sequences the gradient profile averages over
    # the task data (validation: data_seed + 1) when they must stay alike while seed varies
    # (an ablation's seeds on one data set); None: seed
    data_seed: int | None = None

    @property
    def task_seed(self) -> int:
        """The seed the task data are generated from (validation: this + 1)."""
        return self.seed if self.data_seed is None else self.data_seed

    @property
    def epochs_to_profile(self) -> tuple[int, ...]:
        """The epochs, in order, after which gradients are profiled (0: before training)."""
        chosen = (0, self.epochs) if self.profile_epochs is None else self.profile_epochs
        return tuple(sorted(set(chosen)))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["kinds"] = list(self.kinds)
        d["profile_epochs"] = None if self.profile_epochs is None else list(self.profile_epochs)
        return d

    @classmethod
    def from_dict(cls, d: dict, limits: Limits | None = None) -> CompareConfig:
        """Build from ``to_dict()``'s output; raises ``ConfigError`` on unknown keys, wrong
        types or out-of-range values."""
        return check_compare(from_dict(cls, d), limits)


REFERENCE = CompareConfig()
# The story in under a minute on 2 cores: over 50 steps the SimpleRNN stays at the baseline
# while the LSTM learns the adding problem (validation MSE below 0.05 by epoch 8, seeds 0-2).
QUICK = CompareConfig(timesteps=50, n_train=3000, batch_size=32, learning_rate=0.01, epochs=8)


def check_compare(
    config: CompareConfig, limits: Limits | None = None, *, owner: str = OWNER
) -> CompareConfig:
    """Check every field's type and range against ``limits``; return ``config``. ``owner``
    names the settings in messages (an ablation's are its own).

    Raises:
        ConfigError: naming the field, the range, the value received and the fix.
    """
    limits = limits or load_limits()
    check_task(config.task)
    # A copy sequence is timesteps + 20 steps long; the adding problem needs a step per half.
    extra = 2 * MEMORY_LENGTH if config.task == "copy" else 0
    lowest = 1 if config.task == "copy" else 2
    for name, low, high, variable in (
        ("timesteps", lowest, limits.max_timesteps - extra, "LSTM_LAB_MAX_TIMESTEPS"),
        ("n_train", 1, limits.max_rows, "LSTM_LAB_MAX_ROWS"),
        ("n_val", 1, limits.max_rows, "LSTM_LAB_MAX_ROWS"),
    ):
        value = getattr(config, name)
        check_int(value, name, owner=owner, min_val=low, max_val=high, limit=variable)
    check_training(config, limits, owner=owner)
    if config.data_seed is not None:
        check_int(config.data_seed, "data_seed", owner=owner, min_val=0, max_val=MAX_SEED - 1)
    for kind in config.kinds:
        spec, timesteps, features = model_spec(config, kind)
        samples = config.n_train + config.n_val
        check_memory(estimate_memory(spec, timesteps, features, config.batch_size, samples), limits)
    return config


def check_training(config: CompareConfig, limits: Limits, *, owner: str = OWNER) -> CompareConfig:
    """Check the fields every task shares (not the task, its data sizes or the memory, which
    depend on the data: ``check_compare`` checks them for the generated tasks)."""
    for name, low, high, variable in (
        ("units", 1, limits.max_units, "LSTM_LAB_MAX_UNITS"),
        ("epochs", 0, limits.max_epochs, "LSTM_LAB_MAX_EPOCHS"),
        ("seed", 0, MAX_SEED, None),
        ("batch_size", 1, limits.max_batch_size, "LSTM_LAB_MAX_BATCH_SIZE"),
        ("profile_samples", 1, limits.max_batch_size, "LSTM_LAB_MAX_BATCH_SIZE"),
    ):
        value = getattr(config, name)
        check_int(value, name, owner=owner, min_val=low, max_val=high, limit=variable)
    for name, fix in (
        ("learning_rate", "try 0.005 for the adding problem"),
        ("clipnorm", "use 1.0"),
    ):
        value = getattr(config, name)
        check_number(value, name, owner=owner, min_val=0, include_boundaries="neither", fix=fix)
    _check_kinds(config.kinds, owner)
    check_choice(config.forget_bias, "forget_bias", FORGET_BIASES, owner=owner)
    _check_profile_epochs(config, owner)
    return config


def model_spec(config: CompareConfig, kind: str) -> tuple[ModelSpec, int, int]:
    """``(spec, timesteps, features)`` of the model ``kind`` is trained as on ``config.task``.

    Adding: one layer reading ``(batch, timesteps, 2)``, a regression head of 1 output. Copy:
    one layer returning sequences over ``(batch, timesteps + 20, 10)``; ``build_model``'s head
    is replaced by one applied at every step (``lstm_core.experiments.compare``).
    """
    forget_bias = config.forget_bias if CELLS[kind].forget_bias else "one"  # an LSTM option
    if config.task == "adding":
        layer = LayerSpec(kind, config.units, forget_bias=forget_bias)
        return ModelSpec((layer,), head="regression", outputs=1), config.timesteps, 2
    layer = LayerSpec(kind, config.units, return_sequences=True, forget_bias=forget_bias)
    spec = ModelSpec((layer,), head="classification", outputs=CATEGORIES)
    return spec, config.timesteps + 2 * MEMORY_LENGTH, CATEGORIES


def _check_kinds(kinds: tuple[str, ...], owner: str) -> None:
    if not isinstance(kinds, tuple) or not kinds or any(kind not in KINDS for kind in kinds):
        raise ConfigError(
            f"{owner} kinds must be a non-empty tuple of {KINDS}, got {kinds!r}; "
            "e.g. ('rnn', 'lstm')."
        )
    if len(set(kinds)) != len(kinds):
        raise ConfigError(
            f"{owner} kinds must name each kind once, got {kinds!r}; remove the repeats."
        )


def _check_profile_epochs(config: CompareConfig, owner: str) -> None:
    chosen = config.profile_epochs
    if chosen is None:
        return
    if not isinstance(chosen, tuple) or any(
        not _is_int(epoch) or not 0 <= epoch <= config.epochs for epoch in chosen
    ):
        raise ConfigError(
            f"{owner} profile_epochs must be a tuple of epochs between 0 (before "
            f"training) and epochs={config.epochs}, got {chosen!r}; e.g. (0, {config.epochs})."
        )


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
