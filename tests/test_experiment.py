import numpy as np
import pandas as pd
import pytest

from lstm_core.cli import build_parser
from lstm_core.cli.train import experiment_of
from lstm_core.data import SequenceSpec, WindowSpec
from lstm_core.errors import ConfigError, DataError, SpecError
from lstm_core.experiment import default_series_spec, make_experiment
from lstm_core.model import LayerSpec, format_layers
from lstm_core.samples import SAMPLE_DATA
from lstm_core.train import TrainConfig

# What a fresh session of the app trains airline with, as written in lstm_core/samples.py and
# lstm_core/model/spec.py (typed here, not read from them).
AIRLINE = {"epochs": 150, "batch_size": 16, "layers": "lstm:32:seq,lstm:16", "lookback": 12}


def cli_experiment(*argv: str):
    return experiment_of(build_parser().parse_args(["train", *argv]))


def test_a_sample_brings_its_windowing_training_settings_and_the_default_stack():
    setup = make_experiment("airline")
    experiment = setup.experiment
    assert experiment.data == {"sample": "airline"}
    assert (experiment.train.epochs, experiment.train.batch_size) == (150, 16)
    assert format_layers(experiment.model.layers) == AIRLINE["layers"]
    assert experiment.window.lookback == 12 and experiment.window.difference is True
    # 144 months, differenced: 143 changes; test = val = round(0.15 * 143) = 21
    assert setup.windows.x_train.shape == (89, 12, 1) and setup.windows.x_test.shape[0] == 21
    assert (experiment.model.head, experiment.model.outputs) == ("regression", 1)
    assert len(setup.frame) == 144


def test_the_command_line_with_no_flags_makes_the_apps_airline_experiment():
    experiment = cli_experiment("--sample", "airline", "--json").experiment
    train = experiment.train
    assert (train.epochs, train.batch_size) == (AIRLINE["epochs"], AIRLINE["batch_size"])
    assert format_layers(experiment.model.layers) == AIRLINE["layers"]
    assert experiment.window.lookback == AIRLINE["lookback"]
    assert train == TrainConfig(epochs=150, batch_size=16)  # every other setting the default


def test_flags_given_change_only_their_own_settings():
    experiment = cli_experiment(
        "--sample", "airline", "--epochs", "3", "--layers", "gru:4", "--lookback", "6",
        "--clipnorm", "0", "--lr", "0.01",
    ).experiment  # fmt: skip
    assert (experiment.train.epochs, experiment.train.batch_size) == (3, 16)
    assert (experiment.train.clipnorm, experiment.train.learning_rate) == (None, 0.01)
    assert experiment.model.layers == (LayerSpec("gru", 4),)
    assert (experiment.window.lookback, experiment.window.difference) == (6, True)


def test_overrides_as_dicts_or_whole_parts():
    window = WindowSpec(features=("Passengers",), targets=("Passengers",), lookback=3)
    setup = make_experiment(
        "airline", window=window, layers=(LayerSpec("rnn", 2),), train=TrainConfig(epochs=2)
    )
    assert setup.experiment.window is window and setup.windows.x_train.shape[1:] == (3, 1)
    assert setup.experiment.train == TrainConfig(epochs=2)  # whole: the sample's not kept
    setup = make_experiment("airline", window={"horizon": 3}, train={"seed": 5})
    assert setup.experiment.model.outputs == 3 and setup.windows.y_train.shape[1] == 3
    assert (setup.experiment.train.seed, setup.experiment.train.epochs) == (5, 150)


def test_a_sequence_sample_gets_the_head_and_mask_its_windows_need():
    setup = make_experiment("shapes", layers="gru:4")
    model = setup.experiment.model
    assert isinstance(setup.experiment.window, SequenceSpec)
    assert (model.head, model.outputs, model.mask_value) == ("classification", 3, -1.0)
    assert setup.windows.x_train.shape == (210, 60, 3)


@pytest.fixture
def small_csv(tmp_path):
    steps = np.arange(60)
    frame = pd.DataFrame(
        {"day": [f"d{i}" for i in steps], "a": np.sin(steps / 4), "b": np.cos(steps / 5)}
    )
    path = tmp_path / "small.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_file_starts_from_the_apps_first_guess(small_csv):
    setup = make_experiment(file=small_csv)
    # numeric columns in, the last one out, a tenth of the 60 rows as the lookback
    assert setup.experiment.window == WindowSpec(features=("a", "b"), targets=("b",), lookback=6)
    assert setup.experiment.data == {"file": "small.csv"}
    assert setup.experiment.train == TrainConfig()
    assert default_series_spec(setup.frame) == setup.experiment.window


def test_a_file_with_the_command_lines_flags(small_csv):
    setup = cli_experiment("--data", str(small_csv), "--targets", "a", "--lookback", "4")
    assert setup.experiment.window == WindowSpec(features=("a",), targets=("a",), lookback=4)
    assert (setup.experiment.train.epochs, setup.experiment.train.batch_size) == (20, 64)


def test_errors_name_the_input_and_the_fix(small_csv):
    with pytest.raises(DataError, match=r"one source, a sample or a file; got sample='airline'"):
        make_experiment("airline", file=small_csv)
    with pytest.raises(DataError, match=r"No sample named 'stocks'"):
        make_experiment("stocks")
    with pytest.raises(DataError, match=r"labelled sequences \(SequenceSpec\), which has no "
                       r"lookback; drop lookback"):  # fmt: skip
        make_experiment("shapes", window={"lookback": 5})
    with pytest.raises(ConfigError, match=r"Unknown TrainConfig key\(s\) \['epoch'\]"):
        make_experiment("airline", train={"epoch": 3})
    with pytest.raises(ConfigError, match=r"epochs must be at least 1, got 0"):
        make_experiment("airline", train={"epochs": 0})
    with pytest.raises(SpecError, match="lstm:many"):
        make_experiment("airline", layers="lstm:many")


def test_a_hosts_caps_are_the_jobs_to_check_so_the_app_can_show_a_samples_settings():
    from lstm_core.settings import Limits
    from lstm_core.train import TrainingJob

    setup = make_experiment("airline", limits=Limits(max_epochs=5))
    assert setup.experiment.train.epochs == 150  # shown on the Train page, refused at Start
    with pytest.raises(ConfigError, match="epochs must be between 1 and 5"):
        TrainingJob(setup.windows, setup.experiment.model, setup.experiment.train,
                    limits=Limits(max_epochs=5))  # fmt: skip


def test_the_rows_may_be_given_already_loaded():
    frame = pd.read_csv(SAMPLE_DATA / "airline-passengers.csv").iloc[:100]
    setup = make_experiment("airline", frame=frame)
    assert setup.frame is frame
    # 99 changes: val = test = round(0.15 * 99) = 15, train 69 - 12 = 57 windows
    assert setup.windows.x_train.shape == (57, 12, 1)
