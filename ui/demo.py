"""The Home page's one-click demo: a sample, a sensible two-layer model, training started.

The airline series is small (144 months), so a first visitor sees the loss fall within
seconds; two stacked LSTMs show ``return_sequences`` doing its job between them.
"""

from __future__ import annotations

from lstm_core.model import parse_layers
from ui import dataset, stack, state, training

DEMO_SAMPLE = "airline"
DEMO_LAYERS = "lstm:32:seq,lstm:16"
DEMO_EPOCHS = 30
DEMO_BATCH = 16


def start_demo():
    """Load the demo's data and model into the session and start training; return the job."""
    state.put("data", "source", "A sample")
    state.put("data", "sample", DEMO_SAMPLE)
    dataset.load_sample(DEMO_SAMPLE)
    dataset.refresh_windows()
    stack.set_layers(parse_layers(DEMO_LAYERS))
    state.put("train", "epochs", DEMO_EPOCHS)
    state.put("train", "batch_size", DEMO_BATCH)
    return training.start_training()
