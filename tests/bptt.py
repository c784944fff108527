"""Backpropagation through time for one LSTM layer, by hand in float64 NumPy: a reference for
the gradient profile that shares no code with it (no Keras, no autodiff)."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_bptt(weights, x, y, *, sequences, go_backwards):
    """``dL/dh_t``, ``dL/dc_t`` and ``dL/dx_t`` per sample, by backpropagation through time
    written out by hand in float64 NumPy for a one-LSTM-layer model, the loss
    ``mean((head(h) - y) ** 2)``.

    Args:
        weights: ``[kernel (F, 4U), recurrent_kernel (U, 4U), bias (4U,), head kernel, head
            bias]``, Keras' layout (gate order i, f, c, o).
        x: ``(B, T, F)``; y: ``(B, outputs)``.
        sequences: the head reads every step's ``h`` flattened (``return_sequences``), else
            the last step's.
        go_backwards: the layer reads ``x`` from the last step to the first.

    Returns ``{"h", "c": (B, T, U), "x": (B, T, F)}`` in input order; ``c`` is the total
    derivative, through ``h_t = o_t * tanh(c_t)`` and through ``c_{t+1} = f_{t+1} * c_t + ...``.
    """
    kernel, recurrent, bias, head_kernel, head_bias = (np.asarray(w, np.float64) for w in weights)
    xr = x[:, ::-1] if go_backwards else x  # reading order
    batch, timesteps, _ = xr.shape
    units = recurrent.shape[0]
    h, c = np.zeros((batch, units)), np.zeros((batch, units))
    steps, hs = [], []
    for t in range(timesteps):
        z = xr[:, t] @ kernel + h @ recurrent + bias  # (B, 4U), gates i, f, c, o
        i, f = sigmoid(z[:, :units]), sigmoid(z[:, units : 2 * units])
        g, o = np.tanh(z[:, 2 * units : 3 * units]), sigmoid(z[:, 3 * units :])
        c_prev, c = c, f * c + i * g
        h = o * np.tanh(c)
        steps.append((i, f, g, o, c_prev, c))
        hs.append(h)
    read = np.stack(hs, axis=1).reshape(batch, -1) if sequences else h  # what the head reads
    prediction = read @ head_kernel + head_bias  # (B, outputs)
    d_read = (2 * (prediction - y) / prediction.size) @ head_kernel.T
    dh_out = np.zeros((batch, timesteps, units))  # dL/dh_t through the head only
    if sequences:
        dh_out = d_read.reshape(batch, timesteps, units)
    else:
        dh_out[:, -1] = d_read
    grads = {"h": np.zeros_like(dh_out), "c": np.zeros_like(dh_out), "x": np.zeros_like(xr)}
    dh_next, dc_next = np.zeros((batch, units)), np.zeros((batch, units))  # from step t + 1
    for t in reversed(range(timesteps)):
        i, f, g, o, c_prev, c = steps[t]
        dh = dh_out[:, t] + dh_next
        dc = dc_next + dh * o * (1 - np.tanh(c) ** 2)  # both paths out of c_t
        dz = np.concatenate(
            [
                dc * g * i * (1 - i),
                dc * c_prev * f * (1 - f),
                dc * i * (1 - g**2),
                dh * np.tanh(c) * o * (1 - o),
            ],
            axis=-1,
        )  # (B, 4U)
        grads["h"][:, t], grads["c"][:, t], grads["x"][:, t] = dh, dc, dz @ kernel.T
        dh_next, dc_next = dz @ recurrent.T, dc * f
    return {name: g[:, ::-1] if go_backwards else g for name, g in grads.items()}
