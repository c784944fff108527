"""One call of a layer's cell, written out: its three inputs, every gate and its two outputs.

The seed notes' picture: an LSTM layer is one cell called once per time step, reading ``x_t``,
``h_{t-1}`` and ``c_{t-1}`` and handing on ``h_t`` and ``c_t``. ``cell_step`` takes the states
before step ``t`` from the layer's trace and makes the one call with the reference cell, so the
pre-activations (which a trace does not keep) come with the gates and states.
"""

from __future__ import annotations

import numpy as np

from lstm_core import reference
from lstm_core.cells import CELLS
from lstm_core.errors import DataError
from lstm_core.inspect.states import check_layer_index, check_x, input_mask, run_layers
from lstm_core.model.build import layer_kind, recurrent_layers


def cell_step(model, x, layer: int, t: int, initial_state: dict | None = None) -> dict:
    """The ``t``-th call of layer ``layer``'s cell for one sample, with every value it makes.

    Args:
        model: a model from ``build_model``.
        x: one sample, ``(1, timesteps, features)``.
        layer: the 1-based index of the recurrent layer.
        t: the 0-based step in the layer's reading order, ``0 <= t < timesteps``; with
            ``go_backwards`` step ``t`` reads input step ``timesteps - 1 - t``, as in Keras.
        initial_state: as in ``lstm_core.inspect.trace``: ``{layer index: [h0] or [h0, c0]}``,
            each ``(1, units)``.

    Returns:
        A dict of float32 arrays, each ``(units,)`` except ``x_t``: the inputs ``x_t``
        (``(width,)``, the features, or the units of the layer below), ``h_prev`` and, for an
        LSTM, ``c_prev``; the pre-activations ``pre_<gate>`` and the gates (LSTM ``i, f, g, o``;
        GRU ``z, r, candidate``; SimpleRNN only ``pre_h``); the outputs ``h`` and, for an
        LSTM, ``c``. On a masked (padded) step the cell is not applied: ``h`` and ``c`` keep
        their values from the step before, as in Keras, while the gates show what it computed.

    Raises:
        DataError: ``x`` not one sample of the model's shape, or ``layer``, ``t`` or an
            initial state out of range.
    """
    x = check_x(model, x)
    if len(x) != 1:
        raise DataError(
            f"cell_step takes one sample, x of shape (1, timesteps, features), got {x.shape}; "
            f"pass x[k : k + 1] for sample k."
        )
    layers = recurrent_layers(model)
    layer = check_layer_index(layer, len(layers))
    timesteps = x.shape[1]
    if isinstance(t, bool) or not isinstance(t, int | np.integer) or not 0 <= t < timesteps:
        raise DataError(
            f"t must be a step from 0 to {timesteps - 1} (the sample has {timesteps} timesteps), "
            f"got {t!r}."
        )
    *_, (_, rnn, inputs, steps) = run_layers(model, x, layer, initial_state)
    kind = layer_kind(rnn)
    read = inputs[:, ::-1] if rnn.go_backwards else inputs  # (1, timesteps, width), reading order
    state_names = CELLS[kind].state_names
    before = {}
    for position, name in enumerate(state_names):
        if t > 0:
            before[name] = steps[name][:, t - 1]  # (1, units)
        elif initial_state and layer in initial_state:
            before[name] = np.asarray(initial_state[layer][position], np.float32)
        else:
            before[name] = np.zeros((1, rnn.cell.units), np.float32)
    computed = reference.step(kind, read[:, t], rnn.get_weights(), **before)
    mask = input_mask(model, x)  # (1, timesteps) or None
    if mask is not None and not (mask[:, ::-1] if rnn.go_backwards else mask)[0, t]:
        computed.update(before)  # a skipped step hands its states on unchanged
    result = {"x_t": read[0, t], **{f"{name}_prev": before[name][0] for name in state_names}}
    result.update({name: value[0] for name, value in computed.items()})
    return {name: np.asarray(value, np.float32) for name, value in result.items()}
