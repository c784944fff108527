"""The ablation engine: its config, a tiny run (same data for every variant, ranked summary),
its JSON round trip, the shipped reference, and its job under the process-wide cap."""

import json
import re

import numpy as np
import pytest

from lstm_core.errors import ConfigError
from lstm_core.experiments.ablation import (
    REFERENCE_ABLATION,
    AblationConfig,
    AblationJob,
    AblationResult,
    VariantRun,
    check_ablation,
    load_reference,
    run_ablation,
)
from lstm_core.settings import load_limits

TINY = AblationConfig().replace(
    timesteps=6,
    variants=("lstm", "nfg"),
    seeds=(0, 1),
    units=3,
    epochs=1,
    n_train=32,
    n_val=16,
    batch_size=16,
    profile_samples=8,
)


def test_the_config_round_trips_through_json():
    d = json.loads(json.dumps(TINY.to_dict()))
    assert AblationConfig.from_dict(d) == TINY
    assert REFERENCE_ABLATION.variants == (
        "lstm",
        "nig",
        "nfg",
        "nog",
        "niaf",
        "noaf",
        "cifg",
        "ph",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"variants": ()}, r"AblationConfig variants must be a non-empty tuple .* got \(\)"),
        ({"variants": ("lstm", "cfig")}, r"variants must be .* got \('lstm', 'cfig'\)"),
        ({"seeds": (0, 0)}, r"seeds must be a non-empty tuple of different seeds, got \(0, 0\)"),
        ({"units": 0}, r"^AblationConfig units must be between 1 and"),
        ({"task": "sort"}, r"sort"),
    ],
)
def test_a_bad_setting_is_named_with_its_fix(change, message):
    config = TINY.replace(**change)
    with pytest.raises(ConfigError, match=message):
        check_ablation(config)


@pytest.fixture(scope="module")
def tiny_result():
    seen = []
    result = run_ablation(TINY, on_epoch=lambda *args: seen.append(args))
    return result, seen


@pytest.mark.slow
def test_a_tiny_ablation_trains_every_variant_from_every_seed(tiny_result):
    result, seen = tiny_result
    assert sorted((variant, seed) for variant, seed, _, _ in seen) == [
        ("lstm", 0), ("lstm", 1), ("nfg", 0), ("nfg", 1)]  # fmt: skip
    assert not result.stopped
    assert set(result.runs) == {"lstm", "nfg"} and all(len(r) == 2 for r in result.runs.values())
    assert result.runs["lstm"][0].params == 4 * (3 * (2 + 3) + 3) + 3 + 1
    assert result.runs["nfg"][0].params == 3 * (3 * (2 + 3) + 3) + 3 + 1
    summary = result.summary()
    losses = [row["median_val_loss"] for row in summary]
    assert [row["rank"] for row in summary] == [1, 2] and losses == sorted(losses)
    for row in summary:
        finals = [run.val_loss[-1] for run in result.runs[row["variant"]].values()]
        assert row["min_val_loss"] == min(finals) and row["max_val_loss"] == max(finals)
        assert 0.0 <= row["median_solved"] <= 1.0 and row["reach_before"] > 0
        assert row["baseline"] == pytest.approx(1 / 6)


@pytest.mark.slow
def test_the_same_seed_gives_the_same_run_and_the_result_reads_back(tiny_result):
    result, _ = tiny_result
    again = run_ablation(TINY.replace(variants=("nfg",), seeds=(1,)))
    assert again.runs["nfg"][1].val_loss == pytest.approx(result.runs["nfg"][1].val_loss, abs=1e-6)
    back = AblationResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert back.summary() == result.summary()
    assert back.curves() == result.curves()


def test_a_stop_before_the_first_epoch_trains_nothing():
    result = run_ablation(TINY, should_stop=lambda: True)
    assert result.stopped and result.runs == {}


def test_the_shipped_reference_reads_and_ranks_every_variant():
    reference = load_reference()  # shipped: scripts/reference_ablation.py writes it
    assert reference is not None and reference.config == REFERENCE_ABLATION
    assert {row["variant"] for row in reference.summary()} == set(REFERENCE_ABLATION.variants)


@pytest.mark.slow
def test_the_job_runs_under_the_cap_and_reports_progress(monkeypatch):
    monkeypatch.setenv("LSTM_LAB_MAX_CONCURRENT_JOBS", "1")
    config = TINY.replace(variants=("cifg",), seeds=(0,))
    job = AblationJob(config, limits=load_limits()).start()
    with pytest.raises(ConfigError, match="LSTM_LAB_MAX_CONCURRENT_JOBS"):
        AblationJob(config, limits=load_limits()).start()
    snapshot = job.wait(300)
    assert snapshot.status == "finished", snapshot.error
    assert snapshot.progress == 1.0 and snapshot.result.summary()[0]["variant"] == "cifg"


# The user's own windows: the airline sample as the Data page cuts it (89/21/21 windows).
WINDOWS_TINY = TINY.replace(task="windows", data={"name": "airline"})


@pytest.fixture(scope="module")
def airline_windows():
    from lstm_core.data import make_windows
    from lstm_core.samples import SAMPLES, load_sample

    return make_windows(load_sample("airline"), SAMPLES["airline"].spec)


def test_the_windows_task_without_windows_is_refused_with_the_fix():
    with pytest.raises(ConfigError, match=r"task='windows' needs the Data page's windows, got "
                       r"none; pick a sample or upload a CSV on the Data page"):  # fmt: skip
        run_ablation(WINDOWS_TINY)
    with pytest.raises(ConfigError, match=r"AblationConfig task must be one of"):
        check_ablation(TINY.replace(task="mine"))


@pytest.mark.slow
def test_every_variant_trains_on_the_same_windows_and_is_scored_beside_naive(
    airline_windows, monkeypatch
):
    from lstm_core.experiments import own_windows
    from lstm_core.forecast.scores import regression_scores

    seen = []
    real = own_windows.train_model

    def spy(config, kind, build, loss, data, *args, **kwargs):
        seen.append((kind, config.seed, data))
        return real(config, kind, build, loss, data, *args, **kwargs)

    monkeypatch.setattr(own_windows, "train_model", spy)
    result = run_ablation(WINDOWS_TINY, windows=airline_windows)
    w = airline_windows
    assert sorted((kind, seed) for kind, seed, _ in seen) == [
        ("lstm", 0), ("lstm", 1), ("nfg", 0), ("nfg", 1)]  # fmt: skip
    for _, _, data in seen:  # the very arrays of the windows, for every variant and seed
        assert all(
            a is b for a, b in zip(data, (w.x_train, w.y_train, w.x_val, w.y_val), strict=True)
        )
    assert result.baseline is None and not result.stopped
    # one lstm layer of 3 units on 1 feature, a head of 1 output
    assert result.runs["lstm"][0].params == 4 * (3 * (1 + 3) + 3) + 3 + 1
    naive_rmse = regression_scores(
        w.history.targets("test", w.horizon), w.history.targets("test", w.horizon),
        w.target_names, w.horizon, w.history)["baselines"]["naive"]["rmse"]  # fmt: skip
    summary = result.summary()
    assert [row["rank"] for row in summary] == [1, 2]
    for row in summary:
        runs = result.runs[row["variant"]].values()
        assert row["seeds"] == 2 and row["median_solved"] is None
        assert row["test_metric"] == "RMSE of Passengers" and row["yardstick"] == "naive"
        assert row["yardstick_score"] == pytest.approx(naive_rmse)
        for run in runs:
            assert len(run.val_loss) == 1 and run.reach_before > 0 and run.reach_after > 0
            assert run.test["skill"] == pytest.approx(1 - run.test["score"] / naive_rmse)
        assert row["median_skill"] == pytest.approx(
            float(np.median([run.test["skill"] for run in runs])))  # fmt: skip
    back = AblationResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert back.summary() == summary and back.config.data == {"name": "airline"}


TINY_ARGS = "--timesteps 6 --units 3 --n-train 32 --n-val 16 --batch-size 16"


@pytest.mark.slow
def test_the_ablation_command_prints_one_ranked_json_object(capsys):
    from lstm_core.cli import main

    argv = f"ablation --task adding --kinds lstm,cifg,nfg --seeds 0,1 --epochs 1 --json {TINY_ARGS}"
    assert main(argv.split()) == 0
    (line,) = capsys.readouterr().out.strip().splitlines()
    report = json.loads(line)
    assert report["config"]["variants"] == ["lstm", "cifg", "nfg"]
    assert report["config"]["seeds"] == [0, 1] and report["config"]["epochs"] == 1
    summary = report["summary"]
    assert sorted(row["variant"] for row in summary) == ["cifg", "lstm", "nfg"]
    assert [row["rank"] for row in summary] == [1, 2, 3]
    assert all(row["seeds"] == 2 and 0 <= row["median_solved"] <= 1 for row in summary)
    back = AblationResult.from_dict(report)
    assert [row["variant"] for row in back.summary()] == [row["variant"] for row in summary]


@pytest.mark.slow
def test_the_ablation_command_prints_a_line_per_run_then_the_ranking(capsys):
    from lstm_core.cli import main

    assert main(f"ablation --kinds nfg --seeds 3 --epochs 1 {TINY_ARGS}".split()) == 0
    out = capsys.readouterr().out
    assert re.search(r"^nfg seed 3: final val_loss \d\.\d{4} \(baseline 0\.1667\)$", out, re.M)
    assert re.search(r"^   1  nfg +\d\.\d{4}  \d\.\d{4} - \d\.\d{4} +\d+%", out, re.M)


def test_the_ablation_command_refuses_a_bad_kind_in_one_line(capsys):
    from lstm_core.cli import main

    assert main(["ablation", "--kinds", "lstm,cfig"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: AblationConfig variants must be a non-empty tuple")
    assert "('lstm', 'cfig')" in error and error.count("\n") == 1


@pytest.mark.slow
def test_labelled_sequences_score_beside_the_majority_class_without_a_reach():
    from lstm_core.data import cut_windows
    from lstm_core.experiments.own_windows import reach_applies
    from lstm_core.forecast.scores import classification_scores
    from lstm_core.samples import SAMPLES, load_sample

    windows = cut_windows(load_sample("shapes"), SAMPLES["shapes"].spec)  # pre-padded, masked
    assert windows.mask_value is not None and not reach_applies(windows)
    config = WINDOWS_TINY.replace(variants=("cifg",), seeds=(0,))
    (row,) = run_ablation(config, windows=windows).summary()
    majority = classification_scores(
        windows.y_test, windows.y_test, windows.class_names, windows.y_train
    )["baselines"]["majority"]["accuracy"]
    assert row["test_metric"] == "accuracy" and row["yardstick"] == "majority"
    assert row["yardstick_score"] == pytest.approx(majority)
    assert 0 <= row["median_test_score"] <= 1 and row["median_solved"] is None
    assert row["reach_before"] is None and row["reach_after"] is None  # padding: no reach


def test_final_losses_and_median_curves_are_read_per_variant_over_seeds():
    def run(losses):
        return VariantRun(losses, None, None, None, params=10, wall_s=0.0)

    runs = {
        "lstm": {0: run([0.9, 0.5, 0.2]), 1: run([0.7, 0.3]), 2: run([0.8, 0.4, 0.1])},
        "nfg": {0: run([])},  # stopped before its first epoch
    }
    result = AblationResult(AblationConfig(), baseline=0.17, runs=runs)
    assert result.final_losses() == [
        {"variant": "lstm", "seed": 0, "val_loss": 0.2},
        {"variant": "lstm", "seed": 1, "val_loss": 0.3},
        {"variant": "lstm", "seed": 2, "val_loss": 0.1},
    ]
    curves = result.median_curves()
    assert list(curves) == ["lstm"]  # over the two epochs every seed reached
    np.testing.assert_allclose(curves["lstm"], [0.8, 0.4])
