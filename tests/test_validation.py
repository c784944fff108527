"""The validation kernel: every config and spec words the same mistake the same way."""

import pytest

from lstm_core.data import SequenceSpec, WindowSpec
from lstm_core.errors import ConfigError, DataError, LabError, SpecError
from lstm_core.experiments import CompareConfig
from lstm_core.experiments.ablation import AblationConfig
from lstm_core.model import LayerSpec, ModelSpec
from lstm_core.model.spec import check_layer
from lstm_core.settings import Limits
from lstm_core.sweeps import SweepSpec
from lstm_core.train import TrainConfig, check_config
from lstm_core.validation import check_int, check_number

# Every JSON-able config and spec: (class, its error, a valid dict, an int field set too low,
# what builds and checks it).
CLASSES = [
    (TrainConfig, ConfigError, {"epochs": 3}, ("epochs", 0), TrainConfig.from_dict),
    (CompareConfig, ConfigError, {"timesteps": 10}, ("units", 0), CompareConfig.from_dict),
    (AblationConfig, ConfigError, {"timesteps": 10}, ("units", 0), AblationConfig.from_dict),
    (
        WindowSpec,
        DataError,
        {"features": ["a"], "targets": ["a"], "lookback": 4},
        ("lookback", 0),
        WindowSpec.from_dict,
    ),
    (
        SequenceSpec,
        DataError,
        {"id_column": "id", "features": ["a"], "target": "y"},
        ("max_length", 0),
        SequenceSpec.from_dict,
    ),
    (LayerSpec, SpecError, {"kind": "gru", "units": 4}, ("units", 0), LayerSpec.from_dict),
    (
        ModelSpec,
        SpecError,
        {"layers": [{"units": 4}], "outputs": 2},
        None,
        ModelSpec.from_dict,
    ),
    (
        SweepSpec,
        ConfigError,
        {"axes": {"units": [4, 8]}, "seeds": [0, 1]},
        None,
        SweepSpec.from_dict,
    ),
]
IDS = [row[0].__name__ for row in CLASSES]


@pytest.mark.parametrize(("cls", "error", "valid", "low", "build"), CLASSES, ids=IDS)
def test_every_class_round_trips_through_its_json(cls, error, valid, low, build):
    built = build(valid)
    assert isinstance(built, cls) and build(built.to_dict()) == built


@pytest.mark.parametrize(("cls", "error", "valid", "low", "build"), CLASSES, ids=IDS)
def test_every_class_refuses_an_unknown_key_in_one_wording(cls, error, valid, low, build):
    name = cls.__name__
    with pytest.raises(error, match=rf"^Unknown {name} key\(s\) \['colour'\]; expected some of "):
        build({**valid, "colour": "red"})
    with pytest.raises(error, match=rf"^A {name} must be a dict, got list\.$"):
        build([valid])


@pytest.mark.parametrize(("cls", "error", "valid", "low", "build"), CLASSES, ids=IDS)
def test_every_class_refuses_a_missing_key_in_one_wording(cls, error, valid, low, build):
    required = [
        key for key in valid if cls not in (TrainConfig, CompareConfig, AblationConfig, SweepSpec)
    ]
    required = [key for key in required if cls is not LayerSpec and key != "outputs"]
    if not required:
        pytest.skip(f"every {cls.__name__} field has a default")
    left = {key: value for key, value in valid.items() if key != required[0]}
    with pytest.raises(error, match=rf"^{cls.__name__} needs the key\(s\) \['{required[0]}'\]"):
        build(left)


@pytest.mark.parametrize(("cls", "error", "valid", "low", "build"), CLASSES, ids=IDS)
def test_every_class_words_a_bad_number_in_one_template(cls, error, valid, low, build):
    if low is None:
        pytest.skip(f"{cls.__name__}'s numbers are its parts' (layers, the base experiment)")
    name, value = low
    owner = "layer 1" if cls is LayerSpec else cls.__name__
    with pytest.raises(error, match=rf"^{owner} {name} must be (at least|between) 1.*, got 0; "):
        build({**valid, name: value})
    with pytest.raises(error, match=rf"^{owner} {name} must be an int, got 2\.5 \(float\); "):
        build({**valid, name: 2.5})


def test_a_limit_from_the_environment_is_named_as_the_fix():
    limits = Limits(max_epochs=1000, max_units=8)
    with pytest.raises(
        ConfigError,
        match=r"^TrainConfig epochs must be between 1 and 1000, got 1001; choose a value in "
        r"that range or raise the limit with LSTM_LAB_MAX_EPOCHS\.$",
    ):
        check_config(TrainConfig(epochs=1001), limits)
    with pytest.raises(SpecError, match=r"layer 2 units must be between 1 and 8, got 9; .*UNITS"):
        check_layer(LayerSpec(units=9), 2, limits)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"min_val": 0, "max_val": 1, "include_boundaries": "right"},
            r"must be in \(0, 1\], got 0;",
        ),
        (
            {"min_val": 0, "max_val": 1, "include_boundaries": "left"},
            r"must be in \[0, 1\), got 1;",
        ),
        ({"min_val": 0, "include_boundaries": "neither"}, r"must be above 0, got 0;"),
        ({"max_val": 0.5}, r"must be at most 0\.5, got 1;"),
    ],
)
def test_intervals_are_written_the_way_a_reader_says_them(kwargs, message):
    value = 1 if "max_val" in kwargs and kwargs.get("include_boundaries") != "right" else 0
    with pytest.raises(LabError, match=message):
        check_number(value, "rate", owner="X", **kwargs)


def test_a_bool_is_not_a_number_and_nan_is_not_finite():
    with pytest.raises(ConfigError, match=r"X n must be an int, got True \(bool\)"):
        check_int(True, "n", owner="X")
    with pytest.raises(ConfigError, match=r"X rate must be a finite number, got nan"):
        check_number(float("nan"), "rate", owner="X")
