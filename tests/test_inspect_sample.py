"""Tests for lstm_core.inspect.sample: one sample's trace read in input order, its final
states, what a what-if start changes, held against what Keras' own layers return."""

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import WindowSpec, make_windows
from lstm_core.errors import DataError
from lstm_core.inspect import (
    change_of_output,
    final_states,
    input_order,
    input_step,
    returned_tensors,
    sample_batch,
    state_values,
    trace,
    what_if_initial_state,
)
from lstm_core.model import ModelSpec, build_model, parse_layers
from lstm_core.model.describe import returns_by_option

ATOL = 1e-5
TIMESTEPS, FEATURES = 5, 2
# The first layer reads backwards, so that input order and reading order differ.
STACK = "lstm:3:seq:state:back,gru:2:seq:state"


@pytest.fixture(scope="module")
def model():
    spec = ModelSpec(parse_layers(STACK), outputs=1)
    return build_model(spec, TIMESTEPS, FEATURES, seed=0)


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(1).normal(size=(1, TIMESTEPS, FEATURES)).astype("float32")


@pytest.mark.parametrize("layer", [1, 2])
def test_input_order_is_keras_output_sequence_in_input_order(model, x, layer):
    layer_trace = trace(model, x, layer)[0]
    returned = returned_tensors(model, x)[layer - 1]
    output = returned.tensors["output"][0]  # (timesteps, units), in reading order
    expected = output[::-1] if returned.options["go_backwards"] else output
    np.testing.assert_allclose(input_order(layer_trace)["h"], expected, atol=ATOL)
    # Reading step 1 of a backwards layer reads the last input step.
    assert input_step(layer_trace, 1) == (TIMESTEPS if layer == 1 else 1)


@pytest.mark.parametrize("layer", [1, 2])
def test_final_states_are_the_states_keras_returns(model, x, layer):
    final = final_states(trace(model, x, layer)[0])
    returned = returned_tensors(model, x)[layer - 1].tensors  # output, h, then c for an LSTM
    states = [name for name in returned if name != "output"]
    assert list(final.columns) == [f"{name}_T" for name in states]
    assert final.index.name == "unit"
    for name in states:
        np.testing.assert_allclose(final[f"{name}_T"], returned[name][0], atol=ATOL)


def test_a_what_if_start_changes_the_output_as_keras_computes_it(model, x):
    spec = ModelSpec(parse_layers(STACK), outputs=1)
    initial = what_if_initial_state(spec, 1, "value", 0.5, seed=0)
    assert [state.shape for state in initial[1]] == [(1, 3), (1, 3)]  # h0 and c0 of the LSTM
    assert what_if_initial_state(spec, 1, "zeros", 0.5, seed=0) is None
    after, before = trace(model, x, 1, initial)[0], trace(model, x, 1)[0]
    keras_after = returned_tensors(model, x, initial)[0].tensors["output"][0, ::-1]
    keras_before = returned_tensors(model, x)[0].tensors["output"][0, ::-1]
    np.testing.assert_allclose(
        change_of_output(after, before), keras_after - keras_before, atol=ATOL
    )
    both = final_states(before, after)
    assert list(both.columns) == ["h_T (zeros)", "h_T (what-if)", "c_T (zeros)", "c_T (what-if)"]
    assert not np.allclose(both["h_T (zeros)"], both["h_T (what-if)"])


def test_state_values_are_the_rows_states(model, x):
    assert list(state_values(trace(model, x, 1)[0])) == ["h", "c"]  # the LSTM
    assert list(state_values(trace(model, x, 2)[0])) == ["h"]  # the GRU


def test_a_sample_outside_its_split_names_the_samples_there_are():
    frame = pd.DataFrame({"y": np.arange(40, dtype="float64")})
    windows = make_windows(frame, WindowSpec(features=("y",), targets=("y",), lookback=3))
    count = len(windows.x_val)
    assert sample_batch(windows, "val", count - 1).shape == (1, *windows.x_val.shape[1:])
    with pytest.raises(DataError, match=rf"Sample {count} is outside the validation split, "
                       rf"which has {count} samples; choose one from 0 to {count - 1}\."):  # fmt: skip
        sample_batch(windows, "val", count)


def test_returns_by_option_lists_keras_four_combinations():
    (layer,) = parse_layers("gru:4:seq")
    rows = returns_by_option(layer, TIMESTEPS, FEATURES)
    combinations = [(row["return_sequences"], row["return_state"]) for row in rows]
    assert combinations == [(False, False), (False, True), (True, False), (True, True)]
    assert [row["as built"] for row in rows] == [False, False, True, False]
    shapes = {(r["return_sequences"], r["return_state"]): [t["shape"] for t in r["returns"]]
              for r in rows}  # fmt: skip
    assert shapes[(True, True)] == [(None, TIMESTEPS, 4), (None, 4)]  # output, then h
    assert shapes[(False, False)] == [(None, 4)]


def test_a_classification_is_read_as_the_likeliest_class_and_the_true_one():
    from types import SimpleNamespace

    from lstm_core.inspect import predicted_class

    windows = SimpleNamespace(class_names=("calm", "storm", "fog"))
    probabilities = np.array([0.2, 0.7, 0.1], dtype="float32")
    name, probability, true_name = predicted_class(windows, probabilities, np.array([2.0]))
    assert (name, true_name) == ("storm", "fog")
    assert probability == pytest.approx(0.7)
