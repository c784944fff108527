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
built layer is recognised (a custom cell that serves several rows says its row in a ``variant``
attribute).

The LSTM variants of Greff et al. 2017 ("LSTM: A Search Space Odyssey") are rows too, each named
by the paper's abbreviation in lower case and described by the ``Parts`` of the LSTM it keeps:
``nig`` (no input gate), ``nfg`` (no forget gate: the LSTM of Hochreiter & Schmidhuber 1997,
before Gers, Schmidhuber & Cummins 2000 added the gate), ``nog`` (no output gate), ``niaf`` (no
input activation), ``noaf`` (no output activation), ``cifg`` (coupled input and forget gate,
``i = 1 - f``) and ``ph`` (peephole connections, Gers & Schmidhuber 2000). The paper's vanilla
LSTM has peepholes and each variant removes one part from it; here the vanilla LSTM is Keras'
own, without peepholes, so ``ph`` adds them and the others remove a part from Keras' LSTM.

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
    bounded: bool = True  # False: not squashed, any size (a cell state, a variant's g or h)


@dataclass(frozen=True)
class Parts:
    """Which parts of the LSTM a variant keeps (Greff et al. 2017); the defaults are Keras' LSTM.

    The step, with ``z_k = x_t W_k + h_t-1 U_k + b_k`` per weight block ``k``::

        i = σ(z_i [+ p_i c_t-1])   or 1 (no input gate), or 1 - f (coupled)
        f = σ(z_f [+ p_f c_t-1])   or 1 (no forget gate)
        g = tanh(z_g)              or z_g (no input activation)
        c_t = f c_t-1 + i g
        o = σ(z_o [+ p_o c_t])     or 1 (no output gate)
        h_t = o tanh(c_t)          or o c_t (no output activation)
    """

    input_gate: bool = True  # False: i = 1, every candidate is written whole
    forget_gate: bool = True  # False: f = 1, the cell state only adds (the 1997 LSTM)
    output_gate: bool = True  # False: o = 1, h = tanh(c) always shows the whole cell
    input_activation: bool = True  # False: the candidate g is the pre-activation, unsquashed
    output_activation: bool = True  # False: h = o * c, c unsquashed
    coupled: bool = False  # True: i = 1 - f, the input gate has no weights of its own
    peepholes: bool = False  # True: i and f read c_t-1, o reads c_t, one weight per unit each

    @property
    def blocks(self) -> tuple[str, ...]:
        """The gates that have weight blocks, in Keras' order among i, f, g, o."""
        own_input = self.input_gate and not self.coupled
        kept = {"i": own_input, "f": self.forget_gate, "g": True, "o": self.output_gate}
        return tuple(name for name, keep in kept.items() if keep)

    @property
    def gates(self) -> tuple[str, ...]:
        """The gates one step computes (a coupled ``i`` is computed from ``f``)."""
        kept = {"i": self.input_gate, "f": self.forget_gate, "g": True, "o": self.output_gate}
        return tuple(name for name, keep in kept.items() if keep)


@dataclass(frozen=True)
class Cell:
    """One kind of recurrent cell; see the module docstring."""

    kind: str  # the name in layer strings and specs: "lstm"
    keras_class: str  # the layer in keras.layers ("LSTM"), or the custom layer's name
    keras_cell_class: str  # the class of ``layer.cell``: "LSTMCell"
    torch_class: str  # PyTorch's counterpart in torch.nn: "nn.LSTM"; "" when it has none
    blocks: int  # weight blocks in Keras' kernel, recurrent_kernel and bias: 4 for i, f, c, o
    gates: tuple[Signal, ...]  # what each step computes besides the states, in Keras' order
    states: tuple[Signal, ...]  # the recurrent states, in Keras' order: h, then c for an LSTM
    keras_state_names: tuple[str, ...]  # Keras' names for the returned states, same order
    reference: str  # the NumPy forward pass in lstm_core.reference: "lstm_forward"
    reference_step: str  # the NumPy one-step function in lstm_core.reference: "lstm_step"
    equations: str  # the cell's equations in Keras' form, plain text, for the States page
    # One unit's call written out, a line per value: str.format templates over the step's
    # values ({i}, {pre_i}, {c_prev}, ...) and {u}, the unit in brackets.
    arithmetic: tuple[str, ...]
    forget_bias: bool = False  # whether the forget-bias options (one, zeros, chrono) apply
    bias_per_block: int = 1  # bias vectors per block (GRU's reset_after=True keeps two)
    keras_options: tuple[tuple[str, object], ...] = ()  # fixed options the layer is built with
    cudnn: bool = True  # whether Keras has a fused cuDNN kernel for the layer
    keep_gate: str | None = None  # the gate that keeps the state from step to step, if any
    write_gate: str | None = None  # the gate that writes new values into the kept state
    torch_note: str = ""  # how PyTorch's layer differs beyond the returned shapes
    layer_factory: str | None = None  # "module:function" for a layer keras.layers lacks
    block_gates: tuple[str, ...] = ()  # the gate each weight block computes, in Keras' order
    parts: Parts | None = None  # for an LSTM variant, the parts of the LSTM it keeps
    removes: str = ""  # what the variant removes from or adds to Keras' LSTM, for a reader
    dropout: bool = True  # whether the layer takes dropout and recurrent_dropout
    # "module:function" for a cell with a state besides its output: one step that adds a probe
    # to each state before anything reads it, ``(cell, x_t, states, probes) -> new states``
    # (lstm_core.experiments.probe); a cell whose one state is its output needs none.
    probe_step: str | None = None

    @property
    def gate_names(self) -> tuple[str, ...]:
        """What one step computes besides its states: ``("i", "f", "g", "o")`` for an LSTM."""
        return tuple(gate.name for gate in self.gates)

    @property
    def label(self) -> str:
        """What a reader calls it: Keras' class, or a variant's abbreviation, "CIFG"."""
        return self.keras_class if self.parts is None else self.kind.upper()

    @property
    def signals(self) -> tuple[Signal, ...]:
        """Every value one step computes: the states, then the gates."""
        return (*self.states, *self.gates)

    def signal(self, name: str) -> Signal:
        """The gate or state called ``name``."""
        return next(signal for signal in self.signals if signal.name == name)

    @property
    def signed_names(self) -> frozenset[str]:
        """The gates and states of any sign (drawn on a diverging scale): ``h, c, g``."""
        return frozenset(signal.name for signal in self.signals if signal.signed)

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
        own = self.blocks * (units * (features + units) + self.bias_per_block * units)
        return own + units * len(self.peephole_gates)

    @property
    def peephole_gates(self) -> tuple[str, ...]:
        """The gates with a peephole weight per unit, in the order of the ``peephole`` weight
        ``(gates, units)``: ``("i", "f", "o")`` for ``ph``, else none."""
        if self.parts is None or not self.parts.peepholes:
            return ()
        return tuple(gate for gate in ("i", "f", "o") if gate in self.parts.blocks)

    def kept_per_unit(self) -> int:
        """Floats per step and unit that backpropagation keeps: each block's
        pre-activation and each state."""
        return self.blocks + len(self.states)

    def make_layer(self, **options):
        """The Keras layer of this kind with ``options`` and the row's ``keras_options``."""
        options = {**dict(self.keras_options), **options}
        if self.layer_factory is not None:
            return function_at(self.layer_factory)(**options)
        import keras

        return getattr(keras.layers, self.keras_class)(**options)


_H = Signal("h", "hidden state", "hidden state, the step's output", signed=True)
_H_UNBOUNDED = Signal("h", "hidden state", "hidden state, o × c: not squashed", True, False)
_C = Signal("c", "cell state", "cell state, the long-term memory", signed=True, bounded=False)
_LSTM_GATES = {
    "i": Signal("i", "input gate", "input gate, how much of g is written into c", signed=False),
    "f": Signal("f", "forget gate", "forget gate, how much of c_t-1 is kept", signed=False),
    "g": Signal("g", "candidate", "candidate values to write", signed=True),
    "o": Signal(
        "o", "output gate", "output gate, how much of tanh(c_t) is shown as h", signed=False
    ),
}


def _variant(kind: str, parts: Parts, removes: str) -> Cell:
    """The row of an LSTM variant (Greff et al. 2017): its gates, equations and texts follow
    from the ``parts`` it keeps."""
    gates = {name: _LSTM_GATES[name] for name in parts.gates}
    if parts.coupled:
        gates["i"] = Signal("i", "input gate", "input gate, 1 - f: writes what f forgets", False)
    if not parts.input_activation:
        gates["g"] = Signal("g", "candidate", "candidate values, not squashed", True, False)
    return Cell(
        kind=kind,
        keras_class="RNN",
        keras_cell_class="VariantLSTMCell",
        torch_class="",
        blocks=len(parts.blocks),
        gates=tuple(gates.values()),
        states=(_H if parts.output_activation else _H_UNBOUNDED, _C),
        keras_state_names=("final_memory_state", "final_carry_state"),
        reference="variant_forward",
        reference_step="variant_step",
        equations=_variant_equations(parts),
        arithmetic=_variant_arithmetic(parts),
        forget_bias=parts.forget_gate,
        keep_gate="f" if parts.forget_gate else None,
        write_gate="i" if parts.input_gate else None,
        keras_options=(("variant", kind),),
        cudnn=False,
        layer_factory="lstm_core.model.variants:variant_layer",
        block_gates=parts.blocks,
        parts=parts,
        removes=removes,
        dropout=False,
        probe_step="lstm_core.model.variants:probed_step",
    )


def _variant_formulas(parts: Parts) -> dict[str, str]:
    """Each value's formula, as the written-out arithmetic and the equations show it."""
    peep = {"i": " + p_i × c_t-1", "f": " + p_f × c_t-1", "o": " + p_o × c_t"}
    peep = peep if parts.peepholes else dict.fromkeys(peep, "")
    formulas = {
        "i": "1 - f" if parts.coupled else f"σ(x_t W_i + h_t-1 U_i + b_i{peep['i']})",
        "f": f"σ(x_t W_f + h_t-1 U_f + b_f{peep['f']})",
        "g": "x_t W_g + h_t-1 U_g + b_g",
        "o": f"σ(x_t W_o + h_t-1 U_o + b_o{peep['o']})",
    }
    if parts.input_activation:
        formulas["g"] = f"tanh({formulas['g']})"
    keep = "f × c_t-1" if parts.forget_gate else "c_t-1"
    write = "i × g" if parts.input_gate else "g"
    formulas["c"] = f"{keep} + {write}"
    shown = "tanh(c_t)" if parts.output_activation else "c_t"
    formulas["h"] = f"o × {shown}" if parts.output_gate else shown
    return formulas


def _variant_equations(parts: Parts) -> str:
    formulas = _variant_formulas(parts)
    lines = [f"{gate} = {formulas[gate]}" for gate in parts.gates]
    return "\n".join([*lines, f"c_t = {formulas['c']}    h_t = {formulas['h']}"])


def _variant_arithmetic(parts: Parts) -> tuple[str, ...]:
    squash = {"i": "σ", "f": "σ", "o": "σ", "g": "tanh" if parts.input_activation else ""}
    lines = []
    for gate in parts.gates:
        if gate == "i" and parts.coupled:
            lines.append("i_t{u} = 1 - f = 1 - {f} = {i}")
        elif not squash[gate]:
            lines.append(f"{gate}_t{{u}} = pre-activation {{pre_{gate}}} = {{{gate}}}")
        else:
            lines.append(
                f"{gate}_t{{u}} = {squash[gate]}(pre-activation {{pre_{gate}}}) = {{{gate}}}"
            )
    keep = "{f} × {c_prev}" if parts.forget_gate else "{c_prev}"
    write = "{i} × {g}" if parts.input_gate else "{g}"
    formulas = _variant_formulas(parts)
    lines.append(f"c_t{{u}} = {formulas['c']} = {keep} + {write} = {{c}}")
    shown = "tanh({c})" if parts.output_activation else "{c}"
    value = f"{{o}} × {shown}" if parts.output_gate else shown
    lines.append(f"h_t{{u}} = {formulas['h']} = {value} = {{h}}")
    return tuple(lines)


CELLS: dict[str, Cell] = {
    cell.kind: cell
    for cell in (
        Cell(
            kind="lstm",
            keras_class="LSTM",
            keras_cell_class="LSTMCell",
            torch_class="nn.LSTM",
            blocks=4,
            gates=tuple(_LSTM_GATES.values()),
            states=(_H, _C),
            keras_state_names=("final_memory_state", "final_carry_state"),
            reference="lstm_forward",
            reference_step="lstm_step",
            equations=(
                "i = σ(x_t W_i + h_t-1 U_i + b_i)    f = σ(x_t W_f + h_t-1 U_f + b_f)\n"
                "g = tanh(x_t W_g + h_t-1 U_g + b_g)  o = σ(x_t W_o + h_t-1 U_o + b_o)\n"
                "c_t = f × c_t-1 + i × g              h_t = o × tanh(c_t)"
            ),
            arithmetic=(
                "i_t{u} = σ(pre-activation {pre_i}) = {i}",
                "f_t{u} = σ(pre-activation {pre_f}) = {f}",
                "g_t{u} = tanh(pre-activation {pre_g}) = {g}",
                "o_t{u} = σ(pre-activation {pre_o}) = {o}",
                "c_t{u} = f × c_t-1 + i × g = {f} × {c_prev} + {i} × {g} = {c}",
                "h_t{u} = o × tanh(c_t) = {o} × tanh({c}) = {h}",
            ),
            forget_bias=True,
            keep_gate="f",
            write_gate="i",
            block_gates=("i", "f", "g", "o"),
            probe_step="lstm_core.experiments.probe:keras_lstm_step",
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
                    "reset gate, how much of h_t-1 the candidate reads",
                    signed=False,
                ),
                Signal("candidate", "candidate", "the new values, tanh", signed=True),
            ),
            states=(_H,),
            keras_state_names=("final_state",),
            reference="gru_forward",
            reference_step="gru_step",
            equations=(
                "z = σ(x_t W_z + h_t-1 U_z + b_z)    r = σ(x_t W_r + h_t-1 U_r + b_r)\n"
                "candidate = tanh(x_t W_h + r × (h_t-1 U_h + b_h'))\n"
                "h_t = z × h_t-1 + (1 - z) × candidate"
            ),
            arithmetic=(
                "z_t{u} = σ(pre-activation {pre_z}) = {z}",
                "r_t{u} = σ(pre-activation {pre_r}) = {r}",
                "candidate_t{u} = tanh(pre-activation {pre_candidate}) = {candidate}",
                "h_t{u} = z × h_t-1 + (1 - z) × candidate = {z} × {h_prev} + "
                "(1 - {z}) × {candidate} = {h}",
            ),
            block_gates=("z", "r", "candidate"),
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
            reference_step="rnn_step",
            equations="h_t = tanh(x_t W + h_t-1 U + b)",
            arithmetic=("h_t{u} = tanh(pre-activation {pre_h}) = {h}",),
            cudnn=False,
            block_gates=("h",),
        ),
        *(
            _variant(kind, parts, removes)
            for kind, parts, removes in (
                ("nig", Parts(input_gate=False), "the input gate: i = 1, g is written whole"),
                (
                    "nfg",
                    Parts(forget_gate=False),
                    "the forget gate: f = 1, c only adds (the 1997 LSTM)",
                ),
                ("nog", Parts(output_gate=False), "the output gate: o = 1, h = tanh(c)"),
                (
                    "niaf",
                    Parts(input_activation=False),
                    "the input activation: g is not squashed by tanh",
                ),
                (
                    "noaf",
                    Parts(output_activation=False),
                    "the output activation: h = o × c, c not squashed by tanh",
                ),
                (
                    "cifg",
                    Parts(coupled=True),
                    "the input gate's weights: i = 1 - f (coupled input and forget gate)",
                ),
                (
                    "ph",
                    Parts(peepholes=True),
                    "nothing, it adds peepholes: i and f read c_t-1, o reads c_t",
                ),
            )
        ),
    )
}
# The state every row hands on as its output at each step (Keras' cell protocol: ``call``
# returns it first); its key in the trace and the NumPy reference.
OUTPUT_STATE = "h"
KINDS = tuple(CELLS)  # every kind, in the order pickers show them
# The name pages and messages show: Keras' layer class ("lstm" -> "LSTM"), or for an LSTM
# variant, whose layer is a keras.layers.RNN, Greff et al.'s abbreviation ("cifg" -> "CIFG").
KERAS_CLASS = {kind: cell.label for kind, cell in CELLS.items()}
FORGET_BIAS_KINDS = tuple(kind for kind, cell in CELLS.items() if cell.forget_bias)
VARIANTS = tuple(kind for kind, cell in CELLS.items() if cell.parts is not None)  # Greff's


def function_at(path: str):
    """The function a row names as ``"module:function"`` (``layer_factory``, ``probe_step``),
    its module imported."""
    module, function = path.split(":")
    return getattr(importlib.import_module(module), function)


def load_custom_layers() -> None:
    """Import every module a row's ``layer_factory`` names, which registers its custom cells
    with Keras' serialization: call before ``keras.saving.load_model`` reads a model with
    them."""
    for row in CELLS.values():
        if row.layer_factory is not None:
            importlib.import_module(row.layer_factory.split(":")[0])


def cell(kind: str) -> Cell:
    """The row of ``kind``; a ``KeyError`` names the kinds there are (validate specs first)."""
    try:
        return CELLS[kind]
    except KeyError:
        raise KeyError(f"No cell kind {kind!r}; the kinds are {KINDS}.") from None


def kind_of_layer(layer) -> str:
    """The kind of a built Keras recurrent layer, read from its cell's class (or, for a cell
    class that serves several rows, its ``variant`` attribute)."""
    variant = getattr(layer.cell, "variant", None)
    if variant in CELLS:
        return variant
    name = type(layer.cell).__name__
    for kind, row in CELLS.items():
        if row.keras_cell_class == name:
            return kind
    raise KeyError(f"No cell kind has the Keras cell {name}; add a row to lstm_core.cells.")
