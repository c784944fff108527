"""The model's forward pass with a zero "probe" added to each state of its first recurrent layer.

Adding a zero tensor changes no value, and makes the gradient with respect to the probe the
total gradient with respect to the state it was added to:

- ``h_t + p_t`` is what the output at ``t``, the next step and the layers above see, so
  ``dL/dp_t = dL/dh_t``;
- for an LSTM, ``q_t`` is added to ``c_t = f_t * c_{t-1} + i_t * g_t`` *before*
  ``h_t = o_t * tanh(c_t)`` reads it, so ``dL/dq_t = dL/dc_t`` through both paths: into
  ``h_t`` and into ``c_{t+1}``. A cell call computes ``h_t`` from ``c_t`` inside it, so a cell
  with a state besides its output is stepped by its row's ``probe_step``
  (``lstm_core.cells``): Keras' LSTM step written out here, ``keras_lstm_step`` (same weights,
  same gate order i, f, c, o), and the LSTM variants' in ``lstm_core.model.variants``. A cell
  whose one state is its output is called as it is, and the probe added to what it hands on.

The cell's row says all this; nothing here asks which class the cell is.

The forward pass is the project's own walk of the layers ``lstm_core.model.build_model`` makes
(``masking``, ``layer_1`` ... ``layer_n``, then ``flatten``/``head`` or the copy task's
``step_head``), in Keras' ops, so it runs on every Keras backend. Only
``lstm_core.experiments.gradients`` uses this module, and imports it lazily.
"""

import keras
from keras import ops

from lstm_core.cells import CELLS, OUTPUT_STATE, Cell, function_at, kind_of_layer
from lstm_core.errors import SpecError


def keras_lstm_step(cell, x_t, states, probes) -> list:
    """Keras' LSTM step with ``q_t`` added to ``c_t`` before ``h_t`` reads it: the
    ``probe_step`` of the ``lstm`` row.

    Args:
        cell: a built ``keras.layers.LSTMCell``.
        x_t: ``(B, features)``; states: ``[h_t-1, c_t-1]``; probes: ``[p_t, q_t]``, each
            ``(B, U)``.

    Returns:
        ``[h_t + p_t, c_t + q_t]``, each ``(B, U)``.
    """
    (h_prev, c_prev), (h_probe, c_probe) = states, probes
    z = ops.matmul(x_t, cell.kernel) + ops.matmul(h_prev, cell.recurrent_kernel)  # (B, 4U)
    if cell.use_bias:
        z = z + cell.bias
    z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)  # Keras' gate order i, f, c, o
    i = cell.recurrent_activation(z_i)
    f = cell.recurrent_activation(z_f)
    o = cell.recurrent_activation(z_o)
    c = f * c_prev + i * cell.activation(z_g) + c_probe
    return [o * cell.activation(c) + h_probe, c]


def keep_gate_block(row: Cell) -> int | None:
    """The weight block of the row's keep gate when that gate is ``σ(x_t W + h_t-1 U + b)`` of
    its block alone, which ``ProbedRecurrent`` computes after the loop: an LSTM's ``f``. None
    for a row without a keep gate of its own block, with peepholes (``f`` also reads
    ``c_t-1``) or with two biases per block (a GRU's ``z``)."""
    if row.keep_gate not in row.block_gates or row.peephole_gates or row.bias_per_block != 1:
        return None
    return row.block_gates.index(row.keep_gate)


class ProbedCell(keras.layers.Layer):
    """One step of ``cell`` with the step's probes added to its new states.

    Args:
        cell: a built Keras recurrent cell; its weights are shared.
        row: the cell's row of ``lstm_core.cells.CELLS``: its states, and the ``probe_step``
            of a cell with a state besides its output.

    Call arguments:
        inputs: ``concat([x_t, p_t])``, shape ``(batch, features + n_states * units)``, with
            ``n_states`` the row's states (2 for an LSTM: ``h``, ``c``).
        states: the previous states, a list of ``n_states`` tensors ``(batch, units)``.

    Returns:
        ``(h_t + p_t, new_states)``, ``(batch, units)`` and the probed states. (The output is
        the output state, first for every row, as Keras' JAX loop assumes of a masked step's
        previous output.)
    """

    def __init__(self, cell, row: Cell):
        super().__init__(dtype=cell.dtype_policy)
        self.cell = cell
        self.output_index = row.state_names.index(OUTPUT_STATE)
        self.probe_step = None if row.probe_step is None else function_at(row.probe_step)
        self.state_size = cell.state_size
        self.output_size = cell.units

    def build(self, input_shape):
        self.built = True  # the wrapped cell's weights already exist

    def get_initial_state(self, batch_size=None):
        return self.cell.get_initial_state(batch_size=batch_size)

    def call(self, inputs, states):
        states = list(states) if isinstance(states, list | tuple) else [states]
        units = self.cell.units
        features = inputs.shape[-1] - len(states) * units
        x_t = inputs[:, :features]  # (B, features)
        probes = ops.split(inputs[:, features:], len(states), axis=-1)  # n_states x (B, U)
        if self.probe_step is not None:
            new_states = self.probe_step(self.cell, x_t, states, probes)
        else:  # the one state is the output: the probe is added to what the cell hands on
            _, handed = self.cell(x_t, states, training=False)
            handed = list(handed) if isinstance(handed, list | tuple) else [handed]
            new_states = [state + probe for state, probe in zip(handed, probes, strict=True)]
        return new_states[self.output_index], new_states


class ProbedRecurrent:
    """A stand-in for a built recurrent layer that takes state probes.

    It reruns ``layer``'s cell (same weights, direction and masking) through ``ProbedCell`` and
    returns what ``layer`` returns, computed from the probed states, plus the keep gates.

    Args:
        layer: the Keras recurrent layer to stand in for, of a kind in ``lstm_core.cells``.

    Call arguments:
        inputs: ``(batch, timesteps, features)``, what ``layer`` reads.
        probes: zeros ``(batch, timesteps, n_states * units)``: at step ``t``, ``probes[:, t]``
            is added to the states made from ``inputs[:, t]``, in the row's order (``h``, then
            ``c`` for an LSTM).
        mask: ``(batch, timesteps)`` booleans or ``None``; masked steps keep the states.

    Returns:
        ``(returned, forget)``: ``returned`` is the list of what ``layer`` returns
        (``output``, then its final states if ``return_state``); ``forget`` the keep gates
        ``(batch, timesteps, units)`` in the order of ``inputs`` where ``keep_gate_block``
        finds one (an LSTM's forget gates), else ``None``.
    """

    def __init__(self, layer):
        self.layer = layer
        self.row = CELLS[kind_of_layer(layer)]
        self.cell = ProbedCell(layer.cell, self.row)
        self.keep_block = keep_gate_block(self.row)
        self.rnn = keras.layers.RNN(
            self.cell,
            return_sequences=True,  # every step's h_t, whatever the layer returns
            return_state=True,
            go_backwards=layer.go_backwards,
            unroll=layer.unroll,
            zero_output_for_mask=layer.zero_output_for_mask,
        )

    def __call__(self, inputs, probes, mask=None):
        seq = ops.concatenate([inputs, probes], axis=-1)  # (B, T, features + n_states * U)
        h_seq, *states = self.rnn(seq, mask=mask)  # (B, T, U) in reading order, final states
        output = h_seq if self.layer.return_sequences else h_seq[:, -1]
        returned = [output, *states] if self.layer.return_state else [output]
        forget = None if self.keep_block is None else self._keep_gates(inputs, h_seq)
        return returned, forget

    def _keep_gates(self, inputs, h_seq):
        """``f_t = σ(x_t W_f + h_{t-1} U_f + b_f)`` at every step at once (a gate of the table
        is a sigmoid), from the weight block ``keep_block``.

        Computed from the states after the loop rather than inside it, which keeps the loop's
        output the state ``h_t`` alone. ``h_seq`` is in reading order (last step first when
        going backwards), ``h_{-1} = 0``. Returns ``(B, T, U)`` in the order of ``inputs``.
        """
        cell, backwards = self.layer.cell, self.layer.go_backwards
        block = slice(self.keep_block * cell.units, (self.keep_block + 1) * cell.units)
        x_seq = ops.flip(inputs, axis=1) if backwards else inputs  # reading order
        h_prev = ops.concatenate([ops.zeros_like(h_seq[:, :1]), h_seq[:, :-1]], axis=1)
        z = ops.matmul(x_seq, cell.kernel[:, block])  # (B, T, U)
        z = z + ops.matmul(h_prev, cell.recurrent_kernel[:, block])
        if cell.use_bias:
            z = z + cell.bias[block]
        forget = ops.sigmoid(z)  # (B, T, U), reading order
        return ops.flip(forget, axis=1) if backwards else forget


def probed_forward(model, probed: ProbedRecurrent, x, probes):
    """``model``'s prediction for ``x``, with ``probed`` standing in for its first layer.

    Walks the layers ``build_model`` guarantees, in order: an optional ``Masking`` layer (its
    mask goes to every recurrent layer that still reads full sequences), the recurrent layers
    ``layer_1`` ... ``layer_n`` (each reads the ``output`` of the one below), then the layers
    after the stack (``Flatten``, ``Dense``). Outside ``fit`` every layer runs in inference
    mode (no dropout).

    Args:
        model: a functional ``keras.Model`` from ``build_model`` (or
            ``lstm_core.experiments.build_task_model``).
        probed: the stand-in for the model's first recurrent layer.
        x: ``(batch, timesteps, features)``.
        probes: ``(batch, timesteps, n_states * units)`` zeros, see ``ProbedRecurrent``.

    Returns:
        ``(y_pred, forget)``: the model's output and the forget gates of ``probed`` (or None).

    Raises:
        SpecError: a layer the walk does not know (the model was not built by LSTM Lab).
    """
    mask, forget = None, None
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.layers.Masking):
            mask = layer.compute_mask(x)  # (B, T)
            x = layer(x)
        elif isinstance(layer, keras.layers.RNN):
            if layer is probed.layer:
                returned, forget = probed(x, probes, mask)
            else:
                returned = layer(x, mask=mask, training=False)
                returned = list(returned) if layer.return_state else [returned]
            x = returned[0]
            mask = mask if layer.return_sequences else None
        elif isinstance(layer, keras.layers.Flatten | keras.layers.Dense):
            x = layer(x)
        else:
            raise SpecError(
                f"The gradient profile walks the layers build_model makes (Masking, LSTM, GRU, "
                f"SimpleRNN, Flatten, Dense), got layer {layer.name!r} of type "
                f"{type(layer).__name__}; profile a model built by lstm_core.model.build_model."
            )
    return x, forget
