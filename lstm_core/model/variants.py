"""The LSTM variants of Greff et al. 2017 as one Keras cell, in backend-neutral ``keras.ops``.

Greff, Srivastava, Koutník, Steunebrink & Schmidhuber, "LSTM: A Search Space Odyssey" (2017),
trained eight variants of the LSTM, each missing one part, to see which parts matter. Their rows
in ``lstm_core.cells`` (``nig``, ``nfg``, ``nog``, ``niaf``, ``noaf``, ``cifg``, ``ph``) each
carry the ``Parts`` they keep; ``VariantLSTMCell`` reads them, so one class serves every row
and none of its code asks which variant it is. The weights are laid out as Keras' ``LSTMCell``
lays out its own, with only the blocks the variant has (``Parts.blocks``, in the order i, f, g,
o): ``kernel (features, blocks * units)``, ``recurrent_kernel (units, blocks * units)``, ``bias
(blocks * units,)``, and for peepholes (Gers & Schmidhuber 2000) ``peephole (3, units)``, the
diagonal weights of i, f and o, starting at zero so that an untrained ``ph`` layer computes
what an LSTM with the same seed does.

The cell is registered with Keras' serialization, so a model with it saves to and loads from a
``.keras`` file once this module is imported (``lstm_core.cells.load_custom_layers``).
"""

from __future__ import annotations

import keras
from keras import ops

from lstm_core.cells import CELLS

PACKAGE = "lstm_lab"  # the registered name is "lstm_lab>VariantLSTMCell"


@keras.saving.register_keras_serializable(package=PACKAGE)
class VariantLSTMCell(keras.layers.Layer):
    """One step of an LSTM variant (Greff et al. 2017), read from its row's ``Parts``.

    Args:
        units: int, the size of ``h`` and ``c``.
        variant: str, the row of ``lstm_core.cells.CELLS``: ``"nig"``, ``"nfg"``, ``"nog"``,
            ``"niaf"``, ``"noaf"``, ``"cifg"`` or ``"ph"``.
        kernel_initializer: initializer of ``kernel``. Default ``"glorot_uniform"``.
        recurrent_initializer: initializer of ``recurrent_kernel``. Default ``"orthogonal"``.
        unit_forget_bias: bool, start the forget gate's bias at 1 (Jozefowicz et al. 2015), as
            Keras' LSTM does by default; without a forget gate it has no effect. Default True.
        seed: int or None, the seed of the initializers' draws. Default None.

    Call arguments:
        inputs: ``(batch, features)``, one step's input.
        states: ``[h, c]``, each ``(batch, units)``.

    Returns:
        ``(h_t, [h_t, c_t])``, each ``(batch, units)``.
    """

    def __init__(
        self,
        units,
        variant,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        unit_forget_bias=True,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.variant = variant
        self.parts = CELLS[variant].parts
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.seed = seed
        self.use_bias = True  # always, as Keras' LSTMCell by default (read by inspect)
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        blocks = len(self.parts.blocks)
        features = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(features, blocks * self.units),
            initializer=self.kernel_initializer,
            name="kernel",
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, blocks * self.units),
            initializer=self.recurrent_initializer,
            name="recurrent_kernel",
        )
        self.bias = self.add_weight(
            shape=(blocks * self.units,), initializer=self._bias_initializer, name="bias"
        )
        if self.parts.peepholes:
            self.peephole = self.add_weight(
                shape=(3, self.units), initializer="zeros", name="peephole"
            )
        self.built = True

    def _bias_initializer(self, shape, dtype=None):
        """Zeros, and ones for the forget gate's block with ``unit_forget_bias``."""
        blocks = [
            ops.ones((self.units,), dtype)
            if name == "f" and self.unit_forget_bias
            else ops.zeros((self.units,), dtype)
            for name in self.parts.blocks
        ]
        return ops.concatenate(blocks)

    def get_initial_state(self, batch_size=None):
        """Zeros for ``h`` and ``c``, each ``(batch_size, units)``, as Keras' LSTMCell."""
        return [ops.zeros((batch_size, size), dtype=self.compute_dtype) for size in self.state_size]

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states
        values = self.values(inputs, h_prev, c_prev)
        return values["h"], [values["h"], values["c"]]

    def values(self, x_t, h_prev, c_prev, c_probe=None) -> dict:
        """Every value of one step: ``pre_<block>``, the gates of ``Parts.gates``, ``c``, ``h``.

        Args:
            x_t: ``(batch, features)``; h_prev, c_prev: ``(batch, units)``.
            c_probe: ``(batch, units)`` or None, added to ``c_t`` before anything reads it, so
                its gradient is the total ``dL/dc_t`` (``lstm_core.experiments.probe``).

        Returns:
            A dict of ``(batch, units)`` tensors, as ``lstm_core.reference.variant_cell``.
        """
        parts = self.parts
        z = ops.matmul(x_t, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel)
        z = z + self.bias  # (B, blocks * U)
        pre = dict(zip(parts.blocks, ops.split(z, len(parts.blocks), axis=-1), strict=True))
        if parts.peepholes:  # i and f look at the cell state before the step
            pre["i"] = pre["i"] + self.peephole[0] * c_prev
            pre["f"] = pre["f"] + self.peephole[1] * c_prev
        gates = {}
        if parts.forget_gate:
            gates["f"] = ops.sigmoid(pre["f"])
        if parts.coupled:
            gates["i"] = 1.0 - gates["f"]
        elif parts.input_gate:
            gates["i"] = ops.sigmoid(pre["i"])
        gates["g"] = ops.tanh(pre["g"]) if parts.input_activation else pre["g"]
        kept = gates["f"] * c_prev if "f" in gates else c_prev
        c = kept + (gates["i"] * gates["g"] if "i" in gates else gates["g"])  # (B, U)
        if c_probe is not None:
            c = c + c_probe
        h = ops.tanh(c) if parts.output_activation else c
        if parts.output_gate:
            if parts.peepholes:  # o looks at the new cell state
                pre["o"] = pre["o"] + self.peephole[2] * c
            gates["o"] = ops.sigmoid(pre["o"])
            h = gates["o"] * h
        values = {f"pre_{name}": value for name, value in pre.items()}
        values.update({gate: gates[gate] for gate in parts.gates})
        return {**values, "c": c, "h": h}

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "variant": self.variant,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "unit_forget_bias": self.unit_forget_bias,
            "seed": self.seed,
        }


def probed_step(cell: VariantLSTMCell, x_t, states, probes) -> list:
    """One step of ``cell`` with a probe added to each state before anything reads it: the
    ``probe_step`` of the variant rows (``lstm_core.experiments.probe``).

    Args:
        x_t: ``(batch, features)``; states: ``[h_t-1, c_t-1]``; probes: ``[p_t, q_t]``, each
            ``(batch, units)``.

    Returns:
        ``[h_t + p_t, c_t + q_t]``, where ``h_t`` read ``c_t + q_t``.
    """
    (h_prev, c_prev), (h_probe, c_probe) = states, probes
    values = cell.values(x_t, h_prev, c_prev, c_probe)
    return [values["h"] + h_probe, values["c"]]


def variant_layer(
    variant,
    units,
    *,
    return_sequences=False,
    return_state=False,
    go_backwards=False,
    dropout=0.0,
    recurrent_dropout=0.0,
    kernel_initializer="glorot_uniform",
    recurrent_initializer="orthogonal",
    unit_forget_bias=True,
    seed=None,
    name=None,
):
    """A ``keras.layers.RNN`` around a ``VariantLSTMCell``: the ``layer_factory`` of the
    variant rows, taking the options ``lstm_core.model.build`` gives Keras' ``LSTM``.

    Dropout is not implemented for the variants (``lstm_core.model.spec`` refuses it first).
    """
    assert dropout == 0 and recurrent_dropout == 0, "validate the spec first"
    cell = VariantLSTMCell(
        units,
        variant,
        kernel_initializer=kernel_initializer,
        recurrent_initializer=recurrent_initializer,
        unit_forget_bias=unit_forget_bias,
        seed=seed,
    )
    return keras.layers.RNN(
        cell,
        return_sequences=return_sequences,
        return_state=return_state,
        go_backwards=go_backwards,
        name=name,
    )
