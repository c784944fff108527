"""Estimate the memory a training job needs, and refuse one that will not fit.

A hosted app has about 2.5 GB for every visitor together, so a job is checked against
``Limits.memory_budget_mb`` before it starts. The estimate is deliberately simple and errs
high; it counts, in float32:

- weights, their gradients and Adam's two moment slots: ``4 * params``;
- activations kept for backpropagation through time: for every recurrent layer and step,
  the gate pre-activations and the states, ``batch * timesteps * units * k`` with
  ``k = 4 + 2`` for an LSTM (i, f, g, o and h, c), ``3 + 1`` for a GRU, ``1 + 1`` for SimpleRNN;
- the windowed data set held in memory: ``samples * timesteps * features`` per copy
  (the arrays and the tf.data copy of the training split).
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_core.cells import CELLS
from lstm_core.errors import ConfigError
from lstm_core.settings import Limits, load_limits

BYTES_PER_FLOAT = 4


@dataclass(frozen=True)
class MemoryEstimate:
    """A training job's estimated memory, in MB, by what uses it."""

    weights_mb: float  # weights, gradients and optimizer slots
    activations_mb: float  # per-step values kept for backpropagation, one batch
    data_mb: float  # the windowed samples held in memory

    @property
    def total_mb(self) -> float:
        return self.weights_mb + self.activations_mb + self.data_mb


def estimate_memory(model_spec, timesteps: int, features: int, batch_size: int, samples: int):
    """Estimate what training ``model_spec`` on ``samples`` windows needs.

    Args:
        model_spec: a ``lstm_core.model.ModelSpec``.
        timesteps: window length of ``x``, which is ``(samples, timesteps, features)``.
        features: features per step.
        batch_size: samples per batch.
        samples: all windows held in memory (train, validation and test).

    Returns:
        A ``MemoryEstimate``.
    """
    from lstm_core.model import count_params

    params = count_params(model_spec, timesteps, features)
    # Per step and unit, the float32 values backpropagation keeps: pre-activations and states.
    kept = sum(CELLS[layer.kind].kept_per_unit() * layer.units for layer in model_spec.layers)
    megabyte = 1024**2
    return MemoryEstimate(
        weights_mb=4 * params * BYTES_PER_FLOAT / megabyte,
        activations_mb=batch_size * timesteps * kept * BYTES_PER_FLOAT / megabyte,
        data_mb=2 * samples * timesteps * features * BYTES_PER_FLOAT / megabyte,
    )


def check_memory(estimate: MemoryEstimate, limits: Limits | None = None) -> MemoryEstimate:
    """Return ``estimate`` if it fits ``limits.memory_budget_mb``, else raise ``ConfigError``.

    The message names the part that uses most and the setting that lowers it.
    """
    limits = limits or load_limits()
    if estimate.total_mb <= limits.memory_budget_mb:
        return estimate
    parts = {
        "activations": (estimate.activations_mb, "lower the batch size, the lookback or the units"),
        "weights": (estimate.weights_mb, "lower the units or the number of layers"),
        "data": (estimate.data_mb, "lower the lookback or use fewer rows or features"),
    }
    largest = max(parts, key=lambda name: parts[name][0])
    size, fix = parts[largest]
    raise ConfigError(
        f"This training job needs about {estimate.total_mb:,.0f} MB, more than the "
        f"{limits.memory_budget_mb:,.0f} MB budget per job (most of it, {size:,.0f} MB, for "
        f"{largest}); {fix}."
    )
