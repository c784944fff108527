"""The run-time estimate before Start: measured here, right to an order of magnitude."""

import numpy as np
import pandas as pd

from lstm_core.data import WindowSpec, make_windows
from lstm_core.model import ModelSpec, parse_layers
from lstm_core.train import TrainConfig, TrainingJob
from lstm_core.train.estimate import RunEstimate, estimate_run


def test_the_estimate_is_within_an_order_of_magnitude_of_the_run():
    t = np.arange(600)
    frame = pd.DataFrame({"y": np.sin(t / 9) + 0.1 * np.cos(t / 2)})
    windows = make_windows(frame, WindowSpec(("y",), ("y",), lookback=16))
    spec = ModelSpec(parse_layers("lstm:8"), head="regression", outputs=1)
    config = TrainConfig(epochs=4, batch_size=16)
    estimate = estimate_run(windows, spec, config)
    assert estimate.batches == 4 * int(np.ceil(len(windows.x_train) / 16))
    run = TrainingJob(windows, spec, config).start().wait(120)
    assert run.status == "finished"
    assert run.elapsed_s / 10 < estimate.seconds < run.elapsed_s * 10


def test_the_estimate_in_words():
    estimate = RunEstimate(seconds=42.4, setup_s=2.0, per_batch_s=0.031, batches=1140)
    assert estimate.words() == "about 42 s (1140 batches at 31 ms each, measured on this machine)"
    assert RunEstimate(600, 2, 0.1, 5000).words().startswith("about 10 min")
