"""An ablation as a sweep on Ray: its spec, and the same result as the in-process ablation.

The Ray tests share one local Ray instance of 2 CPUs for the module (its node start is slow on
a busy machine); the ablation is tiny (adding problem over 10 steps, 2 variants, 2 seeds, 1
epoch, 4 units, 64 sequences).
"""

import dataclasses
import json

import pytest

from lstm_core.cli import main
from lstm_core.errors import ConfigError
from lstm_core.experiments.ablation import run_ablation
from lstm_core.experiments.config import CompareConfig
from lstm_core.runs import RunStore
from lstm_core.sweeps import SweepSpec
from lstm_core.sweeps.ablation import (
    AblationSweepJob,
    ablation_config,
    ablation_from_store,
    ablation_spec,
)
from tests.cli_process import run_cli
from tests.test_experiments_ablation import TINY as IN_PROCESS_TINY

# The in-process ablation's tiny config, a little larger so that the ranking is stable.
TINY = IN_PROCESS_TINY.replace(timesteps=10, units=4, n_train=64, n_val=32, data_seed=3)
# Every number of a summary row that ranks or describes a variant.
RANKING = ("rank", "variant", "seeds", "median_solved", "params", "baseline")
# The trials run on one thread each, the in-process ablation on all of them. At this size the
# final losses came out bit for bit alike (measured); the tolerance leaves room for a float32
# sum taken in another order by more threads.
LOSS_TOLERANCE = 1e-5
WAIT_S = 300


def test_the_spec_sweeps_the_variants_over_the_seeds_on_one_data_seed():
    spec = ablation_spec(TINY)
    trials = spec.trials()
    assert [trial.key for trial in trials] == [
        "kind=lstm,seed=0", "kind=nfg,seed=0", "kind=lstm,seed=1", "kind=nfg,seed=1"
    ]  # fmt: skip
    for trial in trials:
        assert trial.config.kinds == (trial.values["kind"],)
        assert trial.config.seed == trial.values["seed"]
        assert trial.config.data_seed == 3 and trial.config.task_seed == 3
        assert trial.config == dataclasses.replace(
            TINY.run_config(trial.values["seed"]), kinds=(trial.values["kind"],)
        )


def test_the_config_is_read_back_from_the_spec_and_its_json():
    spec = ablation_spec(TINY)
    assert ablation_config(spec) == TINY
    assert ablation_config(SweepSpec.from_dict(spec.to_dict())) == TINY


def test_a_sweep_that_is_not_an_ablation_is_refused_with_the_fix():
    spec = SweepSpec(CompareConfig(timesteps=10), axes=(("units", (4, 8)),), name="units")
    with pytest.raises(ConfigError, match=r"Sweep 'units' is not an ablation: .*Sweeps page"):
        ablation_config(spec)


def test_the_windows_task_is_refused_with_the_fix():
    with pytest.raises(ConfigError, match=r"task 'windows' cannot run on Ray yet.*'adding'"):
        ablation_spec(TINY.replace(task="windows"))


def test_the_data_seed_sets_the_task_data_and_is_checked():
    assert CompareConfig(seed=5).task_seed == 5
    assert CompareConfig(seed=5, data_seed=2).task_seed == 2
    config = CompareConfig(data_seed=2)
    assert CompareConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match=r"CompareConfig data_seed must be between 0 and"):
        CompareConfig.from_dict({**config.to_dict(), "data_seed": -1})


def test_the_command_checks_the_config_before_ray_starts(tmp_path, capsys):
    status = main(["ablation", "--ray", "--kinds", "lstm,xyz", "--store", str(tmp_path)])
    assert status == 2
    error = capsys.readouterr().err
    assert "AblationConfig variants must be a non-empty tuple of cell kinds" in error
    assert RunStore(tmp_path).list_sweeps() == []  # nothing kept of a refused ablation


@pytest.mark.slow
def test_the_command_with_ray_prints_the_ranking_and_its_sweep_as_json(tmp_path):
    args = "ablation --ray --task adding --kinds lstm,nfg --seeds 0,1 --epochs 1 --json"
    tiny = "--timesteps 10 --units 4 --n-train 64 --n-val 32 --batch-size 16"
    done = run_cli(*args.split(), *tiny.split(), store=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)  # the only thing on stdout
    medians = [row["median_val_loss"] for row in result["summary"]]
    assert medians == sorted(medians)
    assert sorted(row["variant"] for row in result["summary"]) == ["lstm", "nfg"]
    assert [row["rank"] for row in result["summary"]] == [1, 2]
    assert all(row["seeds"] == 2 for row in result["summary"])
    runs = RunStore(tmp_path).sweep_trials(result["sweep_id"])
    assert len(runs) == 4
    for variant, seeds in result["runs"].items():
        for seed, run in seeds.items():
            stored = runs[f"kind={variant},seed={seed}"]
            assert list(stored.history["val_loss"]) == run["val_loss"]


@pytest.fixture(scope="module")
def both(ray_node):
    """The in-process ablation, and the Ray one with its store and last snapshot."""
    store = RunStore.in_memory()
    final = AblationSweepJob(TINY, store).start().wait(WAIT_S)
    assert final.status == "finished", final.error
    return run_ablation(TINY), final, store


@pytest.mark.slow
def test_the_ray_ablation_ranks_as_the_in_process_one(both):
    local, final, _ = both
    ray_rows, local_rows = final.result.summary(), local.summary()
    for ray_row, local_row in zip(ray_rows, local_rows, strict=True):
        assert {name: ray_row[name] for name in RANKING} == {
            name: local_row[name] for name in RANKING
        }
        for name in ("median_val_loss", "min_val_loss", "max_val_loss"):
            assert ray_row[name] == pytest.approx(local_row[name], rel=LOSS_TOLERANCE)
        for name in ("reach_before", "reach_after"):
            assert ray_row[name] == pytest.approx(local_row[name], rel=1e-3)
    assert final.result.baseline == pytest.approx(1 / 6)
    assert not final.result.stopped


@pytest.mark.slow
def test_each_trial_ends_at_the_in_process_final_val_loss_of_its_seed(both):
    local, final, _ = both
    assert list(final.result.runs) == ["lstm", "nfg"]
    for variant in TINY.variants:
        assert list(final.result.runs[variant]) == [0, 1]
        for seed in TINY.seeds:
            ray_run, local_run = final.result.runs[variant][seed], local.runs[variant][seed]
            assert ray_run.val_loss == pytest.approx(local_run.val_loss, rel=LOSS_TOLERANCE)
            assert ray_run.params == local_run.params
    assert final.progress == 1.0
    assert set(final.val_loss) == {(v, s) for v in TINY.variants for s in TINY.seeds}
    # the seeds train different weights on the same data: their losses differ
    assert final.result.runs["lstm"][0].val_loss != final.result.runs["lstm"][1].val_loss


@pytest.mark.slow
def test_its_runs_are_in_the_store_linked_to_its_sweep(both):
    _, final, store = both
    assert final.sweep_id is not None
    stored = store.get_sweep(final.sweep_id)
    assert stored["name"] == "ablation: adding, 10 steps"
    runs = store.sweep_trials(final.sweep_id)
    assert set(runs) == {trial.key for trial in ablation_spec(TINY).trials()}
    for key, run in runs.items():
        assert run.status == "finished" and run.sweep_id == final.sweep_id and run.trial == key
        assert run.train_config["data_seed"] == 3
        assert list(run.history["epoch"]) == [1]
    again = ablation_from_store(store, final.sweep_id)
    assert again.summary() == final.result.summary()
    assert again.config == TINY
