"""The ablation engine: its config, a tiny run (same data for every variant, ranked summary),
its JSON round trip, the shipped reference, and its job under the process-wide cap."""

import dataclasses
import json

import pytest

from lstm_core.errors import ConfigError
from lstm_core.experiments.ablation import (
    REFERENCE_ABLATION,
    AblationConfig,
    AblationJob,
    AblationResult,
    check_ablation,
    load_reference,
    run_ablation,
)
from lstm_core.settings import load_limits

TINY = AblationConfig(
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
    config = dataclasses.replace(TINY, **change)
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
    again = run_ablation(dataclasses.replace(TINY, variants=("nfg",), seeds=(1,)))
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
    config = dataclasses.replace(TINY, variants=("cifg",), seeds=(0,))
    job = AblationJob(config, limits=load_limits()).start()
    with pytest.raises(ConfigError, match="LSTM_LAB_MAX_CONCURRENT_JOBS"):
        AblationJob(config, limits=load_limits()).start()
    snapshot = job.wait(300)
    assert snapshot.status == "finished", snapshot.error
    assert snapshot.progress == 1.0 and snapshot.result.summary()[0]["variant"] == "cifg"
