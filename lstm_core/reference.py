"""LSTM, GRU, SimpleRNN and the LSTM variants written out in NumPy, one step at a time: the proof.

``lstm_cell``, ``gru_cell`` and ``rnn_cell`` make one call of a cell, with every value it
computes, pre-activations included; ``step`` makes that call from Keras' weights. The
``*_forward`` functions loop a cell over a sequence in Keras' weight layout and return every
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


def lstm_cell(xw_t, h, c, recurrent_kernel) -> dict[str, np.ndarray]:
    """One LSTM step from the projected input ``xw_t = x_t @ kernel + bias``.

    Args:
        xw_t: ``(batch, 4 * units)``, gate order i, f, c, o.
        h, c: the states before the step, each ``(batch, units)``.
        recurrent_kernel: ``(units, 4 * units)``.

    Returns:
        ``{"pre_i", "pre_f", "pre_g", "pre_o", "i", "f", "g", "o", "c", "h"}``, each
        ``(batch, units)``: the gates' pre-activations, the gates and the new states.
    """
    units = recurrent_kernel.shape[0]
    z = xw_t + h @ recurrent_kernel  # (B, 4U): the pre-activations of i, f, g, o
    pre = {name: z[:, k * units : (k + 1) * units] for k, name in enumerate("ifgo")}
    i, f, o = sigmoid(pre["i"]), sigmoid(pre["f"]), sigmoid(pre["o"])
    g = np.tanh(pre["g"])
    c_new = f * c + i * g
    h_new = o * np.tanh(c_new)
    out = {f"pre_{name}": value for name, value in pre.items()}
    return {**out, "i": i, "f": f, "g": g, "o": o, "c": c_new, "h": h_new}


def gru_cell(xw_t, h, recurrent_kernel, recurrent_bias) -> dict[str, np.ndarray]:
    """One GRU step (``reset_after=True``) from the projected input ``x_t @ kernel + bias[0]``.

    Args:
        xw_t: ``(batch, 3 * units)``, gate order z, r, h.
        h: the state before the step, ``(batch, units)``.
        recurrent_kernel: ``(units, 3 * units)``.
        recurrent_bias: ``(3 * units,)``, Keras' ``bias[1]``.

    Returns:
        ``{"pre_z", "pre_r", "pre_candidate", "z", "r", "candidate", "h"}``, each
        ``(batch, units)``, where ``h = z * h_prev + (1 - z) * candidate``.
    """
    units = recurrent_kernel.shape[0]
    hw = h @ recurrent_kernel + recurrent_bias  # (B, 3U)
    pre_z = xw_t[:, :units] + hw[:, :units]
    pre_r = xw_t[:, units : 2 * units] + hw[:, units : 2 * units]
    z, r = sigmoid(pre_z), sigmoid(pre_r)
    pre_candidate = xw_t[:, 2 * units :] + r * hw[:, 2 * units :]  # reset after the matmul
    candidate = np.tanh(pre_candidate)
    h_new = z * h + (1.0 - z) * candidate
    return {
        "pre_z": pre_z,
        "pre_r": pre_r,
        "pre_candidate": pre_candidate,
        "z": z,
        "r": r,
        "candidate": candidate,
        "h": h_new,
    }


def rnn_cell(xw_t, h, recurrent_kernel) -> dict[str, np.ndarray]:
    """One SimpleRNN step from the projected input ``x_t @ kernel + bias`` ``(batch, units)``.

    Returns:
        ``{"pre_h", "h"}``, each ``(batch, units)``: ``h = tanh(pre_h)``.
    """
    pre_h = xw_t + h @ recurrent_kernel  # (B, U)
    return {"pre_h": pre_h, "h": np.tanh(pre_h)}


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
    units = recurrent_kernel.shape[0]
    h = _state(h0, len(xw), units)
    c = _state(c0, len(xw), units)
    out = _steps(xw, units, "hcifgo")
    for t in range(xw.shape[1]):
        step = lstm_cell(xw[:, t], h, c, recurrent_kernel)
        h, c = _carry(step["h"], h, mask, t), _carry(step["c"], c, mask, t)
        _record(out, t, {**step, "h": h, "c": c})
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
    units = recurrent_kernel.shape[0]
    h = _state(h0, len(xw), units)
    out = _steps(xw, units, ("h", "z", "r", "candidate"))
    for t in range(xw.shape[1]):
        step = gru_cell(xw[:, t], h, recurrent_kernel, bias[1])
        h = _carry(step["h"], h, mask, t)
        _record(out, t, {**step, "h": h})
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
    units = recurrent_kernel.shape[0]
    h = _state(h0, len(xw), units)
    out = _steps(xw, units, ("h",))
    for t in range(xw.shape[1]):
        h = _carry(rnn_cell(xw[:, t], h, recurrent_kernel)["h"], h, mask, t)
        out["h"][:, t] = h
    return out


def variant_cell(parts, xw_t, h, c, recurrent_kernel, peephole=None) -> dict[str, np.ndarray]:
    """One step of an LSTM variant (Greff et al. 2017) from ``xw_t = x_t @ kernel + bias``.

    Args:
        parts: the ``lstm_core.cells.Parts`` the variant keeps.
        xw_t: ``(batch, blocks * units)``, the blocks in the order ``parts.blocks``.
        h, c: the states before the step, each ``(batch, units)``.
        recurrent_kernel: ``(units, blocks * units)``.
        peephole: ``(3, units)``, the peephole weights of i, f and o, with ``parts.peepholes``.

    Returns:
        ``pre_<block>`` for each weight block, each gate of ``parts.gates``, ``c`` and ``h``,
        each ``(batch, units)``. A gate the variant lacks is 1 in the arithmetic and absent
        from the result.
    """
    units = recurrent_kernel.shape[0]
    z = xw_t + h @ recurrent_kernel  # (B, blocks * U)
    pre = {name: z[:, k * units : (k + 1) * units] for k, name in enumerate(parts.blocks)}
    if parts.peepholes:  # Gers & Schmidhuber 2000: the gates look at the cell state
        pre["i"] = pre["i"] + peephole[0] * c
        pre["f"] = pre["f"] + peephole[1] * c
    one = np.ones_like(c)
    f = sigmoid(pre["f"]) if parts.forget_gate else one
    i = sigmoid(pre["i"]) if parts.input_gate and not parts.coupled else one
    if parts.coupled:  # CIFG: the input gate writes what the forget gate lets go
        i = 1.0 - f
    g = np.tanh(pre["g"]) if parts.input_activation else pre["g"]
    c_new = f * c + i * g
    if parts.peepholes:
        pre["o"] = pre["o"] + peephole[2] * c_new  # o sees the new cell state
    o = sigmoid(pre["o"]) if parts.output_gate else one
    h_new = o * (np.tanh(c_new) if parts.output_activation else c_new)
    values = {"i": i, "f": f, "g": g, "o": o}
    out = {f"pre_{name}": value for name, value in pre.items()}
    out.update({gate: values[gate] for gate in parts.gates})
    return {**out, "c": c_new, "h": h_new}


def variant_forward(
    parts, x, weights, initial_state=None, *, mask=None, go_backwards=False
) -> dict[str, np.ndarray]:
    """Run an LSTM variant's cell over ``x``, one step at a time.

    Args:
        parts: the ``lstm_core.cells.Parts`` the variant keeps.
        x: inputs, ``(batch, timesteps, features)``.
        weights: ``[kernel (features, blocks * units), recurrent_kernel (units, blocks *
            units), bias (blocks * units,)]``, plus ``peephole (3, units)`` with peepholes.
        initial_state: ``None`` (zeros) or ``[h0, c0]``, each ``(batch, units)``.
        mask, go_backwards: as in ``lstm_forward``.

    Returns:
        ``{"h", "c"}`` and each gate of ``parts.gates``, ``(batch, timesteps, units)`` float32.
    """
    kernel, recurrent_kernel, bias, *peephole = weights
    blocks = len(parts.blocks)
    x = np.asarray(x, np.float64)
    kernel = np.asarray(kernel, np.float64)
    units = kernel.shape[1] // blocks
    if x.ndim != 3 or x.shape[2] != kernel.shape[0] or kernel.shape[1] != blocks * units:
        raise ValueError(
            f"x must be (batch, timesteps, features) and kernel (features, {blocks} * units) "
            f"for this variant, got x {x.shape} and kernel {kernel.shape}."
        )
    mask = None if mask is None else np.asarray(mask, bool)
    if go_backwards:
        x = x[:, ::-1]
        mask = None if mask is None else mask[:, ::-1]
    xw = x @ kernel + np.asarray(bias, np.float64)  # (B, T, blocks * U)
    recurrent_kernel = np.asarray(recurrent_kernel, np.float64)
    peephole = np.asarray(peephole[0], np.float64) if peephole else None
    h0, c0 = initial_state or (None, None)
    h, c = _state(h0, len(xw), units), _state(c0, len(xw), units)
    out = _steps(xw, units, ("h", "c", *parts.gates))
    for t in range(xw.shape[1]):
        values = variant_cell(parts, xw[:, t], h, c, recurrent_kernel, peephole)
        h, c = _carry(values["h"], h, mask, t), _carry(values["c"], c, mask, t)
        _record(out, t, {**values, "h": h, "c": c})
    return out


def forward(kind, x, weights, initial_state=None, *, mask=None, go_backwards=False) -> dict:
    """Run the cell of ``kind`` (a key of ``lstm_core.cells.CELLS``) with Keras'
    ``layer.get_weights()``: the row's NumPy forward pass.

    Args:
        kind: a key of ``lstm_core.cells.CELLS``.
        x: ``(batch, timesteps, features)``.
        weights: ``[kernel, recurrent_kernel, bias]`` (and a variant's ``peephole``) as
            Keras stores them.
        initial_state: ``None`` (zeros), or ``[h0]`` / ``[h0, c0]`` (a cell with ``c``), each
            ``(batch, units)``, as Keras' ``initial_state``.
        mask, go_backwards: as in ``lstm_forward``.
    """
    row = CELLS[kind]
    function = globals()[row.reference]
    if row.parts is not None:  # a variant: its parts say which weights and gates it has
        return function(row.parts, x, weights, initial_state, mask=mask, go_backwards=go_backwards)
    return function(x, *weights, *(initial_state or ()), mask=mask, go_backwards=go_backwards)


def step(kind, x_t, weights, h, c=None) -> dict[str, np.ndarray]:
    """One call of the cell of ``kind`` with Keras' ``layer.get_weights()``: the row's
    ``reference_step``.

    Args:
        kind: a key of ``lstm_core.cells.CELLS``.
        x_t: the step's input, ``(batch, features)``.
        weights: ``[kernel, recurrent_kernel, bias]`` (and a variant's ``peephole``) as Keras
            stores them.
        h: the hidden state before the step, ``(batch, units)``.
        c: the cell state before the step, ``(batch, units)``, for a cell that has one;
            ``None`` otherwise.

    Returns:
        What ``lstm_cell``, ``gru_cell``, ``rnn_cell`` or ``variant_cell`` returns, float64.
    """
    row = CELLS[kind]
    weights = [np.asarray(w, np.float64) for w in weights]
    c = None if c is None else np.asarray(c, np.float64)
    return globals()[row.reference_step](
        row, np.asarray(x_t, np.float64), weights, np.asarray(h, np.float64), c
    )


def lstm_step(row, x_t, weights, h, c) -> dict[str, np.ndarray]:
    """``step`` for Keras' LSTM: ``weights`` are ``[kernel, recurrent_kernel, bias]``."""
    kernel, recurrent_kernel, bias = weights
    return lstm_cell(x_t @ kernel + bias, h, c, recurrent_kernel)  # xw_t: (B, 4U)


def gru_step(row, x_t, weights, h, c) -> dict[str, np.ndarray]:
    """``step`` for Keras' GRU: ``bias`` is ``(2, 3 * units)``, input then recurrent."""
    kernel, recurrent_kernel, bias = weights
    return gru_cell(x_t @ kernel + bias[0], h, recurrent_kernel, bias[1])


def rnn_step(row, x_t, weights, h, c) -> dict[str, np.ndarray]:
    """``step`` for Keras' SimpleRNN."""
    kernel, recurrent_kernel, bias = weights
    return rnn_cell(x_t @ kernel + bias, h, recurrent_kernel)


def variant_step(row, x_t, weights, h, c) -> dict[str, np.ndarray]:
    """``step`` for an LSTM variant: ``weights`` as ``lstm_core.model.variants`` stores them."""
    kernel, recurrent_kernel, bias, *peephole = weights
    peephole = peephole[0] if peephole else None
    return variant_cell(row.parts, x_t @ kernel + bias, h, c, recurrent_kernel, peephole)


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


def _steps(xw: np.ndarray, units: int, names) -> dict[str, np.ndarray]:
    """Empty ``(batch, timesteps, units)`` float32 arrays for the values a forward keeps."""
    batch, timesteps, _ = xw.shape
    return {name: np.empty((batch, timesteps, units), np.float32) for name in names}


def _record(out: dict, t: int, step: dict) -> None:
    """Keep step ``t``'s values of the names ``out`` holds."""
    for name, values in out.items():
        values[:, t] = step[name]


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
