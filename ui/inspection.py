"""The States page's glue: which trained model to open, and what to ask ``lstm_core.inspect``.

The model is this session's last training job, once it has ended (its weights no longer
change); the samples come from the windows it was trained on.
"""

from __future__ import annotations

import numpy as np

from lstm_core.data import Windows
from lstm_core.errors import DataError
from lstm_core.model import LayerSpec, ModelSpec, describe
from ui import training

SPLITS = {"test": "test", "val": "validation", "train": "training"}
INITIAL_STATES = ("zeros", "random", "value")


def trained_job():
    """This session's training job if it ended with a model to inspect, else ``None``."""
    job = training.current_job()
    if job is None or not job.snapshot().done or job.model is None or job.result is None:
        return None
    return job


def sample_batch(windows: Windows, split: str, sample: int) -> np.ndarray:
    """One sample of a split as a batch of one, ``(1, timesteps, features)``."""
    x = getattr(windows, f"x_{split}")  # (samples, timesteps, features)
    if not 0 <= sample < len(x):
        raise DataError(
            f"Sample {sample} is outside the {SPLITS[split]} split, which has {len(x)} "
            f"samples; choose one from 0 to {len(x) - 1}."
        )
    return x[sample : sample + 1]


def initial_state(model_spec: ModelSpec, layer: int, how: str, value: float, seed: int):
    """The what-if initial state of one layer, as ``lstm_core.inspect`` takes it.

    Args:
        layer: 1-based index of the layer to start differently; the others start from zeros.
        how: ``"zeros"`` (Keras' default: ``None`` is returned), ``"random"`` (uniform in
            [-1, 1], seeded) or ``"value"`` (every unit of h0 and c0 set to ``value``).

    Returns:
        ``None`` or ``{layer: [h0] or [h0, c0]}``, each ``(1, units)`` float32.
    """
    if how == "zeros":
        return None
    spec = model_spec.layers[layer - 1]
    count = 2 if spec.kind == "lstm" else 1  # h0, and c0 for an LSTM
    shape = (1, spec.units)
    if how == "random":
        rng = np.random.default_rng(seed)
        return {layer: [rng.uniform(-1.0, 1.0, shape).astype("float32") for _ in range(count)]}
    return {layer: [np.full(shape, value, "float32") for _ in range(count)]}


def option_returns(layer: LayerSpec, timesteps: int, width: int) -> list[dict]:
    """What the layer would return under each combination of Keras' two return options.

    Args:
        layer: the layer as built.
        timesteps: steps per sample.
        width: values per step the layer reads (features, or the units of the layer below).

    Returns:
        One row per combination: the options, and the tensors with their shapes, from
        ``lstm_core.model.describe`` (so no model is built).
    """
    rows = []
    for sequences in (False, True):
        for states in (False, True):
            variant = LayerSpec(
                kind=layer.kind, units=layer.units, return_sequences=sequences, return_state=states
            )
            (described,) = describe(ModelSpec(layers=(variant,)), timesteps, width)
            rows.append(
                {
                    "return_sequences": sequences,
                    "return_state": states,
                    "returns": described["returns"],
                    "as built": (sequences, states) == (layer.return_sequences, layer.return_state),
                }
            )
    return rows
