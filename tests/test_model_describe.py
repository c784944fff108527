"""Tests for lstm_core.model.describe: what it promises is what Keras builds, without TensorFlow."""

import itertools
import subprocess
import sys

import pytest

from lstm_core.model import (
    ModelSpec,
    build_model,
    count_params,
    describe,
    describe_head,
    group_returns,
    parse_layers,
    returns_model,
)

TIMESTEPS, FEATURES = 5, 3
OPTIONS = list(itertools.product(("lstm", "gru", "rnn"), (False, True), (False, True)))


def layer_string(kind, return_sequences, return_state, units=2):
    flags = ["seq"] * return_sequences + ["state"] * return_state
    return ":".join([kind, str(units), *flags])


def assert_describe_matches_keras(spec):
    model = build_model(spec, TIMESTEPS, FEATURES, seed=0)
    returned = group_returns(model, returns_model(model).outputs)
    rows = describe(spec, TIMESTEPS, FEATURES)
    assert len(rows) == len(returned)
    for row, tensors in zip(rows, returned, strict=True):
        keras_layer = model.get_layer(row["name"])
        assert [r["name"] for r in row["returns"]] == list(tensors)
        assert [r["shape"] for r in row["returns"]] == [tuple(t.shape) for t in tensors.values()]
        assert row["input_shape"] == tuple(keras_layer.input.shape)
        assert row["params"] == keras_layer.count_params()
        assert row["keras_class"] == type(keras_layer).__name__
    for row in describe_head(spec, TIMESTEPS, FEATURES):
        keras_layer = model.get_layer(row["name"])
        assert row["output_shape"] == tuple(keras_layer.output.shape)
        assert row["params"] == keras_layer.count_params()
    masking = ["masking"] if spec.mask_value is not None else []
    flatten = ["flatten"] if spec.layers[-1].return_sequences else []
    expected = masking + [row["name"] for row in rows] + flatten + ["head"]
    assert [layer.name for layer in model.layers[1:]] == expected
    assert count_params(spec, TIMESTEPS, FEATURES) == model.count_params()


@pytest.mark.parametrize(("kind", "return_sequences", "return_state"), OPTIONS)
def test_one_layer_matches_keras(kind, return_sequences, return_state):
    spec = ModelSpec(parse_layers(layer_string(kind, return_sequences, return_state)), outputs=2)
    assert_describe_matches_keras(spec)


@pytest.mark.parametrize(("kind", "return_sequences", "return_state"), OPTIONS)
def test_stacked_layers_match_keras(kind, return_sequences, return_state):
    # Below the layer under test: the other kinds, one of them returning its states too.
    below = [k for k in ("lstm", "gru", "rnn") if k != kind]
    text = ",".join(
        [
            layer_string(below[0], True, True, units=4),
            layer_string(below[1], True, False, units=3),
            layer_string(kind, return_sequences, return_state),
        ]
    )
    spec = ModelSpec(parse_layers(text), head="classification", outputs=3, mask_value=0.0)
    assert_describe_matches_keras(spec)


def test_describe_does_not_import_tensorflow():
    code = (
        "import sys\n"
        "from lstm_core.model import ModelSpec, parse_layers, describe, describe_head\n"
        "spec = ModelSpec(parse_layers('lstm:8:seq:state,gru:4'), outputs=1)\n"
        "describe(spec, 10, 2); describe_head(spec, 10, 2)\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=".")


def test_params_match_the_hand_counted_formulas():
    spec = ModelSpec(parse_layers("lstm:2:seq,gru:2:seq,rnn:2"), outputs=1)
    rows = describe(spec, TIMESTEPS, FEATURES)
    assert [row["params"] for row in rows] == [
        4 * (2 * (3 + 2) + 2),  # 48: kernel 3x8, recurrent_kernel 2x8, bias 8
        3 * (2 * (2 + 2) + 2 * 2),  # 36: kernel 2x6, recurrent_kernel 2x6, bias 2x6
        2 * (2 + 2) + 2,  # 10
    ]


def test_returns_are_named_in_keras_order_with_keras_names():
    spec = ModelSpec(parse_layers("lstm:4:seq:state,gru:3:state"), outputs=1)
    lstm, gru = describe(spec, TIMESTEPS, FEATURES)
    assert [(r["name"], r["keras_name"], r["shape"]) for r in lstm["returns"]] == [
        ("output", "output", (None, 5, 4)),
        ("h", "final_memory_state", (None, 4)),
        ("c", "final_carry_state", (None, 4)),
    ]
    assert [(r["name"], r["keras_name"], r["shape"]) for r in gru["returns"]] == [
        ("output", "output", (None, 3)),
        ("h", "final_state", (None, 3)),
    ]
    assert "output[:, -1]" in lstm["returns"][1]["note"]


def test_head_flattens_a_top_layer_that_returns_sequences():
    spec = ModelSpec(parse_layers("lstm:4:seq"), head="classification", outputs=3)
    flatten, head = describe_head(spec, TIMESTEPS, FEATURES)
    assert flatten["name"] == "flatten" and flatten["output_shape"] == (None, 20)
    assert head["input_shape"] == (None, 20) and head["params"] == 20 * 3 + 3
    assert "softmax" in head["note"]


def test_pytorch_mapping_names_its_returns_and_the_bias_difference():
    spec = ModelSpec(parse_layers("lstm:4:seq:back,gru:4:seq,rnn:4"), outputs=1)
    lstm, gru, rnn = describe(spec, TIMESTEPS, FEATURES)
    assert "nn.LSTM(3, 4, batch_first=True) returns output, (h_n, c_n)" in lstm["pytorch"]
    assert "16 more parameters" in lstm["pytorch"] and "torch.flip" in lstm["pytorch"]
    assert "returns output, h_n" in gru["pytorch"] and "r, z, n" in gru["pytorch"]
    assert "4 more parameters" in rnn["pytorch"]


def test_cudnn_eligibility_follows_keras_rule():
    spec = ModelSpec(parse_layers("lstm:4:seq,gru:4:seq:rdrop=0.2,rnn:4"), outputs=1)
    lstm, gru, rnn = (row["cudnn"] for row in describe(spec, TIMESTEPS, FEATURES))
    assert lstm["eligible"] and "cuDNN" in lstm["reason"]
    assert not gru["eligible"] and "recurrent_dropout=0.2 rules out cuDNN" in gru["reason"]
    assert not rnn["eligible"] and "SimpleRNN has no cuDNN kernel" in rnn["reason"]
    masked = ModelSpec(spec.layers[:1], outputs=1, mask_value=0.0)
    cudnn = describe(masked, TIMESTEPS, FEATURES)[0]["cudnn"]
    assert not cudnn["eligible"]  # the long format pads at the front; cuDNN needs the end
    assert "padded at the front" in cudnn["reason"] and "use_cudnn=False" in cudnn["reason"]
