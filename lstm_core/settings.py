"""The limits that keep a hosted LSTM Lab healthy, in one place.

Defaults suit a hosted app with 2 cores and about 2.5 GB of memory: the process itself
(Python, Streamlit, TensorFlow) takes about 0.9 GB, and ``max_concurrent_jobs`` jobs of at most
``memory_budget_mb`` each must fit beside it. Each limit can be overridden by an environment
variable ``LSTM_LAB_<FIELD>`` (for example ``LSTM_LAB_MAX_UNITS=1024``), or by a mapping such as
Streamlit's secrets passed to ``load_limits``, whose keys may be written either way
(``max_units`` or ``LSTM_LAB_MAX_UNITS``).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from lstm_core.errors import ConfigError


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what one visitor may ask of the app."""

    max_upload_mb: float = 20.0  # largest CSV file accepted, in MB
    max_rows: int = 200_000  # rows of a CSV after loading
    max_columns: int = 200  # columns of a CSV after loading
    max_timesteps: int = 1_000  # lookback (window length) or padded sequence length
    max_layers: int = 6  # recurrent layers in one stack
    max_units: int = 512  # units of one recurrent layer
    max_epochs: int = 1_000  # epochs of one training job
    max_batch_size: int = 4_096  # samples per batch
    max_concurrent_jobs: int = 2  # jobs of every kind running at once in one process
    memory_budget_mb: float = 750.0  # estimated memory one training job may use, in MB
    # Hosted mode: a visitor's workspace is removed this many days after its last run ...
    retention_days: float = 30.0
    store_cap_mb: float = 2_000.0  # ... or sooner, oldest first, while the store holds more
    max_sweep_trials: int = 200  # trials one sweep may expand into (axes x seeds)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def load_limits(overrides: Mapping[str, object] | None = None) -> Limits:
    """Build ``Limits`` from the defaults, then ``LSTM_LAB_*`` variables, then ``overrides``.

    Args:
        overrides: optional mapping of field name (any case, with or without the
            ``LSTM_LAB_`` prefix) to value, e.g. Streamlit secrets; other keys are ignored.

    Raises:
        ConfigError: a value that is not a positive number.
    """
    values: dict[str, object] = {}
    for field in dataclasses.fields(Limits):
        env_value = os.environ.get(f"LSTM_LAB_{field.name.upper()}")
        if env_value is not None:
            values[field.name] = env_value
    for key, value in (overrides or {}).items():
        name = str(key).lower().removeprefix("lstm_lab_")
        if name in {f.name for f in dataclasses.fields(Limits)}:
            values[name] = value
    parsed = {}
    for field in dataclasses.fields(Limits):
        if field.name not in values:
            continue
        kind = int if field.type in ("int", int) else float
        raw = values[field.name]
        try:
            number = kind(raw)
        except (TypeError, ValueError):
            raise ConfigError(
                f"Limit {field.name!r} must be a positive {'whole number' if kind is int else 'number'}, "
                f"got {raw!r}; "
                f"fix LSTM_LAB_{field.name.upper()} or the {field.name} secret."
            ) from None
        if not 0 < number < math.inf:  # NaN fails this too
            raise ConfigError(
                f"Limit {field.name!r} must be positive and finite, got {number}; "
                f"fix LSTM_LAB_{field.name.upper()} or the {field.name} secret."
            )
        parsed[field.name] = number
    return Limits(**parsed)


def sweeps_enabled(hosted: bool, overrides: Mapping[str, object] | None = None) -> bool:
    """Whether sweeps (``lstm_core.sweeps``) may run: always on one's own machine; in hosted
    mode only when the host sets ``LSTM_LAB_SWEEPS`` (environment or ``overrides``, e.g.
    Streamlit's secrets) to ``1``, ``true`` or ``yes``, since a sweep keeps every core busy."""
    if not hosted:
        return True
    flag = os.environ.get("LSTM_LAB_SWEEPS", "")
    for key, value in (overrides or {}).items():
        if str(key).lower().removeprefix("lstm_lab_") == "sweeps":
            flag = value
    return str(flag).strip().lower() in ("1", "true", "yes")
