"""How much arithmetic a training step is, and how many steps to run per Keras call.

Keras runs ``fit`` as one call of a compiled train function per batch, and for a small
recurrent model the Python work around each call (callbacks, dispatch, reading the logs)
costs as much as the batch itself. ``steps_per_execution = k`` runs ``k`` batches per call
inside the compiled function, so that cost is paid once per ``k`` batches. The engine picks
``k`` so that one call takes about ``TARGET_CALL_S``: long enough to amortise the overhead,
short enough that progress (and ``stop()``) comes at least once a second.

The call time is estimated from the FLOPs of a batch, counted analytically: a gated layer
with ``g`` gates (LSTM 4, GRU 3, SimpleRNN 1) does, per sample and step, the matrix products
``x_t @ kernel`` and ``h_{t-1} @ recurrent_kernel``, ``2 * g * units * (inputs + units)``
FLOPs (a multiply-add is 2 FLOPs); backpropagation costs about twice the forward pass.

On a CPU, a narrow recurrent layer spends most of each time step dispatching its dozens of
small element-wise ops rather than computing them. XLA (``jit_compile``) fuses them: measured
on the demo model (2 LSTM layers of 32 units, 50 steps, batch 64) an epoch takes about 30 %
less time, but compiling costs about 2 s more per layer up front; and on wide layers, where
the matrix products dominate, XLA's CPU products are about twice as slow as oneDNN's (2 LSTM
layers of 128 units, 8 features, batch 256). So XLA is chosen only for narrow layers and for
runs long enough to repay the compilation; on a GPU Keras' own choice stands. On JAX there is
no choice: every Keras function is compiled by XLA (``jit_compile=False`` would run it op by op).
"""

from __future__ import annotations

import math

from lstm_core.cells import CELLS

# Forward plus backward pass, in forward passes.
TRAINING_FACTOR = 3
# Aim of one train-function call, in seconds.
TARGET_CALL_S = 0.25
# A conservative rate and per-step cost for the estimate, measured on a 2-core CPU with the
# demo model (2 LSTM layers of 32 units, 50 steps): ~12 ms per batch of 64, ~20 GFLOP/s.
# Erring slow only makes k smaller, which keeps progress frequent.
ASSUMED_FLOPS_PER_S = 20e9
STEP_OVERHEAD_S = 2e-3
MAX_STEPS_PER_EXECUTION = 64
# XLA on a CPU: only for at most this many training FLOPs per time step of a batch (the demo
# model does 4.8e6, the wide one above 3.1e8), when the time it saves repays its compilation.
XLA_MAX_FLOPS_PER_STEP = 2e7
XLA_SAVES = 0.3  # share of the fit time saved
XLA_COMPILE_S_PER_LAYER = 2.0  # extra compilation, per recurrent layer


def forward_flops(model_spec, timesteps: int, features: int) -> float:
    """FLOPs of the forward pass of one sample ``(timesteps, features)`` through the stack
    of recurrent layers and the dense head of ``model_spec`` (a ``ModelSpec``)."""
    flops = 0.0
    inputs = features
    for layer in model_spec.layers:
        flops += timesteps * 2 * CELLS[layer.kind].blocks * layer.units * (inputs + layer.units)
        inputs = layer.units
    if model_spec.layers[-1].return_sequences:
        inputs *= timesteps  # the head reads every step, flattened
    return flops + 2 * inputs * model_spec.outputs


def training_flops(model_spec, timesteps: int, features: int, samples: int) -> float:
    """FLOPs of one training step (forward and backward) over ``samples`` samples."""
    return TRAINING_FACTOR * samples * forward_flops(model_spec, timesteps, features)


def choose_steps_per_execution(
    flops_per_batch: float, batches_per_epoch: int, unrolled: bool = False
) -> int:
    """Batches per train-function call: about ``TARGET_CALL_S`` of work, 1 to
    ``min(batches_per_epoch, MAX_STEPS_PER_EXECUTION)``; 1 where the backend unrolls the
    ``k`` steps of a call into one program (``unrolled``, JAX: compiling it takes ``k`` times
    as long, and an epoch's shorter last call compiles again), where a call has no Python
    overhead to amortise beyond the per-batch callbacks."""
    if unrolled:
        return 1
    k = math.floor(TARGET_CALL_S / estimated_batch_s(flops_per_batch))
    return max(1, min(k, batches_per_epoch, MAX_STEPS_PER_EXECUTION))


def estimated_batch_s(flops_per_batch: float) -> float:
    """A conservative estimate of one training batch's seconds on a CPU."""
    return STEP_OVERHEAD_S + flops_per_batch / ASSUMED_FLOPS_PER_S


def choose_jit_compile(
    flops_per_batch: float,
    timesteps: int,
    batches: int,
    layers: int,
    gpu: bool,
    always_compiled: bool = False,
) -> bool | str:
    """``jit_compile`` for ``model.compile``: ``True`` where the backend always compiles
    (JAX); ``"auto"`` (Keras' choice) on a GPU; on a CPU, ``True`` for narrow layers when the
    estimated time saved over ``batches`` (all epochs) exceeds the extra compilation of
    ``layers`` recurrent layers, else ``False``."""
    if always_compiled:
        return True
    if gpu:
        return "auto"
    narrow = flops_per_batch / timesteps <= XLA_MAX_FLOPS_PER_STEP
    saved_s = XLA_SAVES * batches * estimated_batch_s(flops_per_batch)
    return narrow and saved_s >= XLA_COMPILE_S_PER_LAYER * layers
