"""Which Keras backend trains, on which device: everything that differs between them.

Keras 3 runs the same models on TensorFlow or JAX, chosen by ``KERAS_BACKEND`` before Keras is
first imported (``lstm_core`` defaults it to ``"tensorflow"``, the reference; the app also reads
it from Streamlit secrets). ``.keras`` files are backend-neutral: a model trained on one backend
opens and inspects on the other.

What differs, and is decided here and nowhere else:

- the devices a backend sees (``device_line``, ``has_gpu``);
- XLA: on TensorFlow ``jit_compile`` is a choice (``lstm_core.train.speed``); on JAX every
  compiled function is an XLA program, and ``jit_compile=False`` would run Keras eagerly, op
  by op, many times slower (``always_compiled``);
- ``steps_per_execution``: TensorFlow runs the ``k`` batches of one call in a loop inside its
  graph; Keras on JAX unrolls them into one program (``unrolls_steps``);
- ``tf.distribute``: TensorFlow's own; on JAX a job trains on one device (``strategy_for``);
- saving a model: on JAX without loading TensorFlow, which Keras would import (``save_model``).

Nothing here imports a backend at import time; each function imports what it asks.
"""

from __future__ import annotations

import contextlib
import os
import sys

from lstm_core import private_apis
from lstm_core.errors import ConfigError

# KERAS_BACKEND value -> the name a user reads.
BACKENDS = {"tensorflow": "TensorFlow", "jax": "JAX"}


def name() -> str:
    """The backend Keras runs on in this process: ``"tensorflow"`` or ``"jax"``.

    Raises:
        ConfigError: ``KERAS_BACKEND`` names a backend LSTM Lab does not train on.
    """
    chosen = os.environ.get("KERAS_BACKEND", "tensorflow")
    if chosen not in BACKENDS:
        raise ConfigError(
            f"KERAS_BACKEND must be one of {', '.join(BACKENDS)}, got {chosen!r}; "
            "set KERAS_BACKEND=tensorflow (the default) or KERAS_BACKEND=jax."
        )
    return chosen


def label() -> str:
    """The backend as a user reads it, e.g. ``"TensorFlow"``."""
    return BACKENDS[name()]


def always_compiled() -> bool:
    """Whether every Keras train and predict function is an XLA program (JAX)."""
    return name() == "jax"


def unrolls_steps() -> bool:
    """Whether Keras compiles the ``steps_per_execution`` batches of a call as one unrolled
    program (JAX), whose compile time grows with their number."""
    return name() == "jax"


def gpus() -> list[str]:
    """The names of the GPUs the backend sees, e.g. ``["NVIDIA H200"]``; empty on a CPU."""
    if name() == "jax":
        import jax

        return [device.device_kind for device in jax.devices() if device.platform == "gpu"]
    import tensorflow as tf

    return [
        tf.config.experimental.get_device_details(device).get("device_name", device.name)
        for device in tf.config.list_physical_devices("GPU")
    ]


def has_gpu() -> bool:
    return bool(gpus())


def device_kind() -> str:
    """The kind of device a job trains on: ``"GPU"`` when the backend sees one, else ``"CPU"``."""
    return "GPU" if has_gpu() else "CPU"


def device_line() -> str:
    """Where a job trains, in words: ``"TensorFlow, CPU"`` or ``"JAX, GPU (NVIDIA H200)"``."""
    found = gpus()
    return f"{label()}, GPU ({found[0]})" if found else f"{label()}, CPU"


def strategy_for(distribute: str | None):
    """The scope a model is built and compiled in, its replicas, and the device line.

    ``distribute="mirrored"`` replicates the model on every local GPU with TensorFlow's
    ``MirroredStrategy``; with fewer than two GPUs, or on JAX, it trains on the default
    device, and the line says so.

    Returns:
        ``(scope, replicas, line)``: a context manager, the number of replicas a global
        batch is split over, and the device line.
    """
    here = device_line()
    if distribute is None:
        return contextlib.nullcontext(), 1, here
    if name() != "tensorflow":
        return contextlib.nullcontext(), 1, f"{here} (MirroredStrategy is TensorFlow's)"
    import tensorflow as tf

    found = gpus()
    if len(found) < 2:
        note = f"{here} (MirroredStrategy needs 2 or more GPUs, found {len(found)})"
        return contextlib.nullcontext(), 1, note
    strategy = tf.distribute.MirroredStrategy()
    line = f"{label()}, MirroredStrategy over {strategy.num_replicas_in_sync} GPUs"
    return strategy.scope(), strategy.num_replicas_in_sync, line


def save_model(model, path) -> None:
    """Save the ``keras.Model`` ``model`` as a ``.keras`` file at ``path``, on either backend.

    On JAX, TensorFlow stays unloaded. Keras' serializer asks its lazy ``tensorflow`` module
    whether TensorFlow is available (to recognise ``tf.TensorShape``, ``tf.DType`` and
    ``tf.TypeSpec`` in a config), and that question imports TensorFlow wherever it is installed,
    as it is beside JAX here (it is the default backend). Measured in the app on JAX (demo
    data, train, States): saving the trained model loaded TensorFlow, which took the peak from
    about 750 to about 1160 MB (290 MB of it TensorFlow's libraries) in a process that never
    runs it. While TensorFlow is not loaded no object can be one of its types, so Keras is told
    that it is not available (Keras caches the answer for the process; a JAX model's config
    holds no TensorFlow object, so nothing else changes).

    Args:
        model: a ``keras.Model``.
        path: where to write it, a ``str`` or ``Path`` ending in ``.keras``.
    """
    if name() == "jax" and "tensorflow" not in sys.modules:
        private_apis.keras_without_tensorflow()
    model.save(path)
