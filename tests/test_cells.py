"""The table of cell kinds: each row agrees with the Keras layer it names, and nothing else in
the engine or the shell branches on a kind's name."""

import re
from pathlib import Path

import numpy as np
import pytest

from lstm_core.cells import CELLS, cell, kind_of_layer
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


# Per-kind code still outside the table (none: the one-step functions and the equations in
# words are the rows' reference_step, equations and arithmetic).
NOT_YET_IN_THE_TABLE: dict[str, int] = {}


def test_no_module_but_the_table_branches_on_a_kind_name():
    names = "|".join(CELLS)
    branch = re.compile(rf"""(==|!=|\bin)\s*\(?["']({names})["']|["']({names})["']\s*:""")
    offenders = {}
    for folder in ("lstm_core", "ui", "pages"):
        for path in (REPO / folder).rglob("*.py"):
            lines = path.read_text().splitlines()
            count = sum(1 for line in lines if branch.search(line))
            if count and path.name != "cells.py":
                offenders[str(path.relative_to(REPO))] = count
    assert offenders == NOT_YET_IN_THE_TABLE
