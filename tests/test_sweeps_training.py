"""Sweeps whose base is a training run on the user's data: the spec, and trials on local Ray.

Ray starts once for the module, sized by the settings' job slots (one: the trials run one
after the other); the trials are tiny (airline sample, lstm:2 / gru:2, 1 epoch).
"""

import dataclasses

import pytest

from lstm_core.cells import KERAS_CLASS
from lstm_core.errors import ConfigError, LabError
from lstm_core.experiment_io import Experiment, experiment_of_run
from lstm_core.model import ModelSpec, parse_layers
from lstm_core.runs import RunStore
from lstm_core.samples import SAMPLES
from lstm_core.settings import Limits
from lstm_core.sweeps import SweepJob, SweepSpec, aggregate
from lstm_core.sweeps.training import run_fields
from lstm_core.train import TrainConfig
from tests.sweep_trials import wait_for_epochs

BASE = Experiment(
    data={"sample": "airline"},
    window=SAMPLES["airline"].spec,
    model=ModelSpec(parse_layers("lstm:2")),
    train=TrainConfig(epochs=1, batch_size=32),
)
SPEC = SweepSpec(BASE, axes=(("kind", ("lstm", "gru")),), seeds=(0, 1))
WAIT_S = 300


def test_a_training_spec_expands_over_the_experiments_fields_and_round_trips():
    spec = SweepSpec(
        BASE, axes=(("units", (2, 3)), ("lookback", (6, 12)), ("learning_rate", (0.01,)))
    )
    trials = spec.trials()
    assert [t.key for t in trials][:2] == [
        "units=2,lookback=6,learning_rate=0.01,seed=0",
        "units=2,lookback=12,learning_rate=0.01,seed=0",
    ]
    last = trials[-1].config
    assert last.model.layers[0].units == 3
    assert last.window.lookback == 12
    assert last.train.learning_rate == 0.01 and last.train.seed == 0
    assert SweepSpec.from_dict(spec.to_dict()) == spec
    stack = SweepSpec(BASE, axes=(("layers", ("lstm:4:seq,gru:2", "rnn:3")),)).trials()
    assert [layer.kind for layer in stack[0].config.model.layers] == ["lstm", "gru"]


def test_a_training_trial_is_stored_with_what_opens_it_again():
    (trial,) = SweepSpec(BASE, axes=(("kind", ("gru",)),), seeds=(3,)).trials()
    fields = run_fields(trial.config)
    assert fields["dataset"] == {"name": "airline", "sample": "airline"}
    store = RunStore.in_memory()
    run_id = store.create_run(**fields)
    again = experiment_of_run(store.get_run(run_id))
    assert again == dataclasses.replace(trial.config)
    assert again.model.layers[0].kind == "gru" and again.train.seed == 3


def test_an_axis_of_the_comparison_is_refused_on_a_training_base():
    with pytest.raises(ConfigError, match=r"SweepSpec axis 'timesteps' is not a field a sweep"):
        SweepSpec.from_dict({**SPEC.to_dict(), "axes": {"timesteps": [10, 20]}})


def test_an_out_of_range_trial_names_its_part_and_field():
    with pytest.raises(
        LabError, match="In the experiment's 'model': layer 1 units must be at least 1, got 0"
    ):
        SweepSpec.from_dict({**SPEC.to_dict(), "axes": {"units": [2, 0]}})


def test_a_base_without_a_model_says_which_pages_set_it():
    document = SPEC.to_dict()
    del document["base"]["model"]
    with pytest.raises(ConfigError, match="a training sweep needs the data, its windowing"):
        SweepSpec.from_dict(document)


def test_a_local_ray_has_the_cores_but_no_more_than_the_job_slots(monkeypatch):
    from lstm_core.sweeps.ray_backend import local_cpus

    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert local_cpus(Limits(max_concurrent_jobs=3)) == 3
    assert local_cpus(Limits(max_concurrent_jobs=16)) == 8
    monkeypatch.setenv("LSTM_LAB_MAX_CONCURRENT_JOBS", "5")
    assert local_cpus() == 5  # the settings as the app loads them


def test_the_local_ray_instance_is_sized_by_the_job_slots(monkeypatch):
    import ray

    from lstm_core.sweeps import ray_backend

    started = {}
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **options: started.update(options))
    monkeypatch.setattr(ray_backend, "_ACTORS", {})  # the test run's node keeps its actors
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    ray_backend.connect(limits=Limits(max_concurrent_jobs=1))
    assert started["address"] == "local" and started["num_cpus"] == 1


@pytest.mark.slow
def test_a_training_sweep_stores_each_trial_with_its_model_and_skill(ray_node, tmp_path):
    store = RunStore(tmp_path)
    final = SweepJob(SPEC, store).start().wait(WAIT_S)
    assert final.status == "finished", final.error
    assert [t["status"] for t in final.trials] == ["finished"] * 4, final.trials
    runs = store.sweep_trials(final.sweep_id)
    assert set(runs) == {t.key for t in SPEC.trials()}
    for key, run in runs.items():
        shown = next(t for t in final.trials if t["trial"] == key)
        assert run.status == "finished"
        assert list(run.history["epoch"]) == [1]
        assert run.history["val_loss"].iloc[0] == pytest.approx(shown["val_loss"])
        assert run.dataset["sample"] == "airline"
        scores = run.test_metrics["per_target"]["Passengers"]
        assert shown["skill"] == pytest.approx(scores["skill_vs_naive"])
        assert run.diagnosis is not None
        model = store.load_model(run.run_id)  # the worker's model, kept by the driver
        layers = [layer.__class__.__name__ for layer in model.layers]
        assert KERAS_CLASS[shown["settings"]["kind"]] in layers
        assert experiment_of_run(run).model.layers[0].kind == shown["settings"]["kind"]
    rows = aggregate(list(final.trials))
    assert [(row["kind"], row["seeds"]) for row in rows] == [("lstm", 2), ("gru", 2)]
    for row in rows:
        skills = sorted(t["skill"] for t in final.trials if t["settings"]["kind"] == row["kind"])
        assert row["skill_median"] == pytest.approx(sum(skills) / 2)
        assert row["skill_q25"] <= row["skill_median"] <= row["skill_q75"]
    # Resumed, nothing runs again: the finished trials' skill is read back from the store.
    resumed = SweepJob.resume(store, final.sweep_id).start().wait(WAIT_S)
    assert [t["run_id"] for t in resumed.trials] == [t["run_id"] for t in final.trials]
    assert [t["skill"] for t in resumed.trials] == pytest.approx([t["skill"] for t in final.trials])


@pytest.mark.slow
def test_a_training_trial_whose_worker_dies_is_failed_while_the_other_finishes(
    ray_node, tmp_path
):
    from lstm_core.sweeps.runner import WORKER_DIED
    from tests.sweep_trials import TRAINING_KILLED, killing_training_trial

    store = RunStore(tmp_path)
    spec = SweepSpec(BASE, axes=(("kind", ("lstm", "gru")),), seeds=(0,))
    final = SweepJob(spec, store, trial_fn=killing_training_trial).start().wait(WAIT_S)
    assert final.status == "finished", final.error
    status = {t["trial"]: (t["status"], t["error"]) for t in final.trials}
    assert status == {
        "kind=lstm,seed=0": ("finished", None),
        TRAINING_KILLED: ("failed", WORKER_DIED),
    }
    runs = store.sweep_trials(final.sweep_id)
    assert runs[TRAINING_KILLED].status == "failed" and runs[TRAINING_KILLED].error == WORKER_DIED
    assert runs[TRAINING_KILLED].model_path is None  # it died before it trained
    assert store.load_model(runs["kind=lstm,seed=0"].run_id) is not None


@pytest.mark.slow
def test_a_stopped_training_sweep_keeps_the_running_trials_epochs_and_model(ray_node, tmp_path):
    store = RunStore(tmp_path)
    long = dataclasses.replace(BASE, train=dataclasses.replace(BASE.train, epochs=300))
    # The test run's node has 2 CPUs: two trials run, the third waits.
    spec = SweepSpec(long, axes=(("kind", ("lstm", "gru", "rnn")),), seeds=(0,))
    job = SweepJob(spec, store).start()
    wait_for_epochs(job, 2, WAIT_S)
    job.stop()
    final = job.wait(WAIT_S)
    assert final.status == "stopped", final.error
    assert [t["status"] for t in final.trials] == ["stopped"] * 3
    runs = store.sweep_trials(final.sweep_id)
    assert len(runs) == 2  # the pending trial was cancelled: no run
    for run in runs.values():
        assert run.status == "stopped"
        assert list(run.history["epoch"]) == list(range(1, len(run.history) + 1))
        shown = next(t for t in final.trials if t["trial"] == run.trial)
        assert shown["epochs"] == len(run.history)
    run = max(runs.values(), key=lambda run: len(run.history))
    assert 2 <= len(run.history) < 300
    assert store.load_model(run.run_id) is not None  # the model as it was when stopped
