"""Stand-ins for a serving process, stopped by a signal at a random moment of training.

``python tests/serve_and_stop.py STORE TRIALS SEED`` imports Keras once, then for each trial
forks a child that does what a Streamlit server does around our code: it installs
``lstm_core.shutdown`` (as ``ui.router`` does), starts two training jobs on a run store, and
waits in its main thread; SIGTERM or SIGINT makes that wait return (Streamlit's handler stops
its event loop the same way) and the child's main function returns, so the interpreter exits
with the training threads still running, TensorFlow loaded, as a stopped server does. The
parent sends the signal at a random moment, either a random delay after the start (while the
model is built) or a random delay after a random number of completed epochs, and prints one
JSON line per trial: the exit status and how long the child took to end.

Forking after the import is what makes many trials affordable: each server would otherwise
import TensorFlow again (10-20 s on two busy cores). No TensorFlow op runs before the fork.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import random
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstm_core import shutdown  # noqa: E402
from lstm_core.data import make_windows  # noqa: E402
from lstm_core.model import ModelSpec, parse_layers  # noqa: E402
from lstm_core.runs import RunStore  # noqa: E402
from lstm_core.samples import SAMPLES, load_sample  # noqa: E402
from lstm_core.train import TrainConfig, TrainingJob  # noqa: E402

JOBS = 2  # training jobs per server, the default cap
EPOCHS = 60  # more than any trial reaches; few enough that Keras does not pick XLA
WAIT_S = 30.0  # a child still alive after this is killed and reported
EPOCHS_WAIT_S = 300.0  # the longest a trial waits for its epochs (two busy cores)


def serve(store: Path, windows, spec, trial: int) -> None:
    """The child: train until a signal comes, then return from main (the interpreter exits)."""
    stopped = threading.Event()
    # A child that does not end gets SIGUSR1 before SIGKILL: every thread's stack to stderr.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stopped.set())
    shutdown.install()
    runs = RunStore(store)
    for job in range(JOBS):
        TrainingJob(
            windows,
            spec,
            TrainConfig(epochs=EPOCHS, batch_size=16, seed=trial * JOBS + job),
            store=runs,
            dataset={"name": "airline", "sample": "airline"},
            window_spec=SAMPLES["airline"].spec,
        ).start()
    # Poll rather than block: the kernel may deliver the signal to any thread (TensorFlow's
    # among them), and a main thread blocked in a lock without timeout then never runs the
    # Python handler (seen: a child left waiting with its SIGTERM pending). A server's main
    # thread runs an event loop that wakes often, so it runs the handler soon; so does this.
    while not stopped.wait(0.1):
        pass


def main(store: Path, trials: int, seed: int) -> None:
    import keras  # noqa: F401  (once, before forking)

    RunStore(store).close()  # the database exists before the parent polls it
    windows = make_windows(load_sample("airline"), SAMPLES["airline"].spec)
    spec = ModelSpec(layers=parse_layers("lstm:4"), outputs=windows.n_outputs)
    chance = random.Random(seed)
    for trial in range(trials):
        number = chance.choice([signal.SIGTERM, signal.SIGINT])
        epochs = chance.choice([0, 1, 2, 3])  # completed epochs to wait for first
        delay = chance.uniform(0.2, 3.0) if epochs == 0 else chance.uniform(0.0, 0.3)
        started = time.time()
        child = os.fork()
        if child == 0:
            serve(store, windows, spec, trial)
            return  # the child's main returns: the interpreter exits as a server's does
        _wait_for_epochs(store, started, epochs)
        time.sleep(delay)
        os.kill(child, number)
        sent = time.monotonic()
        status = _wait(child)
        print(
            json.dumps(
                {
                    "trial": trial,
                    "signal": signal.Signals(number).name,
                    "after_epochs": epochs,
                    "delay_s": round(delay, 2),
                    "exit_status": os.waitstatus_to_exitcode(status),
                    "seconds": round(time.monotonic() - sent, 2),
                }
            ),
            flush=True,
        )


def _wait_for_epochs(store: Path, since: float, epochs: int) -> None:
    """Until a run created after ``since`` has ``epochs`` completed epochs."""
    deadline = time.monotonic() + EPOCHS_WAIT_S
    while epochs and time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(store / "runs.sqlite")) as connection:
            (done,) = connection.execute(
                "SELECT COALESCE(MAX((SELECT COUNT(*) FROM history WHERE run_id = runs.id)), 0) "
                "FROM runs WHERE created_at >= ?",
                (since,),
            ).fetchone()
        if done >= epochs:
            return
        time.sleep(0.05)


def _wait(child: int) -> int:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(child, signal.SIGUSR1)  # where it hangs, on stderr (see serve)
    time.sleep(1.0)
    os.kill(child, signal.SIGKILL)
    return os.waitpid(child, 0)[1]


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
