"""Tests for lstm_core.model.spec: JSON round-trip, validation messages, the layer syntax."""

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_core.errors import SpecError
from lstm_core.model import (
    LayerSpec,
    ModelSpec,
    fix_stack,
    format_layers,
    parse_layers,
    suggest_fix,
    validate,
)
from lstm_core.settings import Limits

LIMITS = Limits()


def stack(text, **options):
    return ModelSpec(parse_layers(text), **options)


# --- JSON ---------------------------------------------------------------------------------------


def test_model_spec_round_trips_through_json():
    spec = ModelSpec(
        (
            LayerSpec("lstm", 8, return_sequences=True, return_state=True, forget_bias="chrono"),
            LayerSpec("gru", 4, dropout=0.25, recurrent_dropout=0.1, go_backwards=True),
        ),
        head="classification",
        outputs=3,
        mask_value=-1.0,
    )
    assert ModelSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def test_from_dict_names_unknown_keys():
    d = ModelSpec((LayerSpec(),)).to_dict()
    d["layers"][0]["unit"] = 3
    with pytest.raises(SpecError, match=r"Unknown LayerSpec key\(s\) \['unit'\]"):
        ModelSpec.from_dict(d)
    with pytest.raises(SpecError, match=r"Unknown ModelSpec key\(s\) \['optimizer'\]"):
        ModelSpec.from_dict({"layers": [], "optimizer": "adam"})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("units", "32", r"layer 1 units must be an int, got '32' \(str\)"),
        ("units", True, r"units must be an int, got True \(bool\)"),
        ("return_sequences", 1, r"return_sequences must be True or False, got 1 \(int\)"),
        ("dropout", None, r"dropout must be an int or a float, got None"),
    ],
)
def test_layer_from_dict_rejects_wrong_types(key, value, message):
    d = LayerSpec().to_dict() | {key: value}
    with pytest.raises(SpecError, match=message):
        LayerSpec.from_dict(d)


def test_model_from_dict_rejects_wrong_types():
    with pytest.raises(SpecError, match=r"ModelSpec outputs must be an int, got 2.0"):
        ModelSpec.from_dict({"layers": [{"kind": "lstm"}], "outputs": 2.0})
    with pytest.raises(SpecError, match="'layers' must be a list of layer dicts, got str"):
        ModelSpec.from_dict({"layers": "lstm:3"})


# --- validate -----------------------------------------------------------------------------------


def test_valid_stack_passes_and_is_returned():
    spec = stack("lstm:16:seq:state,gru:8:seq,rnn:4", outputs=2)
    assert validate(spec, 10, 3, LIMITS) is spec


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (stack("lstm:8,lstm:4"), r"set return_sequences=True on layer 1\."),
        (stack("lstm:8:seq,gru:4:state,rnn:2"), r"layer 3 \(rnn\) needs a sequence.*layer 2"),
        (ModelSpec(()), r"no layers; add one, e\.g\. 'lstm:32'"),
        (stack(",".join(["lstm:2:seq"] * 6 + ["lstm:2"])), r"7 recurrent layers, at most 6"),
        (stack("lstm:513"), r"layer 1 units must be between 1 and 512, got 513"),
        (ModelSpec((LayerSpec(units=0),)), r"units must be between 1 and \d+, got 0"),
        (ModelSpec((LayerSpec(dropout=1.0),)), r"dropout must be in \[0, 1\), got 1\.0"),
        (
            ModelSpec((LayerSpec(recurrent_dropout=-0.1),)),
            r"recurrent_dropout must be in \[0, 1\), got -0\.1",
        ),
        (ModelSpec((LayerSpec(kind="lsmt"),)), r"kind must be one of .*got 'lsmt'"),
        (
            ModelSpec((LayerSpec(kind="gru", forget_bias="chrono"),)),
            r"forget_bias='chrono' applies to LSTM layers only, got kind='gru'",
        ),
        (ModelSpec((LayerSpec(forget_bias="two"),)), r"forget_bias must be one of"),
        (stack("lstm:4", outputs=0), r"regression head needs at least 1 output, got outputs=0"),
        (
            stack("lstm:4", head="classification", outputs=1),
            r"classification head needs at least 2 classes, got outputs=1",
        ),
        (stack("lstm:4", head="ranking"), r"head must be one of .*got 'ranking'"),
        (stack("lstm:4", mask_value=float("nan")), r"mask_value must be a finite number"),
    ],
)
def test_validate_names_the_problem_and_the_fix(spec, message):
    with pytest.raises(SpecError, match=message):
        validate(spec, 10, 3, LIMITS)


def test_validate_checks_timesteps_and_features_against_limits():
    spec = stack("lstm:4")
    with pytest.raises(SpecError, match=r"timesteps must be between 1 and 1000, got 1001"):
        validate(spec, 1001, 3, LIMITS)
    with pytest.raises(SpecError, match=r"features must be at least 1, got 0"):
        validate(spec, 10, 0, LIMITS)


def test_validate_reads_limits_from_the_environment(monkeypatch):
    monkeypatch.setenv("LSTM_LAB_MAX_UNITS", "8")
    with pytest.raises(SpecError, match=r"units must be between 1 and 8, got 16"):
        validate(stack("lstm:16"), 10, 3)


# --- fixes --------------------------------------------------------------------------------------


def test_fix_stack_turns_on_return_sequences_below_the_top_only():
    fixed = fix_stack(stack("lstm:8,gru:4:state,rnn:2"))
    assert [layer.return_sequences for layer in fixed.layers] == [True, True, False]
    assert fixed.layers[1].return_state
    validate(fixed, 10, 3, LIMITS)


def test_suggest_fix_repairs_what_has_an_obvious_fix():
    spec = ModelSpec((LayerSpec("lstm", 900), LayerSpec("gru", 4, forget_bias="zeros")), outputs=1)
    fixed = suggest_fix(spec, 10, 3, LIMITS)
    assert fixed == ModelSpec(
        (LayerSpec("lstm", 512, return_sequences=True), LayerSpec("gru", 4)), outputs=1
    )


def test_suggest_fix_returns_none_when_valid_or_not_fixable():
    assert suggest_fix(stack("lstm:4"), 10, 3, LIMITS) is None
    assert suggest_fix(stack("lstm:4,lstm:2", outputs=0), 10, 3, LIMITS) is None
    assert suggest_fix(ModelSpec((LayerSpec(units="4"),)), 10, 3, LIMITS) is None


# --- the layer syntax ---------------------------------------------------------------------------


def test_parse_layers_reads_kinds_units_and_flags():
    assert parse_layers("lstm:64:seq, GRU:32:state:back:drop=0.2:rdrop=0.1 ,rnn:8") == (
        LayerSpec("lstm", 64, return_sequences=True),
        LayerSpec(
            "gru", 32, return_state=True, go_backwards=True, dropout=0.2, recurrent_dropout=0.1
        ),
        LayerSpec("rnn", 8),
    )
    assert parse_layers("lstm:4:bias=chrono") == (LayerSpec("lstm", 4, forget_bias="chrono"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The layer string is empty"),
        ("lstm", r"Cannot read layer 'lstm': expected kind:units"),
        ("lstm:many", r"Cannot read layer 'lstm:many'"),
        ("cnn:4", r"Cannot read layer 'cnn:4'"),
        ("lstm:4,,gru:2", r"Cannot read layer ''"),
        ("lstm:4:sequences", r"Unknown flag 'sequences' in layer 'lstm:4:sequences'"),
        ("lstm:4:drop=lots", r"Cannot read the rate 'lots' in layer 'lstm:4:drop=lots'"),
        ("lstm:4:drop=1.5", r"dropout must be in \[0, 1\), got 1\.5"),
        ("gru:4:bias=chrono", r"applies to LSTM layers only"),
        ("lstm:0", r"layer 1 units must be at least 1, got 0"),
    ],
)
def test_parse_layers_names_the_bad_piece_and_the_syntax(text, message):
    with pytest.raises(SpecError, match=message):
        parse_layers(text)


def test_format_layers_writes_only_what_differs_from_defaults():
    layers = parse_layers("lstm:64:seq:state,gru:8:back:drop=0.25")
    assert format_layers(layers) == "lstm:64:seq:state,gru:8:back:drop=0.25"


layer_specs = st.builds(
    LayerSpec,
    kind=st.sampled_from(["lstm", "gru", "rnn"]),
    units=st.integers(1, 4096),
    return_sequences=st.booleans(),
    return_state=st.booleans(),
    dropout=st.floats(0.0, 1.0, exclude_max=True),
    recurrent_dropout=st.floats(0.0, 1.0, exclude_max=True),
    go_backwards=st.booleans(),
).map(
    lambda layer: (
        layer
        if layer.kind != "lstm"
        else dataclasses.replace(layer, forget_bias=["one", "zeros", "chrono"][layer.units % 3])
    )
)


@given(st.lists(layer_specs, min_size=1, max_size=6).map(tuple))
def test_format_then_parse_gives_the_same_layers(layers):
    assert parse_layers(format_layers(layers)) == layers


def layer_strings(pattern):
    return st.lists(st.from_regex(pattern, fullmatch=True), min_size=1, max_size=4).map(",".join)


# Mostly valid strings, then strings with a wrong piece here and there.
near_valid = layer_strings(r"(lstm|gru|rnn):[1-9][0-9]{0,2}(:(seq|state|back|drop=0\.[0-9]))*")
near_invalid = layer_strings(
    r"(lstm|GRU|rnn|cnn|)(:[0-9]{0,4}|:-1)(:(seq|state|back|drop=[-0-9.e]{0,5}|"
    r"rdrop=nan|bias=(one|zeros|chrono|two)|x))*"
)


@given(near_valid | near_invalid | st.text())
def test_any_string_parses_to_valid_layers_or_a_spec_error(text):
    try:
        layers = parse_layers(text)
    except SpecError:
        return
    assert isinstance(layers, tuple) and layers
    for layer in layers:
        assert isinstance(layer, LayerSpec)
        assert layer.kind in ("lstm", "gru", "rnn") and layer.units >= 1
        assert 0 <= layer.dropout < 1 and 0 <= layer.recurrent_dropout < 1
