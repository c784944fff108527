"""Tests for lstm_core.model.build: the Keras model, its wiring, initial biases, returns."""

import warnings

import keras
import numpy as np
import pytest

from lstm_core.errors import SpecError
from lstm_core.model import (
    ModelSpec,
    build_model,
    group_returns,
    parse_layers,
    recurrent_layers,
    returns_model,
)

TIMESTEPS, FEATURES = 6, 2


def make_x(batch=4, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, TIMESTEPS, FEATURES)).astype("float32")


def test_layers_are_named_in_stack_order():
    spec = ModelSpec(parse_layers("lstm:4:seq,gru:3:seq,rnn:2"), outputs=2, mask_value=0.0)
    model = build_model(spec, TIMESTEPS, FEATURES)
    assert [layer.name for layer in model.layers] == [
        "x",
        "masking",
        "layer_1",
        "layer_2",
        "layer_3",
        "head",
    ]
    assert [type(layer).__name__ for layer in recurrent_layers(model)] == [
        "LSTM",
        "GRU",
        "SimpleRNN",
    ]
    assert model.output_shape == (None, 2)


def test_layer_after_return_state_reads_the_output_and_states_are_exposed():
    spec = ModelSpec(parse_layers("lstm:4:seq:state,gru:3:state"), outputs=1)
    model = build_model(spec, TIMESTEPS, FEATURES, seed=0)
    lstm, gru = recurrent_layers(model)
    assert gru.input is lstm.output[0]
    assert [tuple(t.shape) for t in returns_model(model).outputs] == [
        (None, 6, 4),
        (None, 4),
        (None, 4),
        (None, 3),
        (None, 3),
    ]


@pytest.mark.slow
def test_returns_model_gives_what_feeds_the_head():
    spec = ModelSpec(parse_layers("gru:4:seq:state,lstm:3:state"), outputs=2)
    model = build_model(spec, TIMESTEPS, FEATURES, seed=1)
    x = make_x()
    returns = group_returns(model, returns_model(model).predict(x, verbose=0))
    assert list(returns[0]) == ["output", "h"] and list(returns[1]) == ["output", "h", "c"]
    head = model.get_layer("head")
    np.testing.assert_allclose(head(returns[1]["output"]), model.predict(x, verbose=0), atol=1e-6)
    np.testing.assert_allclose(returns[0]["output"][:, -1], returns[0]["h"], atol=1e-6)


def test_top_layer_with_sequences_is_flattened_for_the_head():
    spec = ModelSpec(parse_layers("lstm:3:seq"), head="classification", outputs=3)
    model = build_model(spec, TIMESTEPS, FEATURES, seed=0)
    assert model.get_layer("flatten").output.shape == (None, TIMESTEPS * 3)
    probabilities = model.predict(make_x(), verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)


def test_same_seed_same_weights_other_seed_other_weights():
    spec = ModelSpec(parse_layers("lstm:4:seq,gru:3"), outputs=1)
    first, again, other = (build_model(spec, TIMESTEPS, FEATURES, seed=s) for s in (7, 7, 8))
    for a, b in zip(first.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(first.get_weights()[0], other.get_weights()[0])


def lstm_bias(text, seed=0, timesteps=TIMESTEPS):
    model = build_model(ModelSpec(parse_layers(text), outputs=1), timesteps, FEATURES, seed=seed)
    return model.get_layer("layer_1").get_weights()[2]  # (4 * units,): i, f, c, o


def test_forget_bias_one_and_zeros():
    i, f, c, o = np.split(lstm_bias("lstm:5"), 4)  # "one" is the default
    np.testing.assert_array_equal(f, 1.0)
    np.testing.assert_array_equal(np.concatenate([i, c, o]), 0.0)
    np.testing.assert_array_equal(lstm_bias("lstm:5:bias=zeros"), 0.0)


def test_forget_bias_chrono_follows_tallec_and_ollivier():
    i, f, c, o = np.split(lstm_bias("lstm:50:bias=chrono", timesteps=20), 4)
    assert (f >= 0).all() and (f <= np.log(19) + 1e-6).all() and f.std() > 0.1
    np.testing.assert_array_equal(i, -f)
    np.testing.assert_array_equal(np.concatenate([c, o]), 0.0)
    np.testing.assert_array_equal(f, np.split(lstm_bias("lstm:50:bias=chrono", timesteps=20), 4)[1])


def test_build_refuses_an_invalid_spec():
    with pytest.raises(SpecError, match="set return_sequences=True on layer 1"):
        build_model(ModelSpec(parse_layers("lstm:4,lstm:4"), outputs=1), TIMESTEPS, FEATURES)


@pytest.mark.slow
def test_masked_model_trains_without_the_flatten_mask_warning():
    spec = ModelSpec(parse_layers("lstm:3:seq:state,gru:2:seq"), outputs=1, mask_value=0.0)
    x = make_x(batch=8)
    x[0, :2] = 0.0
    with warnings.catch_warnings(record=True) as caught:
        model = build_model(spec, TIMESTEPS, FEATURES, seed=0)
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, np.zeros((8, 1)), epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert not [w for w in caught if "does not support masking" in str(w.message)]


def test_front_padded_steps_hold_zeros_and_masked_layers_skip_cudnn():
    spec = ModelSpec(parse_layers("lstm:3:seq,gru:2:seq:state"), outputs=1, mask_value=-1.0)
    model = build_model(spec, TIMESTEPS, FEATURES, seed=0)
    x = make_x(batch=3)
    x[0, :2] = -1.0  # padded at the front, as lstm_core.data.sequences pads
    lstm_out, gru_out, _ = returns_model(model).predict(x, verbose=0)
    np.testing.assert_array_equal(lstm_out[0, :2], 0.0)  # zeros, not a real step's output
    np.testing.assert_array_equal(gru_out[0, :2], 0.0)
    assert np.abs(lstm_out[0, 2:]).min() > 0 and np.abs(lstm_out[1:]).min() > 0
    # Keras' cuDNN path asserts right padding: masked layers run the generic loop.
    assert [layer.use_cudnn for layer in recurrent_layers(model)] == [False, False]
    unmasked = build_model(ModelSpec(spec.layers, outputs=1), TIMESTEPS, FEATURES, seed=0)
    assert [layer.use_cudnn for layer in recurrent_layers(unmasked)] == ["auto", "auto"]


@pytest.mark.slow
def test_saved_model_keeps_names_and_returns(tmp_path):
    spec = ModelSpec(parse_layers("lstm:4:seq:state,rnn:2:state"), outputs=1, mask_value=0.0)
    model = build_model(spec, TIMESTEPS, FEATURES, seed=0)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    x = make_x()
    assert [layer.name for layer in recurrent_layers(loaded)] == ["layer_1", "layer_2"]
    for a, b in zip(
        returns_model(model).predict(x, verbose=0),
        returns_model(loaded).predict(x, verbose=0),
        strict=True,
    ):
        np.testing.assert_allclose(a, b, atol=1e-6)
