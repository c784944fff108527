"""Sweeps on a local Ray instance of 2 CPUs: completion, resume, stop, failures, the store.

The test run's one Ray node serves them (``ray_node`` in ``tests/conftest.py``); the trials
are tiny (8 steps, 4 units, 32 sequences).
"""

import os
import time
from pathlib import Path

import pytest

from lstm_core.experiments.config import CompareConfig
from lstm_core.experiments.task_windows import task_windows
from lstm_core.runs import RunStore
from lstm_core.sweeps import SweepJob, SweepSpec
from lstm_core.sweeps.runner import WORKER_DIED
from tests.sweep_trials import KILLED, RAISES, faulty_trial, timed_trial, wait_for_epochs

pytestmark = pytest.mark.slow

TINY = CompareConfig(
    timesteps=8, units=4, epochs=2, n_train=32, n_val=16, batch_size=16, profile_samples=8
)
SPEC = SweepSpec(TINY, seeds=(0, 1))  # rnn and lstm, seeds 0 and 1: 4 trials
KEYS = {trial.key for trial in SPEC.trials()}
WAIT_S = 300
GCS_TIMEOUT_VARIABLE = "RAY_gcs_rpc_server_reconnect_timeout_s"  # set by tests/conftest.py


@pytest.fixture(scope="module", autouse=True)
def ray_instance(ray_node):
    """The test run's one Ray node (``tests/conftest.py``), started with ``SWEEP_TRIAL_LOG``."""
    return ray_node


def stored_trials(store, sweep_id):
    """trial key -> run, checking that each trial has exactly one run."""
    frame = store.list_runs()
    mine = frame[frame["sweep_id"] == sweep_id]
    trials = store.sweep_trials(sweep_id)
    assert len(mine) == len(trials)  # no trial kept twice
    return trials


def test_a_4_trial_sweep_completes_and_its_runs_are_in_the_store():
    store = RunStore.in_memory()
    final = SweepJob(SPEC, store, trial_fn=timed_trial).start().wait(WAIT_S)
    assert final.status == "finished", final.error
    assert [trial["status"] for trial in final.trials] == ["finished"] * 4
    runs = stored_trials(store, final.sweep_id)
    assert set(runs) == KEYS
    for key, run in runs.items():
        shown = next(trial for trial in final.trials if trial["trial"] == key)
        assert run.status == "finished"
        assert list(run.history["epoch"]) == [1, 2]
        assert set(run.history.columns) >= {"loss", "val_loss"}
        assert run.history["val_loss"].iloc[-1] == pytest.approx(shown["val_loss"])
        assert run.train_config["kinds"] == [shown["settings"]["kind"]]
        assert run.test_metrics["baseline"] == pytest.approx(1 / 6)
        # Its model is kept, and scores its last val_loss on the task's sequences made again:
        # what the States page opens it with.
        windows = task_windows(CompareConfig.from_dict(run.train_config))
        model = store.load_model(run.run_id)
        assert model.evaluate(windows.x_val, windows.y_val, verbose=0) == pytest.approx(
            shown["val_loss"], rel=1e-4
        )
    assert store.get_sweep(final.sweep_id)["spec"] == SPEC.to_dict()
    # Never more trials at once than CPUs: a trial polling for a stop must not give its CPU
    # back to Ray (a task blocked in ray.get does), or a third would start beside it.
    log = Path(os.environ["SWEEP_TRIAL_LOG"]).read_text()
    spans = [line.split() for line in log.splitlines()]
    assert sorted(key for key, _, _ in spans) == sorted(KEYS)
    assert max_at_once([(float(start), float(end)) for _, start, end in spans]) <= 2


def max_at_once(spans):
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = most = 0
    for _, change in events:
        running += change
        most = max(most, running)
    return most


def test_failures_are_recorded_while_the_rest_finish_and_resume_runs_only_them(tmp_path):
    store = RunStore(tmp_path)
    final = SweepJob(SPEC, store, trial_fn=faulty_trial).start().wait(WAIT_S)
    assert final.status == "finished", final.error
    status = {trial["trial"]: trial["status"] for trial in final.trials}
    assert status == {key: "failed" if key in (RAISES, KILLED) else "finished" for key in KEYS}
    runs = stored_trials(store, final.sweep_id)
    assert set(runs) == KEYS  # the failed ones are kept too
    assert runs[RAISES].error == "RuntimeError: this trial fails on purpose"
    assert runs[KILLED].error == WORKER_DIED
    assert runs[RAISES].status == runs[KILLED].status == "failed"
    kept = {key: runs[key].run_id for key in KEYS - {RAISES, KILLED}}

    store.close()
    store = RunStore(tmp_path)  # as a later process would
    resumed = SweepJob.resume(store, final.sweep_id).start().wait(WAIT_S)
    assert resumed.status == "finished", resumed.error
    runs = stored_trials(store, final.sweep_id)
    assert set(runs) == KEYS
    assert {key: runs[key].run_id for key in kept} == kept  # the finished ones were skipped
    assert runs[RAISES].status == runs[KILLED].status == "finished"  # run again, replaced
    assert {runs[RAISES].run_id, runs[KILLED].run_id}.isdisjoint(kept.values())


def test_a_stopped_sweep_cancels_pending_trials_and_keeps_running_ones_partial_histories():
    store = RunStore.in_memory()
    # 4 trials on 2 CPUs: 2 run, 2 wait.
    long = SweepSpec(CompareConfig(**{**TINY.to_dict(), "kinds": ("rnn",), "epochs": 200}))
    long = SweepSpec(long.base, seeds=(0, 1, 2, 3))
    job = SweepJob(long, store).start()
    wait_for_epochs(job, 2, WAIT_S)
    job.stop()
    final = job.wait(WAIT_S)
    assert final.status == "stopped", final.error
    assert [trial["status"] for trial in final.trials] == ["stopped"] * 4
    runs = stored_trials(store, final.sweep_id)
    assert len(runs) == 2  # the running ones; the pending ones were cancelled, no run
    for run in runs.values():
        assert run.status == "stopped"
        assert 1 <= len(run.history) < 200  # the epochs done, no more
        assert list(run.history["epoch"]) == list(range(1, len(run.history) + 1))


def test_sweeps_share_one_progress_actor_each_through_its_own_channel():
    # The actor starts once per process (a Python worker, about a second of CPU that every
    # sweep's first trials would otherwise lose); the channels keep the sweeps apart.
    import ray

    from lstm_core.sweeps import ray_backend

    first, second = ray_backend.progress_channel(ray), ray_backend.progress_channel(ray)
    assert first.actor._actor_id == second.actor._actor_id
    ray.get(first.push.remote("a", 1, {"val_loss": 0.5}))
    ray.get(second.push.remote("b", 1, {"val_loss": 0.7}))
    ray.get(first.stop.remote())
    assert ray.get(first.drain.remote()) == [("a", 1, {"val_loss": 0.5})]
    assert ray.get(first.drain.remote()) == []  # drained once
    assert ray.get(first.stopping.remote()) and not ray.get(second.stopping.remote())
    ray.get(first.close.remote())
    ray.get(first.push.remote("a", 2, {"val_loss": 0.4}))  # a trial outliving its driver
    assert ray.get(first.drain.remote()) == [] and ray.get(first.stopping.remote())
    ray.get(first.push.remote("a", 3, {"val_loss": 0.3}))  # draining did not open it again
    assert ray.get(first.drain.remote()) == []
    assert ray.get(second.drain.remote()) == [("b", 1, {"val_loss": 0.7})]
    ray.get(second.close.remote())
    # Killed under us: the next sweep's channel is on a new actor, and works.
    ray.kill(first.actor)
    deadline = time.monotonic() + 30
    while True:  # ray.kill is asynchronous: until the actor is gone, it still answers
        try:
            ray.get(first.stopping.remote(), timeout=10)
        except ray.exceptions.RayActorError:
            break
        assert time.monotonic() < deadline
        time.sleep(0.1)
    third = ray_backend.progress_channel(ray)
    assert third.actor._actor_id != first.actor._actor_id
    ray.get(third.push.remote("c", 1, {}))
    assert ray.get(third.drain.remote()) == [("c", 1, {})]
    ray.get(third.close.remote())


def test_a_sweep_after_the_local_node_was_killed_starts_a_new_one_and_finishes():
    from ray._private import worker

    from lstm_core.sweeps import ray_backend

    for info in worker._global_node.all_processes["gcs_server"]:
        info.process.kill()
    killed = time.monotonic()
    deadline = time.monotonic() + 30
    while "gcs_server" not in ray_backend.dead_node_processes():
        assert time.monotonic() < deadline
        time.sleep(0.2)
    one = SweepSpec(CompareConfig(**{**TINY.to_dict(), "kinds": ("rnn",), "epochs": 1}))
    final = SweepJob(one, RunStore.in_memory(), num_cpus=2).start().wait(WAIT_S)
    assert final.status == "finished", final.error
    assert ray_backend.dead_node_processes() == []
    # Had the old connection been kept, Ray would end this process this long after the kill.
    gcs_timeout_s = int(os.environ[GCS_TIMEOUT_VARIABLE])
    time.sleep(max(0.0, killed + gcs_timeout_s + 5 - time.monotonic()))
    assert ray_backend.dead_node_processes() == []
