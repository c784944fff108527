import argparse
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from bptt import lstm_bptt

from lstm_core.cli.lab import add_parsers, comparison_of
from lstm_core.errors import ConfigError
from lstm_core.experiments import job as job_module
from lstm_core.experiments.compare import build_task_model, compare_cells, run_compare
from lstm_core.experiments.config import QUICK, REFERENCE, CompareConfig, check_compare
from lstm_core.experiments.job import CompareJob
from lstm_core.experiments.tasks import adding_problem
from lstm_core.settings import Limits

pytestmark = pytest.mark.slow  # trains models: left out by pytest -m "not slow"

TINY = CompareConfig(
    timesteps=10, kinds=("rnn", "lstm"), units=4, epochs=1, n_train=64, n_val=32, batch_size=16
)


@pytest.fixture(scope="module")
def tiny_result():
    calls = []
    result = run_compare(TINY, on_epoch=lambda *args: calls.append(args))
    return result, calls


def test_short_comparison_records_losses_profiles_and_time(tiny_result):
    result, calls = tiny_result
    assert result.baseline == pytest.approx(1 / 6)
    assert list(result.results) == ["rnn", "lstm"] and not result.stopped
    for cell in result.results.values():
        assert len(cell.val_loss) == len(cell.loss) == 1 and math.isfinite(cell.val_loss[0])
        assert cell.wall_s > 0
        assert sorted(cell.profiles) == [0, 1]  # before training and after the last epoch
        assert all(len(profile) == 10 for profile in cell.profiles.values())
        assert 0 <= cell.solved <= 1  # the adding problem's 0.04 criterion
    assert [(kind, epoch) for kind, epoch, _ in calls] == [("rnn", 1), ("lstm", 1)]
    assert [loss for *_, loss in calls] == [cell.val_loss[0] for cell in result.results.values()]


def bptt_profile(model, x, y) -> dict:
    """``||dL/dh_t||``, ``||dL/dc_t||``, ``||dL/dx_t||`` averaged over the batch, ``(T,)``
    each, of a one-LSTM-layer model, by the float64 backpropagation by hand of ``bptt.py``."""
    weights = model.get_layer("layer_1").get_weights() + model.get_layer("head").get_weights()
    grads = lstm_bptt(weights, x, y, sequences=False, go_backwards=False)
    names = {"dL_dh": "h", "dL_dc": "c", "dL_dx": "x"}
    return {
        column: np.linalg.norm(grads[name], axis=-1).mean(axis=0) for column, name in names.items()
    }


def test_profile_before_training_is_the_seeded_model_on_the_validation_data(tiny_result):
    # Same seed, same data: the epoch-0 profile is the fresh LSTM's gradients, by hand.
    result, _ = tiny_result
    x_val, y_val = adding_problem(TINY.n_val, TINY.timesteps, seed=TINY.seed + 1)
    profile = result.results["lstm"].profiles[0]
    for column, expected in bptt_profile(build_task_model(TINY, "lstm"), x_val, y_val).items():
        np.testing.assert_allclose(profile[column], expected, rtol=1e-4, err_msg=column)


def test_result_is_json(tiny_result):
    result, _ = tiny_result
    d = json.loads(json.dumps(result.to_dict()))
    assert {"task", "timesteps", "baseline", "results"} <= set(d)
    assert d["results"]["lstm"]["val_loss"] == result.results["lstm"].val_loss
    assert d["results"]["lstm"]["solved"] == result.results["lstm"].solved
    assert set(d["results"]["lstm"]["profiles"]["1"]) == {
        "t",
        "dL_dx",
        "dL_dh",
        "dL_dc",
        "forget_gate",
    }
    assert CompareConfig.from_dict(d["config"]) == TINY


def test_copy_task_comparison():
    result = compare_cells(
        task="copy", timesteps=3, kinds=("gru",), units=4, epochs=1, n_train=32, n_val=16
    )
    cell = result.results["gru"]
    assert result.baseline == pytest.approx(10 * math.log(8) / 23)
    assert math.isfinite(cell.val_loss[0])
    assert len(cell.profiles[1]) == 23  # timesteps + 20 steps
    assert cell.solved is None  # the 0.04 criterion is the adding problem's


@pytest.mark.slow
def test_quick_setting_shows_the_simple_rnn_failing_and_the_lstm_learning():
    result = run_compare(QUICK)  # about 40 s on 2 cores
    rnn, lstm = (row for row in result.summary())
    assert (rnn["kind"], lstm["kind"]) == ("rnn", "lstm")
    assert rnn["val_loss"] > 0.12 and lstm["val_loss"] < 0.05  # the baseline is 1/6
    assert lstm["solved"] > 0.25 and rnn["solved"] < 0.15  # remembering nothing solves 8 %
    assert lstm["reach_after"] > rnn["reach_after"]


def test_should_stop_ends_after_the_epoch_and_starts_no_other_kind():
    config = CompareConfig(
        timesteps=5, kinds=("rnn", "lstm"), units=2, epochs=3, n_train=16, n_val=8, batch_size=8
    )
    result = run_compare(config, should_stop=lambda: True)
    assert result.stopped and list(result.results) == []
    epochs_seen = []

    def stop_after_first(kind, epoch, loss):
        epochs_seen.append((kind, epoch))

    result = run_compare(config, stop_after_first, lambda: len(epochs_seen) >= 1)
    assert epochs_seen == [("rnn", 1)]
    assert result.stopped and list(result.results) == ["rnn"]
    assert sorted(result.results["rnn"].profiles) == [0]  # the last epoch was never reached


def test_config_round_trips_and_defaults_are_the_reference_setting():
    assert (REFERENCE.task, REFERENCE.timesteps, REFERENCE.units) == ("adding", 100, 32)
    assert (REFERENCE.n_train, REFERENCE.n_val, REFERENCE.batch_size) == (5000, 1000, 50)
    assert (REFERENCE.learning_rate, REFERENCE.clipnorm, REFERENCE.epochs) == (0.005, 1.0, 20)
    config = CompareConfig(kinds=("lstm", "gru"), forget_bias="chrono", profile_epochs=(0, 5))
    assert CompareConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert config.epochs_to_profile == (0, 5)
    assert REFERENCE.epochs_to_profile == (0, 20)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"kinds": ("rnn", "cnn")}, r"kinds must be a non-empty tuple of .* got \('rnn', 'cnn'\)"),
        ({"kinds": ("rnn", "rnn")}, "name each kind once"),
        ({"units": 0}, r"units must be between 1 and \d+, got 0"),
        ({"timesteps": 1}, r"timesteps must be between 2 and \d+, got 1"),
        ({"task": "copy", "timesteps": 990}, r"timesteps must be between 1 and 980, got 990"),
        ({"learning_rate": -1.0}, r"learning_rate must be above 0, got -1.0"),
        ({"epochs": 2, "profile_epochs": (0, 3)}, r"profile_epochs .* epochs=2, got \(0, 3\)"),
        ({"forget_bias": "two"}, r"forget_bias must be one of .* got 'two'"),
        ({"seed": 1.5}, r"seed must be an int, got 1.5"),
    ],
)
def test_bad_settings_name_the_field(changes, match):
    with pytest.raises(ConfigError, match=match):
        check_compare(CompareConfig(**changes))


def test_from_dict_refuses_unknown_keys():
    with pytest.raises(ConfigError, match=r"Unknown CompareConfig key\(s\) \['layers'\]"):
        CompareConfig.from_dict({"layers": 2})


def test_memory_budget_is_checked():
    with pytest.raises(ConfigError, match="MB budget per job"):
        check_compare(CompareConfig(n_train=100_000), Limits(memory_budget_mb=10))


def test_job_runs_in_the_background_and_reports_progress():
    config = CompareConfig(
        timesteps=5, kinds=("rnn",), units=2, epochs=2, n_train=16, n_val=8, batch_size=8
    )
    job = CompareJob(config)
    assert job.snapshot().status == "pending"
    final = job.start().wait(timeout=120)
    assert final.status == "finished" and final.done and final.error is None
    assert final.progress == 1.0 and len(final.val_loss["rnn"]) == 2
    assert final.result.results["rnn"].val_loss == final.val_loss["rnn"]


def test_job_stop_and_concurrency_limit():
    config = CompareConfig(
        timesteps=5, kinds=("rnn", "gru"), units=2, epochs=50, n_train=16, n_val=8, batch_size=8
    )
    job = CompareJob(config, limits=Limits(max_concurrent_jobs=1)).start()
    with pytest.raises(
        ConfigError,
        match=r"1 job is already running \(the limit is 1, LSTM_LAB_MAX_CONCURRENT_JOBS\): comparison",
    ):
        CompareJob(config, limits=Limits(max_concurrent_jobs=1)).start()
    job.stop()
    final = job.wait(timeout=120)
    assert final.status == "stopped" and final.progress < 1
    assert "gru" not in final.result.results


def test_job_failure_is_reported_not_raised(monkeypatch):
    def broken(*args):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(job_module, "run_compare", broken)
    final = CompareJob(TINY).start().wait(timeout=10)
    assert final.status == "failed" and final.error == "RuntimeError: out of memory"


# --- command line ------------------------------------------------------------------------------


def _parse(argv):
    parser = argparse.ArgumentParser(prog="lstm_core")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_compare_with_no_options_is_the_reference_setting():
    config = comparison_of(_parse(["compare"]))
    chosen = (config.task, config.timesteps, config.kinds, config.units, config.epochs)
    assert chosen == ("adding", 100, ("rnn", "lstm"), 32, 20)
    assert (config.n_train, config.n_val, config.batch_size) == (5000, 1000, 50)
    assert (config.learning_rate, config.clipnorm, config.seed) == (0.005, 1.0, 0)


def test_vanishing_profiles_three_untrained_kinds_unless_told_otherwise():
    config = comparison_of(_parse(["vanishing", "--timesteps", "30"]))
    assert (config.kinds, config.epochs, config.timesteps) == (("rnn", "lstm", "gru"), 0, 30)
    argv = "vanishing --epochs 3 --lr 0.02 --clipnorm 0.5 --n-train 64 --kinds lstm"
    config = comparison_of(_parse(argv.split()))
    chosen = (config.epochs, config.learning_rate, config.clipnorm, config.n_train, config.kinds)
    assert chosen == (3, 0.02, 0.5, 64, ("lstm",))
    assert config.units == 32 and config.batch_size == 50  # the reference's


def test_compare_command_prints_one_json_object(capsys):
    argv = "compare --timesteps 6 --units 3 --epochs 1 --n-train 32 --n-val 16 --batch-size 16"
    args = _parse([*argv.split(), "--kinds", "rnn,gru", "--json"])
    assert args.func(args) == 0
    d = json.loads(capsys.readouterr().out)  # nothing else on stdout
    assert (d["task"], d["timesteps"], d["baseline"]) == ("adding", 6, pytest.approx(1 / 6))
    assert list(d["results"]) == ["rnn", "gru"]
    assert len(d["results"]["gru"]["val_loss"]) == 1 and d["results"]["gru"]["wall_s"] > 0


def test_vanishing_command_prints_the_profile_table(capsys):
    argv = ["vanishing", "--timesteps", "30", "--units", "3", "--kinds", "rnn,lstm", "--rows", "4"]
    args = _parse(argv)
    assert args.func(args) == 0
    out = capsys.readouterr().out.splitlines()
    header = next(line for line in out if line.strip().startswith("t "))
    assert header.split() == ["t", "rnn@0", "lstm@0"]
    rows = [line.split() for line in out[out.index(header) + 1 :][:4]]
    assert [int(row[0]) for row in rows] == [0, 10, 19, 29]  # 4 of 30, first and last
    # the printed numbers are the untrained model's profile on the first 100 validation
    # sequences: the LSTM's dL/dh by hand, to the 3 digits printed
    x_val, y_val = adding_problem(REFERENCE.n_val, 30, seed=REFERENCE.seed + 1)
    model = build_task_model(CompareConfig(timesteps=30, units=3), "lstm")
    expected = bptt_profile(model, x_val[:100], y_val[:100])["dL_dh"]
    printed = [float(row[2]) for row in rows]
    np.testing.assert_allclose(printed, expected[[0, 10, 19, 29]], rtol=5e-3)
    assert any(line.startswith("lstm@0:") and "mean forget gate" in line for line in out)


def test_bad_cli_input_raises_a_lab_error_or_exits_2():
    args = _parse(["compare", "--kinds", "rnn,cnn"])
    with pytest.raises(ConfigError, match="kinds"):
        args.func(args)
    with pytest.raises(SystemExit) as exit_info:
        _parse(["compare", "--task", "sort"])
    assert exit_info.value.code == 2


def test_python_m_lstm_core_exits_2_with_one_line():
    out = subprocess.run(
        [sys.executable, "-m", "lstm_core", "compare", "--units", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "units must be between 1 and" in out.stderr


def test_python_m_lstm_core_vanishing_json():
    out = subprocess.run(
        [sys.executable, "-m", "lstm_core", "vanishing", "--timesteps", "4", "--units", "2"]
        + ["--kinds", "rnn", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["timesteps"] == 4 and list(d["results"]["rnn"]["profiles"]) == ["0"]
