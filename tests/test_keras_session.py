"""Keras' session is kept while a job trains: a host's clear_session() (Streamlit calls it
after every script run) must not reset Keras under a training thread."""

from types import SimpleNamespace

import keras
import numpy as np
import pandas as pd
import pytest

from lstm_core import keras_session
from lstm_core.data import WindowSpec, make_windows
from lstm_core.experiments import job as compare_job
from lstm_core.experiments.config import CompareConfig
from lstm_core.model import ModelSpec, parse_layers
from lstm_core.train import TrainConfig, TrainingJob

pytestmark = pytest.mark.slow  # trains models: left out by pytest -m "not slow"


def fresh_dense_name() -> str:
    """The name Keras gives a new Dense layer: "dense" right after clear_session()."""
    return keras.layers.Dense(1).name


def test_clear_session_is_skipped_while_training_and_clears_afterwards():
    keras.backend.clear_session()
    assert fresh_dense_name() == "dense"
    with keras_session.training():
        assert keras_session.is_training()
        keras.backend.clear_session()  # skipped: the name counter goes on
        assert fresh_dense_name() == "dense_1"
    assert not keras_session.is_training()
    keras.backend.clear_session()
    assert fresh_dense_name() == "dense"


def test_nested_blocks_keep_the_session_until_the_outer_one_ends():
    with keras_session.training():
        with keras_session.training():
            pass
        assert keras_session.is_training()
    assert not keras_session.is_training()


def test_a_training_job_runs_its_whole_thread_inside_a_training_block():
    seen = []
    frame = pd.DataFrame({"y": np.sin(np.arange(60) / 5.0)})
    windows = make_windows(frame, WindowSpec(features=("y",), targets=("y",), lookback=6))
    spec = ModelSpec(layers=parse_layers("lstm:2"), outputs=1)
    config = TrainConfig(epochs=1, batch_size=16)

    class Watching(TrainingJob):
        def _work(self):
            seen.append(keras_session.is_training())
            return super()._work()

    final = Watching(windows, spec, config).start().wait(60)
    assert final.status == "finished", final.error
    assert seen == [True] and not keras_session.is_training()


def test_a_comparison_job_trains_inside_a_training_block(monkeypatch):
    seen = []

    def fake_compare(config, on_epoch, should_stop):
        seen.append(keras_session.is_training())
        return SimpleNamespace(stopped=False)

    monkeypatch.setattr(compare_job, "run_compare", fake_compare)
    final = compare_job.CompareJob(CompareConfig(epochs=0)).start().wait(60)
    assert final.status == "finished", final.error
    assert seen == [True] and not keras_session.is_training()
