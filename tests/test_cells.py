"""The table of cell kinds: each row agrees with the Keras layer it names, and nothing else in
the engine or the shell branches on a kind's name."""

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from lstm_core.cells import CELLS, KERAS_CLASS, Cell, Signal, cell, kind_of_layer
from lstm_core.model import LayerSpec, ModelSpec, build_model, recurrent_layers
from lstm_core.reference import forward

REPO = Path(__file__).resolve().parents[1]
FEATURES, UNITS, TIMESTEPS = 3, 5, 4


@pytest.fixture(scope="module", params=list(CELLS))
def built(request):
    """``(row, its Keras layer)`` in a one-layer model built from the row's kind."""
    row = CELLS[request.param]
    spec = ModelSpec((LayerSpec(row.kind, UNITS, return_state=True),), outputs=1)
    (layer,) = recurrent_layers(build_model(spec, TIMESTEPS, FEATURES, seed=0))
    return row, layer


def test_a_row_names_its_keras_layer_and_cell(built):
    row, layer = built
    assert type(layer).__name__ == row.keras_class
    assert kind_of_layer(layer) == row.kind


def test_a_rows_parameter_count_and_blocks_are_keras_own(built):
    row, layer = built
    kernel, recurrent_kernel, bias, *peephole = layer.get_weights()
    assert layer.count_params() == row.params(UNITS, FEATURES)
    assert [w.shape for w in peephole] == ([(len(row.peephole_gates), UNITS)] if peephole else [])
    assert kernel.shape == (FEATURES, row.blocks * UNITS)
    assert recurrent_kernel.shape == (UNITS, row.blocks * UNITS)
    assert bias.size == row.bias_per_block * row.blocks * UNITS


def test_a_rows_states_are_what_keras_returns(built):
    row, layer = built
    size = layer.cell.state_size  # Keras' cell protocol: a list for several states
    assert (len(size) if isinstance(size, list | tuple) else 1) == len(row.states)
    assert len(layer.output) == 1 + len(row.states)  # output, then each state (return_state)


def test_a_rows_reference_traces_its_states_and_gates(built):
    row, layer = built
    x = np.random.default_rng(0).normal(size=(2, TIMESTEPS, FEATURES)).astype("float32")
    steps = forward(row.kind, x, layer.get_weights())
    assert set(steps) == {signal.name for signal in (*row.states, *row.gates)}
    for signal in row.gates:
        if not signal.signed:  # a gate is a sigmoid
            assert steps[signal.name].min() >= 0.0 and steps[signal.name].max() <= 1.0


def test_an_unknown_kind_names_the_kinds_there_are():
    with pytest.raises(KeyError, match=r"No cell kind 'lstn'; the kinds are \('lstm'"):
        cell("lstn")


# The modules that implement a row: the table itself, the NumPy references and the Keras cell
# of the LSTM variants.
IMPLEMENT_A_ROW = {"lstm_core/cells.py", "lstm_core/reference.py", "lstm_core/model/variants.py"}
# Literals that are not a cell's, though spelled as one of its names: NumPy's dtype kind "f"
# (floats), Pearson's "r" column of the unit report, the shared address's format version "v".
NOT_A_CELLS = {
    ("lstm_core/data/sequences.py", "f"),
    ("lstm_core/inspect/units.py", "r"),
    ("lstm_core/experiment_url.py", "v"),
}


def table_names(cells) -> set[str]:
    """Every name the table gives: its kinds, each gate's and state's name with the keys a step
    is read by (``h_prev``, ``pre_f``), and its label when it is more than one word ("forget
    gate"; a one-word label such as "value" or "key" is also an ordinary key in code)."""
    names = set(cells)
    for row in cells.values():
        for signal in row.signals:
            names |= {signal.name, f"{signal.name}_prev", f"pre_{signal.name}"}
            names |= {signal.label} if " " in signal.label else set()
    return names


def _string_literals(node):
    """The string constants of ``node``, or of the tuple, list or set it writes out."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        for element in node.elts:
            yield from _string_literals(element)


def _keys(node) -> list:
    """The parts of ``node`` that branch or look up by a value: both sides of a comparison
    (``==``, ``!=``, ``in``), a subscript, a dict's keys, a key given to ``get``, ``pop``,
    ``setdefault`` or ``signal``, and the collection a loop walks."""
    if isinstance(node, ast.Compare):
        return [node.left, *node.comparators]
    if isinstance(node, ast.Subscript):
        return [node.slice]
    if isinstance(node, ast.Dict):
        return [key for key in node.keys if key is not None]
    if isinstance(node, ast.For | ast.comprehension):
        return [node.iter]
    lookups = ("get", "pop", "setdefault", "signal")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
        return [node.args[0]] if node.func.attr in lookups else []
    return []


def named_literals(source: str, names: set[str]) -> list[tuple[int, str]]:
    """``(line, literal)`` wherever ``source`` names one of ``names`` as a string literal in a
    branch or a lookup (see ``_keys``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        for key in _keys(node):
            found += [(s.lineno, s.value) for s in _string_literals(key) if s.value in names]
    return sorted(found)


def offenders(cells) -> dict[str, list[tuple[int, str]]]:
    """``{module: [(line, literal), ...]}`` for every module of the engine and the shell,
    except those that implement a row, that names a kind, gate or state of ``cells``."""
    names, found = table_names(cells), {}
    for path in [
        REPO / "app.py",
        *(p for f in ("lstm_core", "ui", "pages") for p in (REPO / f).rglob("*.py")),
    ]:
        module = str(path.relative_to(REPO))
        if module in IMPLEMENT_A_ROW:
            continue
        named = named_literals(path.read_text(), names)
        named = [(line, literal) for line, literal in named if (module, literal) not in NOT_A_CELLS]
        if named:
            found[module] = named
    return found


def test_the_checker_finds_a_name_in_a_branch_or_a_lookup_and_nowhere_else():
    source = """
if gate == "f":  # a branch
    pass
value = steps["c"]  # a lookup
label = labels.get("forget gate")
for name in ("h", "c"):  # a loop over copied state names
    pass
colours = {"lstm": "#4c78a8"}
title = "f: forget gate"  # text, not a key
row = cell(kind).signal(name)  # read from the row
"""
    found = named_literals(source, table_names(CELLS))
    assert found == [(2, "f"), (4, "c"), (5, "forget gate"), (6, "c"), (6, "h"), (8, "lstm")]


def test_no_module_but_those_of_a_row_names_a_kind_a_gate_or_a_state():
    assert offenders(CELLS) == {}


# A made-up row with the gates and states of the cells to come (xLSTM's sLSTM and mLSTM,
# minGRU): none of them is named outside the table, and every reader takes it as it is.
_MADE_UP_STATES = (
    Signal("h", "hidden state", "hidden state, o × C q / n", signed=True, bounded=False),
    Signal("C", "matrix memory", "matrix memory, C_t-1 decayed plus v kᵀ", True, False),
    Signal("n", "normaliser", "normaliser state, the sum of the input gates", True, False),
    Signal("m", "stabiliser", "stabiliser state, keeps exp finite", True, False),
)
_MADE_UP_GATES = (
    Signal("i", "input gate", "input gate, exp(ĩ - m_t)", signed=False, bounded=False),
    Signal("f", "forget gate", "forget gate, exp(log f + m_t-1 - m_t)", signed=False),
    Signal("z", "update gate", "update gate, how much of h̃ is taken", signed=False),
    Signal("q", "query", "query, what is read from C", signed=True, bounded=False),
    Signal("k", "key", "key, where v is written in C", signed=True, bounded=False),
    Signal("v", "value", "value, what is written in C", signed=True, bounded=False),
    Signal("h̃", "candidate", "candidate hidden state, from x_t alone", signed=True),
)
MADE_UP = Cell(
    kind="madeup",
    keras_class="MadeUp",
    keras_cell_class="MadeUpCell",
    torch_class="",
    blocks=len(_MADE_UP_GATES),
    gates=_MADE_UP_GATES,
    states=_MADE_UP_STATES,
    keras_state_names=("final_h", "final_C", "final_n", "final_m"),
    reference="",
    reference_step="",
    equations="C_t = f C_t-1 + i v kᵀ    h_t = o (C_t q / max(|nᵀ q|, 1))",
    arithmetic=("h_t{u} = {h}",),
    cudnn=False,
)


@pytest.fixture
def made_up(monkeypatch):
    """The table with ``MADE_UP`` added after its last row, as the table module would add it
    (``KERAS_CLASS`` is derived from the rows)."""
    monkeypatch.setitem(CELLS, MADE_UP.kind, MADE_UP)
    monkeypatch.setitem(KERAS_CLASS, MADE_UP.kind, MADE_UP.label)
    return MADE_UP


def test_no_module_names_a_gate_or_state_of_a_made_up_row(made_up):
    assert offenders(CELLS) == {}


def test_a_made_up_row_gets_a_colour_of_its_own(made_up):
    from ui.palette import TABLEAU_10, cell_color, cell_colors

    colour = cell_color(made_up.kind)
    assert re.fullmatch(r"#[0-9a-f]{6}", colour) and colour not in TABLEAU_10
    assert cell_colors(["lstm", made_up.kind]) == {"LSTM": TABLEAU_10[0], "MadeUp": colour}
    assert cell_color(made_up.kind) == colour  # the same on every chart


def test_a_made_up_row_is_labelled_and_signed_from_its_row(made_up):
    from ui import cell_diagram, cell_text, stepper

    kind = made_up.kind
    assert cell_text.label(kind, "C") == "C_t: matrix memory, C_t-1 decayed plus v kᵀ"
    assert cell_text.label(kind, "q") == "q: query, what is read from C"
    assert cell_text.short_label(kind, "h̃") == "h̃: candidate"
    assert cell_text.layer_label(1, kind, 8) == "layer_1 (MadeUp, 8 units)"
    hands_on = " ".join(cell_text.hands_on(kind, 1, 1, True, True))
    assert "h_t and C_t and n_t and m_t" in hands_on and "h_T and C_T and n_T and m_T" in hands_on
    diagram = cell_diagram.unrolled(
        kind, 2, 5, go_backwards=False, return_sequences=True, return_state=True, above="head"
    )
    assert "h₀, C₀, n₀, m₀" in diagram and "h_T, C_T, n_T, m_T" in diagram
    assert made_up.signed_names == {"h", "C", "n", "m", "q", "k", "v", "h̃"}
    domains = {name: stepper._domain(kind, name) for name in ("h̃", "f", "q", "C")}
    assert domains == {"h̃": [-1.0, 1.0], "f": [0.0, 1.0], "q": None, "C": None}


def test_a_made_up_rows_states_are_read_from_its_row(made_up):
    from lstm_core.inspect import LayerTrace, final_states, layer_initial_state, state_values
    from lstm_core.model import LayerSpec, ModelSpec
    from lstm_core.model.describe import returns_by_option

    names = ("h", "C", "n", "m")
    assert len(layer_initial_state(made_up.kind, 3, 1, "value", 0.5)) == len(names)
    steps = {name: np.full((1, 4, 3), float(k)) for k, name in enumerate((*names, "q"))}
    layer_trace = LayerTrace(1, "layer_1", made_up.kind, False, steps)
    assert list(state_values(layer_trace)) == list(names)
    assert list(final_states(layer_trace).columns) == [f"{name}_T" for name in names]
    (layer,) = ModelSpec((LayerSpec(made_up.kind, 3, return_state=True),)).layers
    returned = returns_by_option(layer, 4, 2)[1]["returns"]  # return_state=True
    assert [tensor["name"] for tensor in returned] == ["output", *names]
    assert returned[2]["note"] == "the matrix memory after the last step"


def test_a_row_with_a_state_besides_its_output_names_its_probe_step():
    from lstm_core.cells import OUTPUT_STATE, function_at

    for row in CELLS.values():
        assert OUTPUT_STATE in row.state_names, row.kind
        assert (row.probe_step is not None) == (len(row.states) > 1), row.kind
        if row.probe_step is not None:
            assert callable(function_at(row.probe_step))
