"""The gradient profile's one backend-specific step: a loss's gradient with respect to inputs.

Everything else in the gradient lab is written in Keras' ops and runs on any backend; taking a
gradient is not part of Keras' API, so it is written once per backend here: a
``tf.GradientTape`` inside a ``tf.function`` on TensorFlow, ``jax.value_and_grad`` on JAX (with
the model's variables passed in through ``keras.StatelessScope``, so a compiled function follows
the weights as they train instead of freezing them as constants).
"""

from __future__ import annotations

from collections.abc import Callable

from lstm_core.errors import ConfigError

BACKENDS = ("tensorflow", "jax")


def input_gradients(
    loss: Callable, summarize: Callable, variables: list, *, jit_compile: bool
) -> Callable:
    """Compile ``(x, probes, y) -> summarize(dL/dx, dL/dprobes, aux)``.

    Args:
        loss: ``loss(x, probes, y) -> (scalar loss, aux)``, written in Keras' ops.
        summarize: ``summarize(dx, dprobes, aux) -> dict`` of tensors, in Keras' ops; it runs
            inside the compiled function, so only its (small) results leave it.
        variables: the Keras variables ``loss`` reads (the model's weights).
        jit_compile: compile with XLA (TensorFlow) or ``jax.jit`` (JAX).

    Returns:
        A function of ``x`` ``(batch, timesteps, features)``, ``probes`` and ``y`` returning
        ``summarize``'s dict.

    Raises:
        ConfigError: Keras runs on a backend other than TensorFlow or JAX.
    """
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _tensorflow(loss, summarize, jit_compile)
    if backend == "jax":
        return _jax(loss, summarize, variables, jit_compile)
    raise ConfigError(
        f"The gradient profile runs on the Keras backends {BACKENDS}, got KERAS_BACKEND="
        f"{backend!r}; set KERAS_BACKEND to tensorflow or jax."
    )


def _tensorflow(loss, summarize, jit_compile):
    import tensorflow as tf

    def step(x, probes, y):
        with tf.GradientTape() as tape:
            tape.watch([x, probes])
            value, aux = loss(x, probes, y)
        dx, dprobes = tape.gradient(value, [x, probes])
        return summarize(dx, dprobes, aux)

    return tf.function(step, reduce_retracing=True, jit_compile=jit_compile)


def _jax(loss, summarize, variables, jit_compile):
    import jax
    import keras

    def step(values, x, probes, y):
        with keras.StatelessScope(state_mapping=list(zip(variables, values, strict=True))):
            grad = jax.grad(loss, argnums=(0, 1), has_aux=True)
            (dx, dprobes), aux = grad(x, probes, y)
            return summarize(dx, dprobes, aux)

    compiled = jax.jit(step) if jit_compile else step
    return lambda x, probes, y: compiled([v.value for v in variables], x, probes, y)
