"""A recurrent layer rerun with a zero "probe" added to each new state, to differentiate by it.

Rerunning a layer's own cell inside ``keras.layers.RNN`` with ``h_t + p_t`` (and ``c_t + q_t``)
as the carried states changes no value when the probes are zero, and makes ``dL/dp_t`` the total
gradient ``dL/dh_t``: through the output at ``t`` and through every later step. Only
``lstm_core.experiments.gradients`` uses this module, and imports it lazily.
"""

import keras


class ProbedCell(keras.layers.Layer):
    """Run ``cell``, add the step's probes to its new states and output ``h_t + p_t``.

    Args:
        cell: a built ``SimpleRNNCell``, ``GRUCell`` or ``LSTMCell``; its weights are shared.

    Call arguments:
        inputs: ``concat([x_t, p_t])``, shape ``(batch, features + n_states * units)``, with
            ``n_states`` 2 for an LSTM (``h``, ``c``) and 1 otherwise.
        states: the previous states, a list of ``n_states`` tensors ``(batch, units)``.

    Returns:
        ``(h_t + p_t, new_states)``, ``(batch, units)`` and the probed states.
    """

    def __init__(self, cell):
        super().__init__(dtype=cell.dtype_policy)
        self.cell = cell
        self.state_size = cell.state_size
        self.output_size = cell.units

    def build(self, input_shape):
        self.built = True  # the wrapped cell's weights already exist

    def get_initial_state(self, batch_size=None):
        return self.cell.get_initial_state(batch_size=batch_size)

    def call(self, inputs, states):
        n_states = len(states)
        features = inputs.shape[-1] - n_states * self.cell.units
        x_t = inputs[:, :features]  # (B, features)
        probes = keras.ops.split(inputs[:, features:], n_states, axis=-1)  # n_states x (B, U)
        _, new_states = self.cell(x_t, states, training=False)
        new_states = [s + p for s, p in zip(new_states, probes, strict=True)]
        return new_states[0], new_states  # all three cells output their state h_t


class ProbedRecurrent(keras.layers.Layer):
    """A stand-in for a built ``SimpleRNN``, ``GRU`` or ``LSTM`` layer that takes state probes.

    It reruns ``layer``'s cell (same weights, direction and masking) through ``ProbedCell`` and
    returns what ``layer`` returns, computed from the probed states, plus the forget gates.
    Being a layer with a ``mask`` argument, it receives the padding mask that came with
    ``inputs`` (from ``Masking``) and hands it on to the layers above, as ``layer`` would.

    Args:
        layer: the Keras recurrent layer to stand in for.

    Call arguments:
        inputs: ``(batch, timesteps, features)``, what ``layer`` reads.
        probes: zeros ``(batch, timesteps, n_states * units)``: at step ``t``, ``probes[:, t]``
            is added to the states made from ``inputs[:, t]`` (``h``, then ``c`` for an LSTM).

    Returns:
        A list: what ``layer`` returns (``output``, then its final states if ``return_state``),
        then the forget gates ``(batch, timesteps, units)`` for an LSTM, ``(batch, timesteps, 0)``
        otherwise, in the order of ``inputs`` also when the layer goes backwards.
    """

    def __init__(self, layer):
        super().__init__(dtype=layer.dtype_policy)
        self.layer = layer
        self.rnn = keras.layers.RNN(
            ProbedCell(layer.cell),
            return_sequences=True,  # every step's h_t, whatever the layer returns
            return_state=True,
            go_backwards=layer.go_backwards,
            unroll=layer.unroll,
            zero_output_for_mask=layer.zero_output_for_mask,
        )

    def call(self, inputs, probes, mask=None):
        seq = keras.ops.concatenate([inputs, probes], axis=-1)  # (B, T, features + n_states*U)
        h_seq, *states = self.rnn(seq, mask=mask)  # (B, T, U) in reading order, final states
        output = h_seq if self.layer.return_sequences else h_seq[:, -1]
        returned = [output, *states] if self.layer.return_state else [output]
        return [*returned, self._forget_gates(inputs, h_seq)]

    def compute_mask(self, inputs, mask=None):
        n_states = len(self.layer.cell.state_size) if self.layer.return_state else 0
        output_mask = mask if self.layer.return_sequences else None
        return [output_mask] + [None] * (n_states + 1)

    def _forget_gates(self, inputs, h_seq):
        """``f_t = recurrent_activation(x_t W_f + h_{t-1} U_f + b_f)`` at every step at once.

        Computed from the states after the loop rather than inside it, which keeps the loop as
        cheap as the layer's own. Keras' gate order is i, f, c, o; ``h_seq`` is in reading order
        (last step first when going backwards), ``h_{-1} = 0``. Returns ``(B, T, U)`` in the
        order of ``inputs``; ``(B, T, 0)`` for a layer without a forget gate.
        """
        cell = self.layer.cell
        if not isinstance(cell, keras.layers.LSTMCell):
            return h_seq[..., :0]
        units, backwards = cell.units, self.layer.go_backwards
        x_seq = keras.ops.flip(inputs, axis=1) if backwards else inputs  # reading order
        h_prev = keras.ops.concatenate([keras.ops.zeros_like(h_seq[:, :1]), h_seq[:, :-1]], 1)
        z = keras.ops.matmul(x_seq, cell.kernel[:, units : 2 * units])  # (B, T, U)
        z = z + keras.ops.matmul(h_prev, cell.recurrent_kernel[:, units : 2 * units])
        if cell.bias is not None:
            z = z + cell.bias[units : 2 * units]
        forget = cell.recurrent_activation(z)  # (B, T, U), reading order
        return keras.ops.flip(forget, axis=1) if backwards else forget
