import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_core.data import SequenceSpec, WindowSpec
from lstm_core.errors import ConfigError, DataError, LabError, SpecError
from lstm_core.experiment_io import Experiment, export_experiment, import_experiment
from lstm_core.model import LayerSpec, ModelSpec
from lstm_core.settings import Limits
from lstm_core.train import TrainConfig

EXPERIMENT = Experiment(
    data={"sample": "airline"},
    window=WindowSpec(features=("Passengers",), targets=("Passengers",), lookback=12),
    model=ModelSpec((LayerSpec(units=8, return_sequences=True, return_state=True), LayerSpec())),
    train=TrainConfig(epochs=3, learning_rate=0.01, seed=7),
)


def document(**changes) -> str:
    data = json.loads(export_experiment(EXPERIMENT))
    for dotted, value in changes.items():
        *path, last = dotted.split("__")
        target = data
        for key in path:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[last] = value
    return json.dumps(data)


def test_round_trip_is_exact():
    assert import_experiment(export_experiment(EXPERIMENT)) == EXPERIMENT


def test_round_trip_of_a_sequence_experiment():
    experiment = Experiment(
        data={"file": "my sequences.csv"},
        window=SequenceSpec(id_column="id", features=("a", "b"), target="label"),
    )
    assert import_experiment(export_experiment(experiment)) == experiment


def test_missing_parts_stay_absent():
    experiment = import_experiment('{"lstm_lab": 1}')
    assert experiment == Experiment()


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("{not json", ConfigError, "not valid JSON"),
        ("[1, 2]", ConfigError, "must be an object"),
        ('{"lstm_lab": 2}', ConfigError, "'lstm_lab' must be 1"),
        (
            '{"lstm_lab": 1, "extra": 0}',
            ConfigError,
            r"Unknown Experiment JSON key\(s\) \['extra'\]",
        ),
        ('{"lstm_lab": 1, "data": {"url": "http://x"}}', ConfigError, "'data' must be"),
        ('{"lstm_lab": 1, "model": 5}', ConfigError, "'model' must be an object"),
    ],
)
def test_bad_documents(text, error, match):
    with pytest.raises(error, match=match):
        import_experiment(text)


def test_wrong_type_names_the_field():
    with pytest.raises(SpecError, match="In the experiment's 'model'.*units must be an int"):
        import_experiment(document(model__layers__0__units="64"))


def test_unknown_key_in_a_part_names_it():
    with pytest.raises(ConfigError, match="In the experiment's 'train'.*Unknown TrainConfig key"):
        import_experiment(document(train__momentum=0.9))


def test_out_of_range_and_huge_values():
    with pytest.raises(SpecError, match="units must be between 1 and 512"):
        import_experiment(document(model__layers__1__units=10**30))
    with pytest.raises(ConfigError, match="epochs must be between 1 and 10"):
        import_experiment(document(train__epochs=11), limits=Limits(max_epochs=10))
    with pytest.raises(DataError, match="lookback"):
        import_experiment(document(window__lookback=-4))
    with pytest.raises(ConfigError, match="layers, more than the 1 allowed"):
        import_experiment(document(), limits=Limits(max_layers=1))


def test_deep_nesting_and_size_are_refused():
    with pytest.raises(ConfigError, match="nested .* levels deep"):
        import_experiment('{"lstm_lab": 1, "data": ' + "[" * 40 + "]" * 40 + "}")
    with pytest.raises(ConfigError, match="not valid JSON|levels deep"):
        import_experiment("[" * 30_000 + "]" * 30_000)
    with pytest.raises(ConfigError, match="bytes, more than"):
        import_experiment('{"lstm_lab": 1, "data": {"file": "' + "x" * 70_000 + '"}}')


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    part=st.sampled_from(["data", "window", "model", "train"]),
    key=st.sampled_from(["units", "layers", "lookback", "epochs", "kind", "features", "x"]),
    value=JSON_VALUES,
)
def test_only_lab_errors_or_a_valid_experiment_come_out(part, key, value):
    data = json.loads(export_experiment(EXPERIMENT))
    if isinstance(data.get(part), dict):
        data[part][key] = value
    else:
        data[part] = value
    try:
        experiment = import_experiment(json.dumps(data))
    except LabError:
        return
    assert isinstance(experiment, Experiment)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_random_text_gives_only_lab_errors(text):
    with contextlib.suppress(LabError):
        import_experiment(text)
