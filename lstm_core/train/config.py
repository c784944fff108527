"""``TrainConfig``: how a model is trained, as plain JSON-able data, validated in one place."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from lstm_core.errors import ConfigError
from lstm_core.settings import Limits, load_limits
from lstm_core.validation import check_choice, check_int, check_number, from_dict

OPTIMIZERS = ("adam", "rmsprop", "sgd")
LOSSES = ("auto", "mse", "mae", "huber")
MAX_SEED = 2**31 - 1
# The metric Keras reports beside the loss, per task.
METRICS = {"regression": "mae", "classification": "accuracy"}


@dataclass(frozen=True)
class TrainConfig:
    """Training settings. Types and ranges are checked on construction (``ConfigError``);
    ``check_config`` adds the app's limits on epochs and batch size.

    Example:

    >>> TrainConfig(epochs=5, learning_rate=1e-2).to_dict()["epochs"]
    5
    """

    epochs: int = 20  # passes over the training split, 1..Limits.max_epochs
    batch_size: int = 64  # samples per gradient step, 1..Limits.max_batch_size
    optimizer: str = "adam"  # "adam", "rmsprop" or "sgd"
    learning_rate: float = 1e-3  # step size, in (0, 1]
    loss: str = "auto"  # "auto" (mse, or cross-entropy for classes), "mse", "mae" or "huber"
    seed: int = 0  # initial weights, dropout masks and the shuffle order, 0..2**31-1
    patience: int = 0  # epochs without a better val_loss before stopping early; 0 = never
    clipnorm: float | None = 1.0  # largest gradient norm, per weight tensor; None = no clipping

    def __post_init__(self) -> None:
        owner = "TrainConfig"
        check_int(self.epochs, "epochs", owner=owner, min_val=1)
        check_int(self.batch_size, "batch_size", owner=owner, min_val=1)
        check_int(self.seed, "seed", owner=owner, min_val=0, max_val=MAX_SEED)
        check_int(self.patience, "patience", owner=owner, min_val=0)
        check_choice(self.optimizer, "optimizer", OPTIMIZERS, owner=owner)
        check_choice(self.loss, "loss", LOSSES, owner=owner)
        check_number(
            self.learning_rate,
            "learning_rate",
            owner=owner,
            min_val=0,
            max_val=1,
            include_boundaries="right",
            fix="try 1e-3 for adam or rmsprop, 1e-2 for sgd",
        )
        if self.clipnorm is not None:
            check_number(
                self.clipnorm,
                "clipnorm",
                owner=owner,
                min_val=0,
                include_boundaries="neither",
                fix="use 1.0 to clip, or None to train without clipping",
            )

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        """Build from ``to_dict()``'s output; raises ``ConfigError`` on unknown keys, wrong
        types or out-of-range values."""
        return from_dict(cls, d)


def check_config(config: TrainConfig, limits: Limits | None = None) -> TrainConfig:
    """Check ``config`` against the app's limits (default ``load_limits()``); return it.

    Raises:
        ConfigError: naming the field, the allowed range, the value and the fix.
    """
    if not isinstance(config, TrainConfig):
        raise ConfigError(f"Expected a TrainConfig, got {type(config).__name__}.")
    limits = limits or load_limits()
    for name, high, variable in (
        ("epochs", limits.max_epochs, "LSTM_LAB_MAX_EPOCHS"),
        ("batch_size", limits.max_batch_size, "LSTM_LAB_MAX_BATCH_SIZE"),
    ):
        value = getattr(config, name)
        check_int(value, name, owner="TrainConfig", min_val=1, max_val=high, limit=variable)
    return config


def resolve_loss(loss: str, task: str) -> str:
    """The Keras loss for ``loss`` and the task (``"regression"`` or ``"classification"``)."""
    if task == "classification":
        if loss != "auto":
            raise ConfigError(
                f"TrainConfig loss={loss!r} is for regression, but the data is "
                "classification; use loss='auto' (sparse categorical cross-entropy)."
            )
        return "sparse_categorical_crossentropy"
    return "mse" if loss == "auto" else loss
