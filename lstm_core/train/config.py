"""``TrainConfig``: how a model is trained, as plain JSON-able data, validated in one place."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from lstm_core.errors import ConfigError
from lstm_core.settings import Limits, load_limits

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
        _check_int(self, "epochs", 1)
        _check_int(self, "batch_size", 1)
        _check_int(self, "seed", 0, MAX_SEED)
        _check_int(self, "patience", 0)
        _check_choice(self, "optimizer", OPTIMIZERS)
        _check_choice(self, "loss", LOSSES)
        rate = _number(self, "learning_rate")
        if not 0 < rate <= 1:
            raise ConfigError(
                f"TrainConfig learning_rate must be in (0, 1], got {rate}; "
                "try 1e-3 for adam or rmsprop, 1e-2 for sgd."
            )
        if self.clipnorm is not None and not _number(self, "clipnorm") > 0:
            raise ConfigError(
                f"TrainConfig clipnorm must be a positive number or None, got {self.clipnorm}; "
                "use 1.0 to clip, or None to train without clipping."
            )

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        """Build from ``to_dict()``'s output; raises ``ConfigError`` on unknown keys, wrong
        types or out-of-range values."""
        if not isinstance(d, dict):
            raise ConfigError(f"A TrainConfig must be a dict, got {type(d).__name__}.")
        known = [field.name for field in dataclasses.fields(cls)]
        unknown = sorted(str(key) for key in d if key not in known)
        if unknown:
            raise ConfigError(
                f"Unknown TrainConfig key(s) {unknown}; expected some of {known}. "
                "Remove them or check their spelling."
            )
        return cls(**d)


def check_config(config: TrainConfig, limits: Limits | None = None) -> TrainConfig:
    """Check ``config`` against the app's limits (default ``load_limits()``); return it.

    Raises:
        ConfigError: naming the field, the allowed range, the value and the fix.
    """
    if not isinstance(config, TrainConfig):
        raise ConfigError(f"Expected a TrainConfig, got {type(config).__name__}.")
    limits = limits or load_limits()
    _check_int(config, "epochs", 1, limits.max_epochs, "LSTM_LAB_MAX_EPOCHS")
    _check_int(config, "batch_size", 1, limits.max_batch_size, "LSTM_LAB_MAX_BATCH_SIZE")
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


def _check_int(config, name: str, low: int, high=math.inf, variable: str | None = None) -> None:
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(
            f"TrainConfig {name} must be an int, got {value!r} ({type(value).__name__}); "
            "write a whole number."
        )
    if not low <= value <= high:
        allowed = f"at least {low}" if high == math.inf else f"between {low} and {high}"
        fix = f"or raise the limit with {variable}" if variable else ""
        raise ConfigError(
            f"TrainConfig {name} must be {allowed}, got {value}; choose a value in that "
            f"range{' ' + fix if fix else ''}."
        )


def _check_choice(config, name: str, choices: tuple[str, ...]) -> None:
    value = getattr(config, name)
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(
            f"TrainConfig {name} must be one of {choices}, got {value!r}; pick one of them."
        )


def _number(config, name: str) -> float:
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(
            f"TrainConfig {name} must be a finite number, got {value!r} "
            f"({type(value).__name__}); write it as e.g. 0.001."
        )
    return float(value)
