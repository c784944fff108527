"""The experiment in a URL: every setting round-trips, old links open, long ones are stored."""

import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_core import samples
from lstm_core.data import SequenceSpec, WindowSpec
from lstm_core.errors import ConfigError, LabError, StoreError
from lstm_core.experiment_io import Experiment, experiment_document
from lstm_core.experiment_url import FIELDS, from_params, to_link_params, to_params
from lstm_core.model import LayerSpec, ModelSpec
from lstm_core.model.spec import FORGET_BIASES, KINDS, check_layer
from lstm_core.runs import RunStore
from lstm_core.train import LOSSES, OPTIMIZERS, TrainConfig

# Column names as a user's CSV may have them: commas, backslashes, spaces, accents, '&', '='.
NAME = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1)
NAMES = st.lists(NAME, min_size=1, max_size=4, unique=True).map(tuple)
FRACTION = st.floats(0, 0.45, allow_nan=False)
RATE = st.floats(0, 0.99, allow_nan=False)


def valid(cls, check=lambda spec: spec):
    """``check(cls(**fields))``, or None when the fields do not make a valid spec."""

    def build(**fields):
        try:
            return check(cls(**fields))
        except LabError:
            return None

    return build


windows = st.builds(
    valid(WindowSpec),
    features=NAMES,
    targets=NAMES,
    lookback=st.integers(1, 1000),
    horizon=st.integers(1, 50),
    stride=st.integers(1, 50),
    scaler=st.sampled_from(["minmax", "standard", "none"]),
    val_fraction=FRACTION,
    test_fraction=FRACTION,
    missing=st.sampled_from(["error", "drop", "ffill", "interpolate"]),
    allow_target_as_feature=st.booleans(),
    difference=st.booleans(),
    season=st.none() | st.integers(0, 400),
).filter(bool)
sequences = st.builds(
    valid(SequenceSpec),
    id_column=NAME,
    features=NAMES,
    target=NAME,
    step_column=st.none() | NAME,
    task=st.sampled_from(["classification", "regression"]),
    length=st.sampled_from(["pad", "cut"]),
    max_length=st.none() | st.integers(1, 1000),
    scaler=st.sampled_from(["minmax", "standard", "none"]),
    val_fraction=FRACTION,
    test_fraction=FRACTION,
    seed=st.integers(0, 2**31 - 1),
    missing=st.sampled_from(["error", "drop", "ffill", "interpolate"]),
).filter(bool)
layers = st.builds(
    valid(LayerSpec, check_layer),
    kind=st.sampled_from(KINDS),
    units=st.integers(1, 512),
    return_sequences=st.booleans(),
    return_state=st.booleans(),
    dropout=RATE,
    recurrent_dropout=RATE,
    go_backwards=st.booleans(),
    forget_bias=st.sampled_from(FORGET_BIASES),
).filter(bool)
models = st.builds(
    ModelSpec,
    layers=st.lists(layers, min_size=1, max_size=6).map(tuple),
    head=st.sampled_from(["regression", "classification"]),
    outputs=st.integers(1, 100),
    mask_value=st.none() | st.floats(-1e6, 1e6, allow_nan=False),
)
configs = st.builds(
    TrainConfig,
    epochs=st.integers(1, 1000),
    batch_size=st.integers(1, 4096),
    optimizer=st.sampled_from(OPTIMIZERS),
    learning_rate=st.floats(1e-6, 1.0, allow_nan=False),
    loss=st.sampled_from(LOSSES),
    seed=st.integers(0, 2**31 - 1),
    patience=st.integers(0, 100),
    clipnorm=st.none() | st.floats(1e-3, 100, allow_nan=False),
)
sources = st.none() | st.builds(
    lambda key, name: {key: name},
    st.sampled_from(["sample", "file"]),
    st.sampled_from(list(samples.SAMPLES)) | NAME,
)
experiments = st.builds(
    Experiment,
    data=sources,
    window=st.none() | windows | sequences,
    model=st.none() | models,
    train=st.none() | configs,
)


def through_address_bar(params: dict[str, str]) -> dict[str, str]:
    """The parameters as a browser sends them back: percent-encoded, then decoded."""
    query = urllib.parse.urlencode(params)
    return dict(urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(experiments)
def test_any_valid_experiment_survives_url_encode_and_decode(experiment):
    decoded, notes = from_params(through_address_bar(to_params(experiment)))
    assert decoded == experiment
    assert notes == []


def test_no_step_column_overrides_the_samples_own():
    """Found by the property above: the shapes sample orders its rows by ``step``; a link that
    says no step column must not get the sample's back."""
    window = SequenceSpec(id_column="id", features=("x",), target="label", step_column=None)
    experiment = Experiment(data={"sample": "shapes"}, window=window)
    decoded, _ = from_params(through_address_bar(to_params(experiment)))
    assert decoded.window.step_column is None


def test_every_field_of_every_part_has_a_url_parameter():
    full = Experiment(
        data={"sample": "airline"},
        window=WindowSpec(features=("a",), targets=("b",), lookback=3),
        model=ModelSpec(layers=(LayerSpec(),)),
        train=TrainConfig(),
    )
    sequence = SequenceSpec(id_column="id", features=("a",), target="y")
    documented = {(field.part, field.name) for field in FIELDS}
    for experiment in (full, Experiment(window=sequence)):
        for part, values in experiment_document(experiment).items():
            if isinstance(values, dict):
                missing = {(part, name) for name in values} - documented
                assert not missing, f"no URL parameter for {missing}"


def test_names_with_commas_and_backslashes_keep_apart():
    window = WindowSpec(features=("a,b", "c\\", "d"), targets=("e\\,f",), lookback=2)
    params = to_params(Experiment(window=window))
    assert params["features"] == "a\\,b,c\\\\,d"
    assert from_params(params)[0].window == window


def test_a_version_1_link_reads_over_the_samples_own_windowing():
    experiment, notes = from_params(
        {"sample": "airline", "lookback": "24", "layers": "gru:8", "epochs": "3"}
    )
    assert experiment.window == WindowSpec(
        **{**samples.SAMPLES["airline"].spec.to_dict(), "lookback": 24}
    )
    assert experiment.model.layers == (LayerSpec(kind="gru", units=8),)
    assert experiment.train == TrainConfig(epochs=3)
    assert notes == []


def test_what_a_link_cannot_restore_is_named():
    _, notes = from_params(
        {"v": "3", "sample": "airline", "colour": "blue", "run": "x"}, ignore=("run",)
    )
    assert "format v=3" in notes[0]
    assert "colour are not known" in notes[1] and "run" not in notes[1]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lookback": "twelve", "sample": "airline"}, r"lookback='twelve' must be a whole number"),
        ({"target_as_feature": "yes", "sample": "airline"}, "must be true or false"),
        ({"features": "a\\"}, "column names separated by commas"),
        ({"epochs": "0"}, "TrainConfig epochs must be"),
        ({"scaler": "robust", "sample": "airline"}, "scaler"),
        ({"layers": "lstm:-3"}, "layer"),
    ],
)
def test_a_bad_value_names_its_parameter(params, message):
    with pytest.raises(LabError, match=message):
        from_params(params)


def test_a_link_too_long_becomes_a_stored_experiment_id():
    store = RunStore.in_memory()
    columns = tuple(f"sensor number {i}" for i in range(120))
    experiment = Experiment(
        data={"file": "plant.csv"},
        window=WindowSpec(features=columns, targets=columns[:1], lookback=5),
        train=TrainConfig(patience=2),
    )
    assert len(urllib.parse.urlencode(to_params(experiment))) > 2000
    params = to_link_params(experiment, store)
    assert set(params) == {"v", "experiment"} and len(params["experiment"]) == 16
    assert to_link_params(experiment, store) == params  # the same experiment, the same id
    assert from_params(params, store=store)[0] == experiment
    short = Experiment(data={"sample": "airline"}, train=TrainConfig())
    assert to_link_params(short, store) == to_params(short)


def test_an_unknown_stored_experiment_says_so():
    with pytest.raises(StoreError, match="no stored experiment '0123456789abcdef'"):
        from_params({"experiment": "0123456789abcdef"}, store=RunStore.in_memory())
    with pytest.raises(ConfigError, match="no run store"):
        from_params({"experiment": "0123456789abcdef"})
