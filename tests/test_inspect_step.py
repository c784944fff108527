"""Tests for lstm_core.inspect.cell_step: one cell call equals the reference and Keras at every t."""

import numpy as np
import pytest

from lstm_core import reference
from lstm_core.errors import DataError
from lstm_core.inspect import cell_step, initial_state_for, returned_tensors
from lstm_core.model import ModelSpec, build_model, parse_layers

ATOL = 1e-5
TIMESTEPS, FEATURES = 6, 3
STACKS = [
    "lstm:4",
    "gru:3",
    "rnn:3",
    "lstm:4:seq:back,gru:3:seq,rnn:2:back",
    "gru:3:seq:state:back,lstm:3:state",
]
STATE_NAMES = {"lstm": ("h", "c"), "gru": ("h",), "rnn": ("h",)}


def make_model(text, mask_value=None):
    spec = ModelSpec(parse_layers(text), outputs=1, mask_value=mask_value)
    return build_model(spec, TIMESTEPS, FEATURES, seed=3)


def make_x(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(1, TIMESTEPS, FEATURES)).astype("float32")


def keras_states_after(layer, inputs, t, initial):
    """Keras' own returned states after step ``t``: the same layer's weights in a fresh layer
    with ``return_state=True``, run on the steps it reads up to ``t``."""
    fresh = type(layer)(layer.cell.units, return_state=True, go_backwards=layer.go_backwards)
    # The steps read by t: the first t + 1, or with go_backwards the last t + 1.
    prefix = inputs[:, inputs.shape[1] - 1 - t :] if layer.go_backwards else inputs[:, : t + 1]
    fresh.build(prefix.shape)
    fresh.set_weights(layer.get_weights())
    _, *states = fresh(prefix, initial_state=initial)
    return [np.asarray(s)[0] for s in states]


@pytest.mark.parametrize("initial", ["zeros", "random"])
@pytest.mark.parametrize("text", STACKS)
def test_cell_step_equals_the_reference_and_keras_at_every_step(text, initial):
    model = make_model(text)
    x = make_x()
    initial_state = initial_state_for(model, 1, initial, seed=5) if initial == "random" else None
    returns = returned_tensors(model, x, initial_state)
    inputs = [x] + [r.tensors["output"] for r in returns[:-1]]  # what Keras fed each layer
    for index, (layer_return, layer_input) in enumerate(zip(returns, inputs, strict=True), 1):
        layer = model.get_layer(layer_return.name)
        kind = layer_return.kind
        start = None if initial_state is None else initial_state[index]
        expected = reference.forward(
            kind, layer_input, layer.get_weights(), start, go_backwards=layer.go_backwards
        )
        for t in range(TIMESTEPS):
            step = cell_step(model, x, index, t, initial_state)
            for name, values in expected.items():  # states and gates
                np.testing.assert_allclose(step[name], values[0, t], atol=ATOL, err_msg=name)
            keras_states = keras_states_after(layer, layer_input, t, start)
            for name, value in zip(STATE_NAMES[kind], keras_states, strict=True):
                np.testing.assert_allclose(step[name], value, atol=ATOL, err_msg=f"keras {name}")
            read = TIMESTEPS - 1 - t if layer.go_backwards else t
            np.testing.assert_allclose(step["x_t"], layer_input[0, read], atol=ATOL)
            if t > 0:
                previous = cell_step(model, x, index, t - 1, initial_state)
                for name in STATE_NAMES[kind]:
                    np.testing.assert_allclose(step[f"{name}_prev"], previous[name], atol=ATOL)
        for name in STATE_NAMES[kind]:  # the last step's states are what the layer returns
            if name in layer_return.tensors:
                np.testing.assert_allclose(step[name], layer_return.tensors[name][0], atol=ATOL)


def test_cell_step_starts_from_the_initial_state_and_shows_pre_activations():
    model = make_model("lstm:4")
    h0, c0 = (np.full((1, 4), v, "float32") for v in (0.5, -0.25))
    step = cell_step(model, make_x(), 1, 0, {1: [h0, c0]})
    np.testing.assert_array_equal(step["h_prev"], h0[0])
    np.testing.assert_array_equal(step["c_prev"], c0[0])
    assert {name: step[name].shape for name in step} == {
        **{name: (4,) for name in step if name != "x_t"},
        "x_t": (FEATURES,),
    }
    for gate in "ifo":
        np.testing.assert_allclose(step[gate], 1 / (1 + np.exp(-step[f"pre_{gate}"])), atol=1e-6)
    np.testing.assert_allclose(step["g"], np.tanh(step["pre_g"]), atol=1e-6)
    np.testing.assert_allclose(
        step["c"], step["f"] * step["c_prev"] + step["i"] * step["g"], atol=1e-6
    )
    np.testing.assert_allclose(step["h"], step["o"] * np.tanh(step["c"]), atol=1e-6)


def test_cell_step_names_each_kinds_values():
    model = make_model("lstm:2:seq,gru:2:seq,rnn:2")
    x = make_x()
    assert set(cell_step(model, x, 1, 0)) == {
        "x_t", "h_prev", "c_prev", "pre_i", "pre_f", "pre_g", "pre_o",
        "i", "f", "g", "o", "h", "c",
    }  # fmt: skip
    assert set(cell_step(model, x, 2, 0)) == {
        "x_t", "h_prev", "pre_z", "pre_r", "pre_candidate", "z", "r", "candidate", "h",
    }  # fmt: skip
    assert set(cell_step(model, x, 3, 0)) == {"x_t", "h_prev", "pre_h", "h"}


def test_a_masked_step_hands_its_states_on_unchanged():
    model = make_model("lstm:3", mask_value=0.0)
    x = make_x()
    x[0, 2] = 0.0  # step 2 is padding
    step = cell_step(model, x, 1, 2)
    np.testing.assert_array_equal(step["h"], step["h_prev"])
    np.testing.assert_array_equal(step["c"], step["c_prev"])
    keras_h = returned_tensors(model, x)[0].tensors["output"][0]
    np.testing.assert_allclose(cell_step(model, x, 1, TIMESTEPS - 1)["h"], keras_h, atol=ATOL)


@pytest.mark.parametrize(
    ("x_shape", "layer", "t", "match"),
    [
        ((2, TIMESTEPS, FEATURES), 1, 0, r"one sample, x of shape \(1, timesteps, features\)"),
        ((1, TIMESTEPS, FEATURES), 2, 0, "layer must be a layer number from 1 to 1"),
        ((1, TIMESTEPS, FEATURES), 1, TIMESTEPS, "t must be a step from 0 to 5"),
        ((1, TIMESTEPS, FEATURES), 1, -1, "t must be a step from 0 to 5"),
    ],
)
def test_cell_step_refuses_what_does_not_fit(x_shape, layer, t, match):
    model = make_model("lstm:2")
    with pytest.raises(DataError, match=match):
        cell_step(model, np.zeros(x_shape, "float32"), layer, t)
