"""The job runtime: one cap for every kind of job in the process, one way to report failure."""

import threading

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import Windows, WindowSpec, make_windows
from lstm_core.errors import ConfigError, SpecError
from lstm_core.experiments import CompareConfig, CompareJob
from lstm_core.jobs import Job, active_jobs, failure_text, running_jobs, take_slot
from lstm_core.model import ModelSpec, parse_layers
from lstm_core.settings import Limits
from lstm_core.train import TrainConfig, TrainingJob

CAP_1 = Limits(max_concurrent_jobs=1)
# A job's first thread imports Keras (lstm_core.keras_session): 14 s on 2 busy cores.
WAIT_S = 60
REFUSED = r"1 job is already running \(the limit is 1, LSTM_LAB_MAX_CONCURRENT_JOBS\): {}"


class Waiting(Job):
    """A job that runs until stopped, or fails at once with ``fail``."""

    kind = "measurement"

    def __init__(self, limits=None, fail: Exception | None = None):
        super().__init__(limits)
        self.fail = fail

    def _snapshot(self):
        return self._status, self._error

    def _work(self) -> str:
        if self.fail is not None:
            raise self.fail
        while not self.stopping:
            self._stopping.wait(0.01)
        return "stopped"


def _windows() -> Windows:
    frame = pd.DataFrame({"y": np.sin(np.arange(40) / 5.0)})
    return make_windows(frame, WindowSpec(features=("y",), targets=("y",), lookback=4))


@pytest.mark.slow
def test_a_comparison_is_refused_while_a_training_job_holds_the_only_slot():
    training = TrainingJob(
        _windows(),
        ModelSpec(parse_layers("rnn:2"), outputs=1),
        TrainConfig(epochs=1000, batch_size=8),
        limits=CAP_1,
    ).start()
    try:
        comparison = CompareJob(
            CompareConfig(timesteps=5, kinds=("rnn",), units=2, epochs=1, n_train=8, n_val=4),
            limits=CAP_1,
        )
        with pytest.raises(ConfigError, match=REFUSED.format("training")):
            comparison.start()
        assert comparison.snapshot().status == "pending"
    finally:
        training.stop()
    assert training.wait(60).status == "stopped"
    assert running_jobs() == 0


def test_a_measurement_in_the_callers_thread_takes_a_slot_too():
    with take_slot("measurement", CAP_1):
        assert running_jobs() == 1
        with pytest.raises(ConfigError, match=REFUSED.format("measurement")):
            Waiting(CAP_1).start()
    assert running_jobs() == 0


def test_a_slot_is_free_again_once_the_job_ends():
    job = Waiting(CAP_1).start()
    with pytest.raises(ConfigError, match="LSTM_LAB_MAX_CONCURRENT_JOBS"):
        take_slot("training", CAP_1)
    assert job.stop() == ("running", None)
    assert job.wait(WAIT_S) == ("stopped", None)
    take_slot("training", CAP_1).release()
    assert running_jobs() == 0


def test_a_job_starts_once():
    job = Waiting().start()
    try:
        with pytest.raises(RuntimeError, match="started already"):
            job.start()
    finally:
        job.stop()
        assert job.wait(WAIT_S) == ("stopped", None)


def test_a_job_whose_thread_cannot_start_frees_its_slot_and_ends_as_failed(monkeypatch):
    def refuse(thread):
        raise RuntimeError("can't start new thread")

    with monkeypatch.context() as patch:
        patch.setattr(threading.Thread, "start", refuse)
        job = Waiting(CAP_1).start()
    reason = "The measurement thread did not start: RuntimeError: can't start new thread"
    assert job.wait(0) == ("failed", reason)
    assert running_jobs() == 0 and job not in active_jobs()
    again = Waiting(CAP_1).start()  # the only slot is free again
    again.stop()
    assert again.wait(WAIT_S) == ("stopped", None)


@pytest.mark.parametrize(
    "exc, text",
    [
        (OSError("disk on fire\nsecond line"), "OSError: disk on fire"),
        (SpecError("Layer 1 units must be\n  at least 1."), "Layer 1 units must be at least 1."),
        (RuntimeError(""), "RuntimeError: no message"),
    ],
)
def test_every_kind_of_job_fails_with_one_line(exc, text):
    failures = []
    threading.excepthook, previous = failures.append, threading.excepthook
    try:
        assert Waiting(fail=exc).start().wait(WAIT_S) == ("failed", text)
    finally:
        threading.excepthook = previous
    assert failures == [] and running_jobs() == 0


def test_a_long_failure_is_cut_to_300_characters():
    text = failure_text(ValueError("x" * 1000))
    assert len(text) == 300 and text.startswith("ValueError: xxx") and text.endswith("...")
