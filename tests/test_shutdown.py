"""A clean shutdown: every job interrupted, its run kept with its epochs, the process ends 0.

``tests/serve_and_stop.py`` stands in for a server 8 times, each stopped by SIGTERM or SIGINT
at a random moment of training (see its docstring for why it forks rather than starting 8
servers); ``tests/ui/test_browser_faults.py`` stops a real Streamlit server the same way once.
"""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from test_runs import add_run

from lstm_core import shutdown
from lstm_core.data import make_windows
from lstm_core.model import ModelSpec, parse_layers
from lstm_core.runs import RunStore
from lstm_core.samples import SAMPLES, load_sample
from lstm_core.train import TrainConfig, TrainingJob
from lstm_core.train.recorder import RunRecorder

HARNESS = Path(__file__).resolve().parent / "serve_and_stop.py"
TRIALS = 8  # both signals, before the first epoch and after 2 or 3 (seed 20)
EXIT_WITHIN_S = 10.0


def stored(store: Path) -> list[tuple[str, str, int]]:
    """Every run's id, stored status (not inferred from a dead process) and epochs."""
    with sqlite3.connect(store / "runs.sqlite") as connection:
        return connection.execute(
            "SELECT id, status, (SELECT COUNT(*) FROM history WHERE run_id = runs.id) FROM runs"
        ).fetchall()


@pytest.mark.slow
def test_signals_at_random_moments_of_training_end_cleanly(tmp_path):
    harness = subprocess.run(
        [sys.executable, str(HARNESS), str(tmp_path), str(TRIALS), "20"],
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert harness.returncode == 0, harness.stderr[-3000:]
    trials = [json.loads(line) for line in harness.stdout.splitlines()]
    assert len(trials) == TRIALS
    for trial in trials:
        assert trial["exit_status"] == 0, trial
        assert trial["seconds"] < EXIT_WITHIN_S, trial
    assert {trial["signal"] for trial in trials} == {"SIGTERM", "SIGINT"}
    runs = stored(tmp_path)
    assert runs and all(status == "interrupted" for _, status, _ in runs), runs
    # Signals after some epochs: those epochs are kept.
    reached = max(trial["after_epochs"] for trial in trials)
    assert max(epochs for _, _, epochs in runs) >= reached
    history = RunStore(tmp_path).get_run(max(runs, key=lambda run: run[2])[0]).history
    assert history["epoch"].tolist() == list(range(1, len(history) + 1))


def test_stop_jobs_interrupts_training_and_keeps_every_finished_epoch(tmp_path):
    store = RunStore(tmp_path)
    windows = make_windows(load_sample("airline"), SAMPLES["airline"].spec)
    job = TrainingJob(
        windows,
        ModelSpec(layers=parse_layers("lstm:4"), outputs=windows.n_outputs),
        TrainConfig(epochs=200, batch_size=32),
        store=store,
    ).start()
    while len(job.snapshot().history) < 2 and not job.snapshot().done:
        job.wait(0.05)
    assert shutdown.stop_jobs() == []  # ended in time: nothing left to mark
    final = job.snapshot()
    run = store.get_run(job.run_id)
    assert (final.status, run.status) == ("interrupted", "interrupted")
    assert len(run.history) == len(final.history) >= 2
    assert run.model_path is None and run.test_metrics is None


def test_a_job_that_does_not_stop_in_time_is_marked_interrupted(tmp_path, monkeypatch):
    store = RunStore(tmp_path)
    run_id = add_run(store, epochs=2, status="running")

    class Stuck:  # a job busy in a long step (an XLA compile) that ignores the request
        def __init__(self):
            self.recorder = RunRecorder(store)
            self.recorder.run_id = run_id
            self.interrupted = False

        def interrupt(self):
            self.interrupted = True

        def wait(self, timeout):
            pass

        def snapshot(self):
            return type("Snapshot", (), {"done": False})()

    stuck = Stuck()
    monkeypatch.setattr("lstm_core.jobs.active_jobs", lambda: [stuck])
    assert shutdown.stop_jobs(timeout=0.1) == [run_id] and stuck.interrupted
    run = store.get_run(run_id)
    assert (run.status, len(run.history), run.error) == ("interrupted", 2, "The server shut down.")
