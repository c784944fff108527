"""Tests for lstm_core.reference: hand-computed steps, then Keras' own layers to 1e-5."""

import math
import warnings

import keras
import numpy as np
import pytest

from lstm_core import reference

ATOL = 1e-5
LAYERS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}
STATES = {"lstm": 2, "gru": 1, "rnn": 1}


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_lstm_two_steps_by_hand():
    # One unit, one feature; kernel, recurrent_kernel and bias in gate order i, f, c, o.
    kernel = np.array([[0.5, -0.25, 1.0, 0.75]])
    recurrent_kernel = np.array([[0.1, 0.2, -0.3, 0.4]])
    bias = np.array([0.0, 1.0, 0.0, -0.5])
    x = np.array([[[1.0], [-2.0]]])  # (batch=1, timesteps=2, features=1)
    h, c, expected = 0.0, 0.0, []
    for x_t in (1.0, -2.0):
        i = sig(0.5 * x_t + 0.1 * h)
        f = sig(-0.25 * x_t + 0.2 * h + 1.0)
        g = math.tanh(1.0 * x_t - 0.3 * h)
        o = sig(0.75 * x_t + 0.4 * h - 0.5)
        c = f * c + i * g
        h = o * math.tanh(c)
        expected.append({"h": h, "c": c, "i": i, "f": f, "g": g, "o": o})
    out = reference.lstm_forward(x, kernel, recurrent_kernel, bias)
    for t, values in enumerate(expected):
        for name, value in values.items():
            assert out[name][0, t, 0] == pytest.approx(value, abs=1e-6), (name, t)


def test_gru_and_rnn_one_step_by_hand():
    x = np.array([[[2.0]]])
    h0 = np.array([[0.5]])
    gru = reference.gru_forward(
        x,
        kernel=np.array([[0.3, -0.2, 0.1]]),  # z, r, h
        recurrent_kernel=np.array([[0.4, 0.5, -0.6]]),
        bias=np.array([[0.1, 0.0, 0.2], [0.0, 0.3, -0.1]]),  # input bias, recurrent bias
        h0=h0,
    )
    z = sig(0.3 * 2 + 0.1 + 0.4 * 0.5)
    r = sig(-0.2 * 2 + 0.5 * 0.5 + 0.3)
    candidate = math.tanh(0.1 * 2 + 0.2 + r * (-0.6 * 0.5 - 0.1))  # reset after the product
    assert gru["z"][0, 0, 0] == pytest.approx(z)
    assert gru["r"][0, 0, 0] == pytest.approx(r)
    assert gru["candidate"][0, 0, 0] == pytest.approx(candidate)
    assert gru["h"][0, 0, 0] == pytest.approx(z * 0.5 + (1 - z) * candidate)
    rnn = reference.rnn_forward(x, np.array([[0.3]]), np.array([[-0.7]]), np.array([0.2]), h0)
    assert rnn["h"][0, 0, 0] == pytest.approx(math.tanh(0.3 * 2 - 0.7 * 0.5 + 0.2))


def keras_layer(kind, features, units=3, seed=0, **options):
    """A Keras layer with random weights large enough to push the gates off their midpoint."""
    layer = LAYERS[kind](units, **options)
    layer.build((None, None, features))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.6, w.shape).astype("float32") for w in layer.get_weights()])
    return layer


def random_inputs(kind, batch, timesteps, features=2, units=3, initial=False, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, timesteps, features)).astype("float32")
    states = None
    if initial:
        states = [rng.uniform(-1, 1, (batch, units)).astype("float32") for _ in range(STATES[kind])]
    return x, states


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize(
    ("batch", "timesteps", "initial", "go_backwards"),
    [
        (1, 1, False, False),  # one step
        (1, 1, True, False),
        (3, 7, False, True),
        (3, 7, True, True),
        (2, 200, True, False),  # a long sequence
    ],
)
def test_reference_matches_keras(kind, batch, timesteps, initial, go_backwards):
    layer = keras_layer(
        kind, 2, return_sequences=True, return_state=True, go_backwards=go_backwards
    )
    x, states = random_inputs(kind, batch, timesteps, initial=initial)
    output, *keras_states = layer(x, initial_state=states)
    ref = reference.forward(kind, x, layer.get_weights(), states, go_backwards=go_backwards)
    np.testing.assert_allclose(ref["h"], output, atol=ATOL)  # every step, in reading order
    np.testing.assert_allclose(ref["h"][:, -1], keras_states[0], atol=ATOL)
    if kind == "lstm":
        np.testing.assert_allclose(ref["c"][:, -1], keras_states[1], atol=ATOL)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("return_state", [False, True])
def test_last_output_is_the_last_h(kind, return_state):
    layer = keras_layer(kind, 2, return_state=return_state)
    x, _ = random_inputs(kind, 4, 5)
    returned = layer(x)
    output = returned[0] if return_state else returned
    ref = reference.forward(kind, x, layer.get_weights())
    np.testing.assert_allclose(ref["h"][:, -1], output, atol=ATOL)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_masked_steps_keep_the_state_as_keras_does(kind, go_backwards):
    layer = keras_layer(kind, 2, return_state=True, go_backwards=go_backwards)
    x, states = random_inputs(kind, 3, 6, initial=True)
    mask = np.ones((3, 6), bool)
    mask[0, :2] = False  # padded at the start
    mask[1, -3:] = False  # padded at the end
    mask[2, 2] = False  # a gap
    _, *keras_states = layer(x, initial_state=states, mask=mask)
    ref = reference.forward(
        kind, x, layer.get_weights(), states, mask=mask, go_backwards=go_backwards
    )
    np.testing.assert_allclose(ref["h"][:, -1], keras_states[0], atol=ATOL)
    if kind == "lstm":
        np.testing.assert_allclose(ref["c"][:, -1], keras_states[1], atol=ATOL)


def test_initial_states_change_the_result():
    layer = keras_layer("lstm", 2)
    x, states = random_inputs("lstm", 2, 4, initial=True)
    from_zeros = reference.forward("lstm", x, layer.get_weights())
    from_states = reference.forward("lstm", x, layer.get_weights(), states)
    assert np.abs(from_zeros["h"] - from_states["h"]).max() > 1e-2
    np.testing.assert_allclose(layer(x), from_zeros["h"][:, -1], atol=ATOL)  # Keras: zeros


def test_lstm_returns_every_gate_with_shape_batch_timesteps_units():
    layer = keras_layer("lstm", 2, units=5)
    x, _ = random_inputs("lstm", 3, 4, units=5)
    out = reference.forward("lstm", x, layer.get_weights())
    assert list(out) == ["h", "c", "i", "f", "g", "o"]
    assert {value.shape for value in out.values()} == {(3, 4, 5)}
    assert all(((out[gate] > 0) & (out[gate] < 1)).all() for gate in "ifo")
    assert (np.abs(out["g"]) < 1).all()


def test_sigmoid_does_not_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(reference.sigmoid(np.array([-1e4, 0.0, 1e4])), [0, 0.5, 1])


def test_mismatched_kernel_is_refused():
    with pytest.raises(ValueError, match=r"x must be \(batch, timesteps, features\)"):
        reference.lstm_forward(np.zeros((1, 2, 3)), np.zeros((2, 8)), np.zeros((2, 8)), 0.0)
    with pytest.raises(ValueError, match=r"initial state must be \(batch, units\) = \(1, 2\)"):
        reference.rnn_forward(
            np.zeros((1, 2, 3)), np.zeros((3, 2)), np.zeros((2, 2)), 0.0, h0=np.zeros((2, 2))
        )
