"""The field tables: a row added to a copy reaches every surface; every setting is a CLI option;
each row's range is the one its dataclass enforces."""

import argparse
import dataclasses

import numpy as np
import pandas as pd
import pytest

from lstm_core.cli import build_parser
from lstm_core.cli.train import given_settings
from lstm_core.data import SequenceSpec, WindowSpec
from lstm_core.errors import LabError
from lstm_core.experiment_url import document_of, params_of, url_fields
from lstm_core.experiments import CompareConfig, check_compare
from lstm_core.fields import (
    COMPARE,
    SEQUENCES,
    SERIES,
    TABLES,
    TRAIN,
    WIDGETS,
    Field,
    add_list_options,
    add_options,
    overrides,
    swept,
)
from lstm_core.samples import SAMPLES
from lstm_core.sweeps.training import training_axes
from lstm_core.train import TrainConfig


@dataclasses.dataclass(frozen=True)
class DecayConfig(TrainConfig):
    """A training config with one more setting, as a contributor would add it."""

    weight_decay: float = 0.0  # L2 penalty per step


DECAY = Field(
    "weight_decay", float, "Weight decay", "L2 penalty per step.", min=0.0, step=1e-4,
    axis="Weight decays",
)  # fmt: skip
WITH_DECAY = dataclasses.replace(TRAIN.with_field(DECAY), owner=DecayConfig)


def swap_table(monkeypatch, name: str, table) -> None:
    """``lstm_core.fields.<name>`` is ``table`` until the test ends.

    Every ``ui`` module is imported first, as a running server has them: one imported while
    the copy is in place would keep it (``from lstm_core.fields import TRAIN``) after the test,
    and the next tests would draw its field.
    """
    import importlib
    import pkgutil

    import ui

    for module in pkgutil.iter_modules(ui.__path__):
        importlib.import_module(f"ui.{module.name}")
    monkeypatch.setattr(f"lstm_core.fields.{name}", table)


def train_page_with(table, monkeypatch):
    """The Train page, drawn while ``lstm_core.fields.TRAIN`` is ``table``."""
    from tests.ui.app_session import new_app, open_page

    swap_table(monkeypatch, "TRAIN", table)
    return open_page(new_app(), "train")


def test_a_field_added_to_a_copy_of_the_training_table_reaches_every_surface(monkeypatch):
    # The URL: written and read back, beside the others.
    table = url_fields(train=WITH_DECAY)
    train = {**TrainConfig(epochs=3).to_dict(), "weight_decay": 0.25}
    params = params_of({"lstm_lab": 1, "train": train}, table)
    assert params["weight_decay"] == "0.25" and params["epochs"] == "3"
    assert document_of(params, table)["train"] == train
    assert "weight_decay" not in params_of({"lstm_lab": 1, "train": train})  # the real table
    # The CLI: an option, default "not given", read into the training overrides.
    parser = argparse.ArgumentParser()
    add_options(parser, (SERIES, WITH_DECAY))
    assert "--weight-decay" in parser.format_help() and "(default: 0.0)" in parser.format_help()
    given = overrides(parser.parse_args(["--weight-decay", "0.5", "--lr", "0.01"]),
                      (SERIES, WITH_DECAY))  # fmt: skip
    assert given == {"series": {}, "train": {"weight_decay": 0.5, "learning_rate": 0.01}}
    assert DecayConfig(**given["train"]).weight_decay == 0.5
    # The sweep axes: of the training sweep, and a list option of the sweep command.
    assert training_axes((SERIES, WITH_DECAY))["weight_decay"] == "train"
    assert "weight_decay" not in training_axes()
    lists = argparse.ArgumentParser()
    add_list_options(lists, swept((SERIES, WITH_DECAY)), lambda field: "")
    assert lists.parse_args(["--weight-decay", "0.1,0.2"]).weight_decay == "0.1,0.2"
    # The Train page: a widget with the dataclass's default.
    at = train_page_with(WITH_DECAY, monkeypatch)
    assert at.number_input(key="train.weight_decay").label == "Weight decay"
    assert at.number_input(key="train.weight_decay").value == 0.0
    assert at.number_input(key="train.epochs").value == TrainConfig().epochs


@dataclasses.dataclass(frozen=True)
class ClippedSpec(WindowSpec):
    """A window spec with one more setting, as a contributor would add it."""

    clip: float = 3.0  # inputs clipped at this many standard deviations


CLIP = Field("clip", float, "Clip at (deviations)", "Inputs beyond are clipped.", min=0.0, step=0.5)
WITH_CLIP = dataclasses.replace(SERIES.with_field(CLIP), owner=ClippedSpec)


def test_a_field_added_to_a_copy_of_the_series_table_shows_on_the_data_page(monkeypatch):
    from tests.ui.app_session import new_app, open_page

    swap_table(monkeypatch, "SERIES", WITH_CLIP)
    at = open_page(new_app(), "data")
    assert at.number_input(key="data.clip").label == "Clip at (deviations)"
    assert at.number_input(key="data.clip").value == 3.0  # the dataclass's default
    assert at.number_input(key="data.lookback").value == SAMPLES["airline"].spec.lookback
    assert not at.exception
    # Every setting of the real table shows too, as its row says, with the sample's value.
    at = open_page(new_app(), "data")
    for field in SERIES:
        shown = next(w for w in at.main if getattr(w, "key", None) == f"data.{field.name}")
        assert shown.label == field.label
        value = field.to_person(getattr(SAMPLES["airline"].spec, field.name))
        assert shown.value == (list(value) if isinstance(value, tuple) else value), field.name


def test_every_windowing_and_training_setting_of_the_app_is_a_cli_option(tmp_path):
    rows = np.arange(60, dtype=float)
    csv = tmp_path / "two.csv"
    pd.DataFrame({"a": np.sin(rows / 3), "b": rows / 10}).to_csv(csv, index=False)
    argv = (
        f"train --data {csv} --features a --targets b --lookback 5 --horizon 2 --stride 2 "
        "--scaler standard --val-fraction 0.2 --test-fraction 0.1 --missing ffill "
        "--no-target-as-feature --difference --season 4 --epochs 2 --batch-size 8 --lr 0.01 "
        "--seed 3 --patience 2 --optimizer sgd --loss mae --clipnorm 0"
    )
    given = given_settings(build_parser().parse_args(argv.split()))
    window = WindowSpec(
        features=("a",), targets=("b",), lookback=5, horizon=2, stride=2, scaler="standard",
        val_fraction=0.2, test_fraction=0.1, missing="ffill", allow_target_as_feature=False,
        difference=True, season=4,
    )  # fmt: skip
    assert WindowSpec(**given["series"]) == window
    assert set(given["series"]) == {field.name for field in dataclasses.fields(WindowSpec)}
    train = TrainConfig(epochs=2, batch_size=8, learning_rate=0.01, seed=3, patience=2,
                        optimizer="sgd", loss="mae", clipnorm=None)  # fmt: skip
    assert TrainConfig(**given["train"]) == train
    assert set(given["train"]) == {field.name for field in dataclasses.fields(TrainConfig)}


def test_a_sequences_sample_takes_its_own_options_and_refuses_a_series_one():
    from lstm_core.cli.train import experiment_of

    argv = "train --sample shapes --length cut --max-length 12 --split-seed 4 --scaler none"
    spec = experiment_of(build_parser().parse_args(argv.split())).experiment.window
    assert (spec.length, spec.max_length, spec.seed, spec.scaler) == ("cut", 12, 4, "none")
    assert isinstance(spec, SequenceSpec)
    with pytest.raises(
        LabError, match=r"labelled sequences, whose windows have no such setting; drop --lookback\."
    ):
        experiment_of(build_parser().parse_args(["train", "--sample", "shapes", "--lookback", "3"]))


def _typed(field: Field) -> tuple[str, object]:
    """A value of ``field`` as typed on a command line, and as the engine takes it."""
    if field.choices:
        return field.choices[-1], field.choices[-1]
    return ("3", 3) if field.kind is int else ("0.5", 0.5)


# The ablation's seeds are --seeds, one training each: no --seed.
LAB_OPTIONS = [(command, field) for command in ("vanishing", "compare", "ablation")
               for field in COMPARE.fields if (command, field.name) != ("ablation", "seed")]  # fmt: skip


@pytest.mark.parametrize(
    ("command", "field"), LAB_OPTIONS, ids=lambda item: getattr(item, "name", item)
)
def test_every_comparison_row_is_an_option_of_the_lab_commands(command, field):
    typed, value = _typed(field)
    args = build_parser().parse_args([command, field.option, typed])
    assert overrides(args, (COMPARE,))["compare"] == {field.name: value}


def test_a_left_out_comparison_option_is_the_commands_own_default(capsys):
    from lstm_core.cli.lab import comparison_of

    parser = build_parser()
    vanishing = comparison_of(parser.parse_args(["vanishing", "--units", "8"]))
    assert (vanishing.epochs, vanishing.units, vanishing.timesteps) == (0, 8, 100)
    argv = "vanishing --task copy --timesteps 7 --epochs 2 --n-train 64 --n-val 32 "
    argv += "--batch-size 16 --lr 0.02 --clipnorm 0.5 --forget-bias chrono --seed 3"
    given = comparison_of(parser.parse_args(argv.split()))
    expected = CompareConfig(task="copy", timesteps=7, kinds=("rnn", "lstm", "gru"), epochs=2,
                             n_train=64, n_val=32, batch_size=16, learning_rate=0.02,
                             clipnorm=0.5, forget_bias="chrono", seed=3)  # fmt: skip
    assert given == expected
    with pytest.raises(SystemExit):
        parser.parse_args(["ablation", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--lr X The optimizer's step size. (default: 0.01)" in help_text  # the ablation's
    assert "--timesteps N Adding: sequence length; copy: the delay. (default: 50)" in help_text
    assert "--seed N" not in help_text  # --seeds instead


def test_train_help_says_a_left_out_setting_is_the_samples_own(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--epochs N Passes over the training split. (default: the sample's own, else 20)" in (
        help_text
    )
    assert "(default: the sample's own, else 0.15)" in help_text  # a windowing setting
    assert "--lr X The optimizer's step size. (default: 0.001)" in help_text  # not a sample's


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_every_field_of_each_config_has_a_row(table):
    expected = {field.name for field in dataclasses.fields(table.owner)}
    if table is COMPARE:  # set by a page's own inputs, or not a person's setting
        expected -= {"kinds", "profile_epochs", "profile_samples", "data_seed"}
    assert set(table.names()) == expected
    assert {field.widget for field in table} <= set(WIDGETS)


OPEN_BELOW = {"learning_rate", "clipnorm"}  # widgets start at 0; a config needs more than 0


def _below(field: Field):
    return field.min - (1 if field.kind is int else 1e-9)


@pytest.mark.parametrize("field", [f for f in TRAIN if f.min is not None], ids=lambda f: f.name)
def test_a_training_rows_minimum_is_what_train_config_accepts(field):
    if field.name != "learning_rate":
        TrainConfig(**{field.name: field.to_engine(field.min)})  # clipnorm 0: None, accepted
    with pytest.raises(LabError, match=field.name):
        TrainConfig(**{field.name: _below(field)})


@pytest.mark.parametrize("field", [f for f in COMPARE if f.min is not None], ids=lambda f: f.name)
def test_a_comparison_rows_minimum_is_what_check_compare_accepts(field):
    small = {"task": "copy", "timesteps": 4, "units": 2, "n_train": 8, "n_val": 8}
    small["batch_size"] = 4
    if field.name not in OPEN_BELOW:
        check_compare(CompareConfig(**{**small, field.name: field.min}))
    with pytest.raises(LabError, match=field.name):
        check_compare(CompareConfig(**{**small, field.name: _below(field)}))


@pytest.mark.parametrize("field", [f for f in TRAIN if f.choices], ids=lambda f: f.name)
def test_a_training_rows_choices_are_what_train_config_accepts(field):
    for choice in field.choices:
        TrainConfig(**{field.name: choice})
    with pytest.raises(LabError, match=field.name):
        TrainConfig(**{field.name: "none of them"})


def test_series_and_sequences_share_their_common_rows():
    shared = {f.name for f in SERIES} & {f.name for f in SEQUENCES}
    assert shared == {"features", "scaler", "val_fraction", "test_fraction", "missing"}
    for name in shared:
        assert SERIES[name] == SEQUENCES[name]
