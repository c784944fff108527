"""Tests for lstm_core.inspect: returned tensors are Keras', traces agree with them and the reference."""

import keras
import numpy as np
import pytest

from lstm_core import reference
from lstm_core.errors import DataError, SpecError
from lstm_core.inspect import initial_state_for, returned_tensors, trace
from lstm_core.model import ModelSpec, build_model, group_returns, parse_layers, returns_model

ATOL = 1e-5
TIMESTEPS, FEATURES = 7, 3
STACKS = [
    "lstm:4",
    "gru:4:seq:state:back,lstm:3:state",
    "lstm:4:seq:state,rnn:3:seq:back,gru:2:seq:state",
    "rnn:3:seq,lstm:4:seq:state:back,gru:3:seq:state,lstm:2:state",
]


def make_model(text, mask_value=None, seed=0):
    spec = ModelSpec(parse_layers(text), outputs=1, mask_value=mask_value)
    return build_model(spec, TIMESTEPS, FEATURES, seed=seed)


def make_x(batch=3, padded=False, seed=0):
    x = np.random.default_rng(seed).normal(size=(batch, TIMESTEPS, FEATURES)).astype("float32")
    if padded:
        x[0, :2] = 0.0  # padded at the start
        x[1, -3:] = 0.0  # padded at the end
    return x


def last_h(layer_return):
    """The layer's final h: returned as ``h``, or read from its output."""
    tensors = layer_return.tensors
    if "h" in tensors:
        return tensors["h"]
    return (
        tensors["output"][:, -1] if layer_return.options["return_sequences"] else tensors["output"]
    )


@pytest.mark.parametrize("padded", [False, True])
@pytest.mark.parametrize("text", STACKS)
def test_returned_tensors_are_what_keras_returns(text, padded):
    model = make_model(text, mask_value=0.0 if padded else None)
    x = make_x(padded=padded)
    returns = returned_tensors(model, x)
    expected = group_returns(model, returns_model(model)(x, training=False))
    assert [r.name for r in returns] == [f"layer_{k}" for k in range(1, len(expected) + 1)]
    for layer_return, keras_tensors in zip(returns, expected, strict=True):
        assert list(layer_return.tensors) == list(keras_tensors)
        for name, value in keras_tensors.items():
            np.testing.assert_allclose(layer_return.tensors[name], value, atol=1e-6)
            assert layer_return.shapes[name] == tuple(value.shape)


@pytest.mark.parametrize("text", STACKS)
def test_output_and_h_invariants(text):
    for layer_return in returned_tensors(make_model(text), make_x()):
        tensors = layer_return.tensors
        if "h" not in tensors:
            continue
        if layer_return.options["return_sequences"]:
            np.testing.assert_array_equal(
                tensors["output"][:, -1], tensors["h"]
            )  # go_backwards too
        else:
            np.testing.assert_array_equal(tensors["output"], tensors["h"])


@pytest.mark.parametrize("padded", [False, True])
@pytest.mark.parametrize("text", STACKS)
def test_trace_agrees_with_what_keras_returns(text, padded):
    model = make_model(text, mask_value=0.0 if padded else None)
    x = make_x(padded=padded)
    returns = returned_tensors(model, x)
    traces = trace(model, x)
    assert len(traces) == len(returns)
    for layer_trace, layer_return in zip(traces, returns, strict=True):
        tensors = layer_return.tensors
        np.testing.assert_allclose(layer_trace.steps["h"][:, -1], last_h(layer_return), atol=ATOL)
        if "c" in tensors:
            np.testing.assert_allclose(layer_trace.steps["c"][:, -1], tensors["c"], atol=ATOL)
        if layer_return.options["return_sequences"]:
            np.testing.assert_allclose(layer_trace.steps["h"], tensors["output"], atol=ATOL)


@pytest.mark.parametrize("text", STACKS[1:])
def test_trace_agrees_with_the_reference_fed_keras_inputs(text):
    model = make_model(text)
    x = make_x()
    returns = returned_tensors(model, x)
    inputs = [x] + [r.tensors["output"] for r in returns[:-1]]  # what Keras fed each layer
    for layer_trace, layer_input in zip(trace(model, x), inputs, strict=True):
        keras_layer = model.get_layer(layer_trace.name)
        expected = reference.forward(
            layer_trace.kind,
            layer_input,
            keras_layer.get_weights(),
            go_backwards=keras_layer.go_backwards,
        )
        assert list(layer_trace.steps) == list(expected)
        for name, value in expected.items():
            np.testing.assert_allclose(layer_trace.steps[name], value, atol=ATOL)


def test_trace_names_gates_per_kind_with_shape_batch_timesteps_units():
    model = make_model("lstm:4:seq,gru:3:seq,rnn:2:back")
    lstm, gru, rnn = trace(model, make_x(batch=2))
    assert list(lstm.steps) == ["h", "c", "i", "f", "g", "o"]
    assert list(gru.steps) == ["h", "z", "r", "candidate"]
    assert list(rnn.steps) == ["h"]
    assert {v.shape for v in lstm.steps.values()} == {(2, TIMESTEPS, 4)}
    np.testing.assert_array_equal(lstm.input_steps, np.arange(TIMESTEPS))
    np.testing.assert_array_equal(rnn.input_steps, np.arange(TIMESTEPS)[::-1])


def test_trace_of_one_layer_is_that_layer_of_the_full_trace():
    model = make_model(STACKS[3])
    x = make_x()
    (third,) = trace(model, x, layer=3)
    full = trace(model, x)[2]
    assert third.name == "layer_3"
    for name in full.steps:
        np.testing.assert_array_equal(third.steps[name], full.steps[name])


@pytest.mark.parametrize("padded", [False, True])
def test_initial_states_match_keras_initial_state(padded):
    model = make_model(STACKS[2], mask_value=0.0 if padded else None)
    x = make_x(padded=padded)
    states = initial_state_for(model, len(x), how="random", seed=4)
    returns = returned_tensors(model, x, initial_state=states)
    # Keras itself, layer 1 called with initial_state, as the user would.
    masking = model.get_layer("masking") if padded else None
    layer_1 = model.get_layer("layer_1")
    mask = np.any(x != 0.0, axis=-1) if padded else None
    keras_1 = layer_1(x if masking is None else masking(x), initial_state=states[1], mask=mask)
    keras_1 = dict(zip(returns[0].tensors, map(np.array, keras_1), strict=True))
    if padded:
        # Sample 0 is padded at its start, which layer 1 reads first: zeros there, as Keras
        # returns them on TensorFlow; on JAX it returns h0 (docs/known-issues.md).
        np.testing.assert_array_equal(returns[0].tensors["output"][0, :2], 0.0)
        keras_1["output"][0, :2] = 0.0
    for name, want in keras_1.items():
        np.testing.assert_allclose(returns[0].tensors[name], want, atol=1e-6)
    zeros = returned_tensors(model, x)
    assert np.abs(returns[0].tensors["h"] - zeros[0].tensors["h"]).max() > 1e-3
    for layer_trace, layer_return in zip(
        trace(model, x, initial_state=states), returns, strict=True
    ):
        np.testing.assert_allclose(layer_trace.steps["h"][:, -1], last_h(layer_return), atol=ATOL)
        if "c" in layer_return.tensors:
            np.testing.assert_allclose(
                layer_trace.steps["c"][:, -1], layer_return.tensors["c"], atol=ATOL
            )


def simple_rnn_weights(layer) -> None:
    """Kernel and recurrent kernel of ones, bias zero: ``h_t = tanh(x_t + h_{t-1})``."""
    layer.set_weights([np.ones((1, 1)), np.ones((1, 1)), np.zeros(1)])


# One sample, one feature, padded at the end; a go_backwards layer reads the padding first.
PADDED_AT_THE_END = np.array([[[1.0], [2.0], [0.0]]], "float32")
H0 = np.full((1, 1), 0.5, "float32")
# By hand, h_t = tanh(x_t + h_{t-1}) read backwards from h0 = 0.5: the padded step keeps h at
# 0.5 and outputs zeros (no kept step read yet), then 2.0 and 1.0.
BACKWARDS_OUTPUT = [0.0, np.tanh(2.5), np.tanh(1.0 + np.tanh(2.5))]


def test_keras_on_jax_still_returns_h0_before_the_first_kept_step():
    """The Keras defect in docs/known-issues.md, in plain Keras. When this fails on JAX, Keras
    is fixed: ``lstm_core.model.build._zeros_until_kept`` can go, and this test with it."""
    rnn = keras.layers.SimpleRNN(1, go_backwards=True, return_sequences=True)
    rnn.build((None, 3, 1))
    simple_rnn_weights(rnn)
    mask = np.array([[True, True, False]])
    output = np.asarray(rnn(PADDED_AT_THE_END, initial_state=[H0], mask=mask))  # (1, 3, 1)
    first = 0.5 if keras.backend.backend() == "jax" else 0.0  # JAX: h0, not zeros
    np.testing.assert_allclose(output[0, :, 0], [first, *BACKWARDS_OUTPUT[1:]], atol=1e-6)


def test_a_layer_outputs_zeros_until_it_reads_a_kept_step_from_any_initial_state():
    spec = ModelSpec(parse_layers("rnn:1:seq:back,rnn:1:seq"), outputs=1, mask_value=0.0)
    model = build_model(spec, 3, 1, seed=0)
    for name in ("layer_1", "layer_2"):
        simple_rnn_weights(model.get_layer(name))
    first, second = returned_tensors(model, PADDED_AT_THE_END, initial_state={1: [H0]})
    np.testing.assert_allclose(first.tensors["output"][0, :, 0], BACKWARDS_OUTPUT, atol=1e-6)
    # Layer 2 reads layer 1's output with the input's mask, from h0 = 0: it reads 0.0 and
    # tanh(2.5), and its padded step repeats the last output. Reading h0 = 0.5 instead of the
    # first 0.0 would give tanh(0.5) and then 0.8957.
    h_1 = np.tanh(BACKWARDS_OUTPUT[1])
    np.testing.assert_allclose(second.tensors["output"][0, :, 0], [0.0, h_1, h_1], atol=1e-6)
    np.testing.assert_allclose(
        trace(model, PADDED_AT_THE_END, initial_state={1: [H0]})[1].steps["h"][0, :, 0],
        [0.0, h_1, h_1],
        atol=1e-6,
    )


def test_zero_initial_states_are_the_default():
    model = make_model("lstm:3:seq,gru:2")
    x = make_x()
    zeros = initial_state_for(model, len(x))
    assert [s.shape for s in zeros[1]] == [(3, 3), (3, 3)] and [s.shape for s in zeros[2]] == [
        (3, 2)
    ]
    for a, b in zip(trace(model, x, initial_state=zeros), trace(model, x), strict=True):
        np.testing.assert_array_equal(a.steps["h"], b.steps["h"])


def test_dropout_is_off_when_inspecting():
    model = make_model("lstm:4:seq:drop=0.5:rdrop=0.5,gru:3:drop=0.5")
    x = make_x()
    first, again = returned_tensors(model, x), returned_tensors(model, x)
    np.testing.assert_array_equal(first[1].tensors["output"], again[1].tensors["output"])
    np.testing.assert_allclose(
        trace(model, x)[1].steps["h"][:, -1], first[1].tensors["output"], atol=ATOL
    )


def test_bad_inputs_are_refused_with_the_fix():
    model = make_model("lstm:3:seq,gru:2")
    with pytest.raises(DataError, match=r"x must be \(batch, 7, 3\).*got shape \(2, 5, 3\)"):
        trace(model, np.zeros((2, 5, 3)))
    with pytest.raises(DataError, match=r"layer must be a layer number from 1 to 2, got 3"):
        trace(model, make_x(), layer=3)
    with pytest.raises(DataError, match=r"initial_state for layer 1 \(lstm\) must be \[h0, c0\]"):
        returned_tensors(model, make_x(), initial_state={1: [np.zeros((3, 3))]})
    with pytest.raises(
        DataError, match=r"each \(batch, units\) = \(3, 2\), got shapes \[\(3, 3\)\]"
    ):
        trace(model, make_x(), initial_state={2: [np.zeros((3, 3))]})
    with pytest.raises(DataError, match="how must be 'zeros' or 'random'"):
        initial_state_for(model, 3, how="ones")


def test_a_layer_unlike_the_reference_is_not_traced():
    inputs = keras.Input((TIMESTEPS, FEATURES))
    outputs = keras.layers.LSTM(2, activation="relu", name="layer_1")(inputs)
    model = keras.Model(inputs, outputs)
    with pytest.raises(SpecError, match=r"layer_1 cannot be traced.*'activation': 'relu'"):
        trace(model, make_x())
