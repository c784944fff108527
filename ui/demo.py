"""The Home page's one-click demo: a sample, a sensible two-layer model, training started.

Melbourne's daily minimum temperatures: ten years of a real, seasonal series without a trend,
so the windows of the test years look like those of the training years and the trained model
beats the naive "same as yesterday" forecast (a trending series such as the airline passengers
leaves the range its scaler was fitted on, and a first visitor would see a poor forecast). Two
stacked LSTMs show ``return_sequences`` doing its job between them, and the first epochs end
within seconds, so the loss curve appears at once.
"""

from __future__ import annotations

from ui import state

DEMO_SAMPLE = "temperatures"
DEMO_LAYERS = "lstm:32:seq,lstm:16"
DEMO_EPOCHS = 20
DEMO_BATCH = 32


def start_demo():
    """Load the demo's data and model into the session and start training; return the job."""
    # Imported here, on the click: the Home page opens without pandas or the model code.
    from lstm_core.model import parse_layers
    from ui import dataset, stack, training

    state.put("data", "source", "A sample")
    state.put("data", "sample", DEMO_SAMPLE)
    dataset.load_sample(DEMO_SAMPLE)
    dataset.refresh_windows()
    stack.set_layers(parse_layers(DEMO_LAYERS))
    state.put("train", "epochs", DEMO_EPOCHS)
    state.put("train", "batch_size", DEMO_BATCH)
    return training.start_training()
