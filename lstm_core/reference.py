"""LSTM, GRU and SimpleRNN written out in NumPy, one step at a time: the proof.

Each function runs one cell over a sequence in Keras' weight layout and returns every
intermediate value at every step. Tests check them against Keras' own layers to ``1e-5``, so
the per-step traces LSTM Lab shows are the values Keras computes, not an approximation.

The LSTM step (Hochreiter & Schmidhuber 1997, with the forget gate of Gers, Schmidhuber &
Cummins 2000), as Keras computes it with gate order i, f, c, o::

    i = sigmoid(x_t @ W_i + h @ U_i + b_i)      input gate
    f = sigmoid(x_t @ W_f + h @ U_f + b_f)      forget gate
    g = tanh(x_t @ W_c + h @ U_c + b_c)         candidate
    o = sigmoid(x_t @ W_o + h @ U_o + b_o)      output gate
    c = f * c + i * g                           cell state ("carry")
    h = o * tanh(c)                             hidden state ("memory"), also the step's output

The GRU (Cho et al. 2014) is Keras' ``reset_after=True`` form, gate order z, r, h, with an
input bias and a recurrent bias ``(2, 3 * units)``; SimpleRNN is ``h = tanh(x_t @ W + h @ U + b)``.

What the seed notes this project grew from get wrong or leave open:

- **Initial states are zeros, not random.** Keras starts ``h`` and ``c`` at zero for every
  sequence unless the layer is called with ``initial_state=[h0, c0]`` (or is ``stateful``).
  ``h0`` and ``c0`` here default to zeros for the same reason.
- **``units`` is the size of ``h`` and ``c``**, not a number of cells or of cell calls. The one
  cell is called once per time step; ``LSTM(200)`` returns one hidden state of 200 numbers per
  sequence, not 200 states. Those units are not independent copies: each gate reads the whole
  previous ``h`` through ``recurrent_kernel (units, 4 * units)``. The weights stay fixed during
  the pass; only the states change from step to step. The output is a scalar only when
  ``units=1``.
- **Stacking feeds sequences, not copies of the input.** A layer reads
  ``(batch, timesteps, features)``, so the layer below must return every step
  (``return_sequences=True``); the upper layer reads that sequence of ``h``, never the raw input.
- **``return_state=True`` returns ``[output, h, c]`` in that order** (``[output, h]`` for GRU and
  SimpleRNN): Keras' "final memory state" ``h`` and "final carry state" ``c`` come after the
  output, not first. Without ``return_sequences`` the output is ``h`` itself; with it the
  output is ``(batch, timesteps, units)``, one ``h`` per step, and ``output[:, -1] == h``. The
  notes' unexplained "48" is most likely that time axis: a 48-step input gives 48 values of
  ``h`` per unit, whatever ``units`` is.
- **PyTorch** returns the same things differently: ``nn.LSTM`` gives ``output, (h_n, c_n)``,
  where ``output`` always holds every step and ``h_n``, ``c_n`` carry a leading layer axis.
- **The vanishing gradient** is about gradients shrinking as they flow back through many time
  steps, not about forgetting old training data. The additive update ``c = f * c + i * g`` lets
  the gradient pass along ``c`` almost unchanged while ``f`` is near 1.

Masking follows Keras: where ``mask`` is False the step is skipped, ``h`` and ``c`` keep their
previous values (the gates are still reported as computed). ``go_backwards=True`` reads the
sequence from the last step to the first, and the results are in that reading order, as Keras
returns its output sequence.
"""

from __future__ import annotations

import numpy as np

from lstm_core.cells import CELLS


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function, written with tanh so that large ``|z|`` cannot overflow ``exp``."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def lstm_forward(
    x, kernel, recurrent_kernel, bias, h0=None, c0=None, *, mask=None, go_backwards=False
) -> dict[str, np.ndarray]:
    """Run an LSTM cell over ``x``, one step at a time, in Keras' weight layout.

    Args:
        x: inputs, ``(batch, timesteps, features)``.
        kernel: ``(features, 4 * units)``, gate order i, f, c, o.
        recurrent_kernel: ``(units, 4 * units)``.
        bias: ``(4 * units,)``.
        h0: initial hidden state ``(batch, units)``; zeros by default, as in Keras.
        c0: initial cell state ``(batch, units)``; zeros by default.
        mask: optional ``(batch, timesteps)`` booleans, False on steps to skip.
        go_backwards: read the steps last to first; results come in reading order.

    Returns:
        ``{"h", "c", "i", "f", "g", "o"}``, each ``(batch, timesteps, units)`` float32: the
        states after each step and the gates of that step.
    """
    xw, recurrent_kernel, mask = _project(
        x, kernel, recurrent_kernel, bias, "lstm", mask, go_backwards
    )  # xw: (B, T, 4U)
    batch, timesteps, _ = xw.shape
    units = recurrent_kernel.shape[0]
    h = _state(h0, batch, units)
    c = _state(c0, batch, units)
    out = {name: np.empty((batch, timesteps, units), np.float32) for name in "hcifgo"}
    for t in range(timesteps):
        z = xw[:, t] + h @ recurrent_kernel  # (B, 4U)
        gates = sigmoid(z)  # i, f and o; the slice for g is replaced by tanh below
        i, f, o = gates[:, :units], gates[:, units : 2 * units], gates[:, 3 * units :]
        g = np.tanh(z[:, 2 * units : 3 * units])
        c_new = f * c + i * g
        h_new = o * np.tanh(c_new)
        h, c = _carry(h_new, h, mask, t), _carry(c_new, c, mask, t)
        out["h"][:, t], out["c"][:, t] = h, c
        out["i"][:, t], out["f"][:, t], out["g"][:, t], out["o"][:, t] = i, f, g, o
    return out


def gru_forward(
    x, kernel, recurrent_kernel, bias, h0=None, *, mask=None, go_backwards=False
) -> dict[str, np.ndarray]:
    """Run a GRU cell (Keras' ``reset_after=True``) over ``x``, one step at a time.

    Args:
        x: inputs, ``(batch, timesteps, features)``.
        kernel: ``(features, 3 * units)``, gate order z (update), r (reset), h (candidate).
        recurrent_kernel: ``(units, 3 * units)``.
        bias: ``(2, 3 * units)``: the input bias, then the recurrent bias.
        h0: initial state ``(batch, units)``; zeros by default.
        mask: optional ``(batch, timesteps)`` booleans, False on steps to skip.
        go_backwards: read the steps last to first; results come in reading order.

    Returns:
        ``{"h", "z", "r", "candidate"}``, each ``(batch, timesteps, units)`` float32, where
        ``h = z * h_prev + (1 - z) * candidate``.
    """
    bias = np.asarray(bias, np.float64)
    xw, recurrent_kernel, mask = _project(
        x, kernel, recurrent_kernel, bias[0], "gru", mask, go_backwards
    )  # xw: (B, T, 3U)
    batch, timesteps, _ = xw.shape
    units = recurrent_kernel.shape[0]
    h = _state(h0, batch, units)
    out = {name: np.empty((batch, timesteps, units), np.float32) for name in ("h", "z", "r")}
    out["candidate"] = np.empty((batch, timesteps, units), np.float32)
    for t in range(timesteps):
        hw = h @ recurrent_kernel + bias[1]  # (B, 3U)
        z = sigmoid(xw[:, t, :units] + hw[:, :units])
        r = sigmoid(xw[:, t, units : 2 * units] + hw[:, units : 2 * units])
        candidate = np.tanh(xw[:, t, 2 * units :] + r * hw[:, 2 * units :])  # reset after matmul
        h = _carry(z * h + (1.0 - z) * candidate, h, mask, t)
        out["h"][:, t], out["z"][:, t], out["r"][:, t] = h, z, r
        out["candidate"][:, t] = candidate
    return out


def rnn_forward(
    x, kernel, recurrent_kernel, bias, h0=None, *, mask=None, go_backwards=False
) -> dict[str, np.ndarray]:
    """Run a SimpleRNN cell (tanh) over ``x``, one step at a time.

    Args:
        x: inputs, ``(batch, timesteps, features)``.
        kernel: ``(features, units)``.
        recurrent_kernel: ``(units, units)``.
        bias: ``(units,)``.
        h0: initial state ``(batch, units)``; zeros by default.
        mask: optional ``(batch, timesteps)`` booleans, False on steps to skip.
        go_backwards: read the steps last to first; results come in reading order.

    Returns:
        ``{"h"}``, ``(batch, timesteps, units)`` float32.
    """
    xw, recurrent_kernel, mask = _project(
        x, kernel, recurrent_kernel, bias, "rnn", mask, go_backwards
    )  # xw: (B, T, U)
    batch, timesteps, units = xw.shape
    h = _state(h0, batch, units)
    out = {"h": np.empty((batch, timesteps, units), np.float32)}
    for t in range(timesteps):
        h = _carry(np.tanh(xw[:, t] + h @ recurrent_kernel), h, mask, t)
        out["h"][:, t] = h
    return out


def forward(kind, x, weights, initial_state=None, *, mask=None, go_backwards=False) -> dict:
    """Run the cell of ``kind`` (a key of ``lstm_core.cells.CELLS``) with Keras'
    ``layer.get_weights()``: the row's NumPy forward pass.

    Args:
        kind: "lstm", "gru" or "rnn".
        x: ``(batch, timesteps, features)``.
        weights: ``[kernel, recurrent_kernel, bias]`` as Keras stores them.
        initial_state: ``None`` (zeros), or ``[h0]`` / ``[h0, c0]`` (LSTM), each
            ``(batch, units)``, as Keras' ``initial_state``.
        mask, go_backwards: as in ``lstm_forward``.
    """
    return globals()[CELLS[kind].reference](
        x, *weights, *(initial_state or ()), mask=mask, go_backwards=go_backwards
    )


def _project(x, kernel, recurrent_kernel, bias, kind, mask, go_backwards):
    """Project every step's input at once: ``(x @ kernel + bias, recurrent_kernel, mask)``.

    One ``(batch * timesteps, features) @ (features, gates * units)`` product up front leaves the
    step loop with only the small recurrent product ``(batch, units) @ (units, gates * units)``.
    The projection and the mask come in reading order; arrays are float64.
    """
    x = np.asarray(x, np.float64)
    kernel = np.asarray(kernel, np.float64)
    blocks = CELLS[kind].blocks
    units = kernel.shape[1] // blocks
    if x.ndim != 3 or x.shape[2] != kernel.shape[0] or kernel.shape[1] != blocks * units:
        raise ValueError(
            f"x must be (batch, timesteps, features) and kernel (features, {blocks} * "
            f"units) for a {kind}, got x {x.shape} and kernel {kernel.shape}."
        )
    if mask is not None:
        mask = np.asarray(mask, bool)
    if go_backwards:
        x = x[:, ::-1]
        mask = None if mask is None else mask[:, ::-1]
    xw = x @ kernel + np.asarray(bias, np.float64)  # (B, T, gates * units)
    return xw, np.asarray(recurrent_kernel, np.float64), mask


def _state(value, batch: int, units: int) -> np.ndarray:
    if value is None:
        return np.zeros((batch, units))
    value = np.asarray(value, np.float64)
    if value.shape != (batch, units):
        raise ValueError(
            f"An initial state must be (batch, units) = {(batch, units)}, got {value.shape}."
        )
    return value


def _carry(new: np.ndarray, old: np.ndarray, mask, t: int) -> np.ndarray:
    """Keras skips a masked step: the state keeps its value from the step before."""
    if mask is None:
        return new
    return np.where(mask[:, t, None], new, old)
