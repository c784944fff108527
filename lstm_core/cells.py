"""The table of cell kinds: everything LSTM Lab knows about a recurrent cell, as data.

Keras' cell protocol is the model (``keras/src/layers/rnn/rnn.py``): generic code reads a
cell's ``state_size`` and never asks which cell it has. Here every module that needs to know
something about a kind (its Keras and PyTorch classes, its gates and what they mean, its
states, its NumPy reference, its parameter count, whether forget-bias options apply) reads
its row in ``CELLS``; none branches on the kind's name. Adding a cell is adding a row.

A row names the Keras layer by class (``keras.layers.<keras_class>``), or, for a cell Keras
does not have, by ``layer_factory``: ``"module:function"``, a function taking the layer's
keyword options (``units``, ``return_sequences``, ...) and returning a ``keras.layers.RNN``
around the custom cell; ``keras_cell_class`` names the cell class either way, which is how a
built layer is recognised.

Nothing here imports TensorFlow or NumPy.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Signal:
    """One value a cell computes at every step: a state or a gate, ``(batch, units)``."""

    name: str  # its key in ``lstm_core.inspect``'s trace and the NumPy reference: "h", "f"
    label: str  # what it is, in a few words: "forget gate"
    meaning: str  # what it is and does, for a reader: "forget gate, how much of c_t-1 is kept"
    signed: bool  # True: any sign (tanh-like); False: a gate, in [0, 1]


@dataclass(frozen=True)
class Cell:
    """One kind of recurrent cell; see the module docstring."""

    kind: str  # the name in layer strings and specs: "lstm"
    keras_class: str  # the layer in keras.layers ("LSTM"), or the custom layer's name
    keras_cell_class: str  # the class of ``layer.cell``: "LSTMCell"
    torch_class: str  # PyTorch's counterpart in torch.nn: "nn.LSTM"
    blocks: int  # weight blocks in Keras' kernel, recurrent_kernel and bias: 4 for i, f, c, o
    gates: tuple[Signal, ...]  # what each step computes besides the states, in Keras' order
    states: tuple[Signal, ...]  # the recurrent states, in Keras' order: h, then c for an LSTM
    keras_state_names: tuple[str, ...]  # Keras' names for the returned states, same order
    reference: str  # the NumPy forward pass in lstm_core.reference: "lstm_forward"
    forget_bias: bool = False  # whether the forget-bias options (one, zeros, chrono) apply
    bias_per_block: int = 1  # bias vectors per block (GRU's reset_after=True keeps two)
    keras_options: tuple[tuple[str, object], ...] = ()  # fixed options the layer is built with
    cudnn: bool = True  # whether Keras has a fused cuDNN kernel for the layer
    keep_gate: str | None = None  # the gate that keeps the state from step to step, if any
    torch_note: str = ""  # how PyTorch's layer differs beyond the returned shapes
    layer_factory: str | None = None  # "module:function" for a layer keras.layers lacks

    @property
    def gate_names(self) -> tuple[str, ...]:
        """What one step computes besides its states: ``("i", "f", "g", "o")`` for an LSTM."""
        return tuple(gate.name for gate in self.gates)

    @property
    def sigmoid_gates(self) -> tuple[str, ...]:
        """The gates in [0, 1] (sigmoids), which can saturate: ``("i", "f", "o")``."""
        return tuple(gate.name for gate in self.gates if not gate.signed)

    @property
    def state_names(self) -> tuple[str, ...]:
        """``("h", "c")`` for an LSTM, ``("h",)`` for the others."""
        return tuple(state.name for state in self.states)

    def params(self, units: int, features: int) -> int:
        """Trainable parameters of one layer of ``units`` reading ``features`` per step:
        per block, a kernel ``(features, units)``, a recurrent kernel ``(units, units)`` and
        ``bias_per_block`` biases ``(units,)``."""
        return self.blocks * (units * (features + units) + self.bias_per_block * units)

    def kept_per_unit(self) -> int:
        """Floats per step and unit that backpropagation keeps: each block's
        pre-activation and each state."""
        return self.blocks + len(self.states)

    def make_layer(self, **options):
        """The Keras layer of this kind with ``options`` and the row's ``keras_options``."""
        options = {**dict(self.keras_options), **options}
        if self.layer_factory is not None:
            module, function = self.layer_factory.split(":")
            return getattr(importlib.import_module(module), function)(**options)
        import keras

        return getattr(keras.layers, self.keras_class)(**options)


_H = Signal("h", "hidden state", "hidden state, the output at each step", signed=True)

CELLS: dict[str, Cell] = {
    cell.kind: cell
    for cell in (
        Cell(
            kind="lstm",
            keras_class="LSTM",
            keras_cell_class="LSTMCell",
            torch_class="nn.LSTM",
            blocks=4,
            gates=(
                Signal("i", "input gate", "input gate, how much of g_t is written", signed=False),
                Signal("f", "forget gate", "forget gate, how much of c_t-1 is kept", signed=False),
                Signal("g", "candidate", "candidate values", signed=True),
                Signal(
                    "o", "output gate", "output gate, how much of tanh(c_t) is shown", signed=False
                ),
            ),
            states=(_H, Signal("c", "cell state", "cell state, the long-term memory", signed=True)),
            keras_state_names=("final_memory_state", "final_carry_state"),
            reference="lstm_forward",
            forget_bias=True,
            keep_gate="f",
        ),
        Cell(
            kind="gru",
            keras_class="GRU",
            keras_cell_class="GRUCell",
            torch_class="nn.GRU",
            blocks=3,
            gates=(
                Signal("z", "update gate", "update gate, how much of h_t-1 is kept", signed=False),
                Signal(
                    "r",
                    "reset gate",
                    "reset gate, how much of h_t-1 the candidate sees",
                    signed=False,
                ),
                Signal("candidate", "candidate", "candidate state", signed=True),
            ),
            states=(_H,),
            keras_state_names=("final_state",),
            reference="gru_forward",
            bias_per_block=2,
            keep_gate="z",
            keras_options=(("reset_after", True),),
            torch_note="nn.GRU computes the same reset-after GRU as Keras' reset_after=True with "
            "the same parameter count, but stores its gates in the order r, z, n, not Keras' "
            "z, r, h.",
        ),
        Cell(
            kind="rnn",
            keras_class="SimpleRNN",
            keras_cell_class="SimpleRNNCell",
            torch_class="nn.RNN",
            blocks=1,
            gates=(),
            states=(_H,),
            keras_state_names=("final_state",),
            reference="rnn_forward",
            cudnn=False,
        ),
    )
}
KINDS = tuple(CELLS)  # every kind, in the order pickers show them
KERAS_CLASS = {kind: cell.keras_class for kind, cell in CELLS.items()}  # "lstm" -> "LSTM"
FORGET_BIAS_KINDS = tuple(kind for kind, cell in CELLS.items() if cell.forget_bias)


def cell(kind: str) -> Cell:
    """The row of ``kind``; a ``KeyError`` names the kinds there are (validate specs first)."""
    try:
        return CELLS[kind]
    except KeyError:
        raise KeyError(f"No cell kind {kind!r}; the kinds are {KINDS}.") from None


def kind_of_layer(layer) -> str:
    """The kind of a built Keras recurrent layer, read from its cell's class."""
    name = type(layer.cell).__name__
    for kind, row in CELLS.items():
        if row.keras_cell_class == name:
            return kind
    raise KeyError(f"No cell kind has the Keras cell {name}; add a row to lstm_core.cells.")
