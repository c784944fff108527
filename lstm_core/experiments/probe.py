"""The model's forward pass with a zero "probe" added to each state of its first recurrent layer.

Adding a zero tensor changes no value, and makes the gradient with respect to the probe the
total gradient with respect to the state it was added to:

- ``h_t + p_t`` is what the output at ``t``, the next step and the layers above see, so
  ``dL/dp_t = dL/dh_t``;
- for an LSTM, ``q_t`` is added to ``c_t = f_t * c_{t-1} + i_t * g_t`` *before*
  ``h_t = o_t * tanh(c_t)`` reads it, so ``dL/dq_t = dL/dc_t`` through both paths: into
  ``h_t`` and into ``c_{t+1}``. Keras' ``LSTMCell`` computes ``h_t`` from ``c_t`` inside one
  call, so the LSTM step is written out here (same weights, same gate order i, f, c, o); the
  LSTM variants' cell (``lstm_core.model.variants``) takes the probe in its own ``step``.

The forward pass is the project's own walk of the layers ``lstm_core.model.build_model`` makes
(``masking``, ``layer_1`` ... ``layer_n``, then ``flatten``/``head`` or the copy task's
``step_head``), in Keras' ops, so it runs on every Keras backend. Only
``lstm_core.experiments.gradients`` uses this module, and imports it lazily.
"""

import keras
from keras import ops

from lstm_core.errors import SpecError


class ProbedCell(keras.layers.Layer):
    """One step of ``cell`` with the step's probes added to its new states.

    Args:
        cell: a built ``SimpleRNNCell``, ``GRUCell`` or ``LSTMCell``; its weights are shared.

    Call arguments:
        inputs: ``concat([x_t, p_t])``, shape ``(batch, features + n_states * units)``, with
            ``n_states`` 2 for an LSTM (``h``, ``c``) and 1 otherwise.
        states: the previous states, a list of ``n_states`` tensors ``(batch, units)``.

    Returns:
        ``(h_t + p_t, new_states)``, ``(batch, units)`` and the probed states. (The output is
        the first state, as Keras' JAX loop assumes of a masked step's previous output.)
    """

    def __init__(self, cell):
        super().__init__(dtype=cell.dtype_policy)
        self.cell = cell
        self.is_lstm = isinstance(cell, keras.layers.LSTMCell)
        # A cell with a c state of its own writing (lstm_core.model.variants) probes c itself.
        self.has_cell_state = self.is_lstm or hasattr(cell, "step")
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
        if self.has_cell_state:
            step = self._lstm_step if self.is_lstm else self.cell.step
            h, c = step(x_t, *states, probes[1])
            h = h + probes[0]
            return h, [h, c]
        _, new_states = self.cell(x_t, states, training=False)
        new_states = list(new_states) if isinstance(new_states, list | tuple) else [new_states]
        h = new_states[0] + probes[0]
        return h, [h]  # GRU and SimpleRNN: the state is the output

    def _lstm_step(self, x_t, h_prev, c_prev, q_t):
        """Keras' LSTM step with ``q_t`` added to ``c_t`` before ``h_t`` reads it.

        Returns ``(h_t, c_t + q_t)``, each ``(B, U)``.
        """
        cell = self.cell
        z = ops.matmul(x_t, cell.kernel) + ops.matmul(h_prev, cell.recurrent_kernel)  # (B, 4U)
        if cell.use_bias:
            z = z + cell.bias
        z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)  # Keras' gate order i, f, c, o
        i = cell.recurrent_activation(z_i)
        f = cell.recurrent_activation(z_f)
        o = cell.recurrent_activation(z_o)
        c = f * c_prev + i * cell.activation(z_g) + q_t
        return o * cell.activation(c), c


class ProbedRecurrent:
    """A stand-in for a built ``SimpleRNN``, ``GRU`` or ``LSTM`` layer that takes state probes.

    It reruns ``layer``'s cell (same weights, direction and masking) through ``ProbedCell`` and
    returns what ``layer`` returns, computed from the probed states, plus the forget gates.

    Args:
        layer: the Keras recurrent layer to stand in for.

    Call arguments:
        inputs: ``(batch, timesteps, features)``, what ``layer`` reads.
        probes: zeros ``(batch, timesteps, n_states * units)``: at step ``t``, ``probes[:, t]``
            is added to the states made from ``inputs[:, t]`` (``h``, then ``c`` for an LSTM).
        mask: ``(batch, timesteps)`` booleans or ``None``; masked steps keep the states.

    Returns:
        ``(returned, forget)``: ``returned`` is the list of what ``layer`` returns
        (``output``, then its final states if ``return_state``); ``forget`` the forget gates
        ``(batch, timesteps, units)`` in the order of ``inputs`` for an LSTM, else ``None``.
    """

    def __init__(self, layer):
        self.layer = layer
        self.cell = ProbedCell(layer.cell)
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
        return returned, self._forget_gates(inputs, h_seq) if self.cell.is_lstm else None

    def _forget_gates(self, inputs, h_seq):
        """``f_t = recurrent_activation(x_t W_f + h_{t-1} U_f + b_f)`` at every step at once.

        Computed from the states after the loop rather than inside it, which keeps the loop's
        output the state ``h_t`` alone. ``h_seq`` is in reading order (last step first when
        going backwards), ``h_{-1} = 0``. Returns ``(B, T, U)`` in the order of ``inputs``.
        """
        cell, backwards = self.layer.cell, self.layer.go_backwards
        units = cell.units
        x_seq = ops.flip(inputs, axis=1) if backwards else inputs  # reading order
        h_prev = ops.concatenate([ops.zeros_like(h_seq[:, :1]), h_seq[:, :-1]], axis=1)
        z = ops.matmul(x_seq, cell.kernel[:, units : 2 * units])  # (B, T, U)
        z = z + ops.matmul(h_prev, cell.recurrent_kernel[:, units : 2 * units])
        if cell.use_bias:
            z = z + cell.bias[units : 2 * units]
        forget = cell.recurrent_activation(z)  # (B, T, U), reading order
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
