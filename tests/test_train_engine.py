"""Tests for lstm_core.train.engine: the progress callback ends a diverging run."""

import re

import pytest

from lstm_core.errors import ConfigError
from lstm_core.train import engine


def progress(check_s=0.0):
    """A ``Progress`` over epochs of 4 batches at learning rate 0.5; ``check_s=0`` reads the
    loss at every call."""
    return engine.Progress(
        lambda epoch, done: None,
        lambda epoch, logs: None,
        batches_per_epoch=4,
        learning_rate=0.5,
        check_s=check_s,
    )


@pytest.mark.parametrize(
    ("loss", "shown"), [(2e20, "2e+20"), (float("inf"), "inf"), (float("nan"), "nan")]
)
def test_a_loss_past_1e20_or_not_finite_ends_the_run_as_diverged(loss, shown):
    callback = progress()
    callback.on_epoch_begin(1)
    callback.on_train_batch_end(0, {"loss": 9.9e19})  # large, but training goes on
    message = (
        f"The training loss became {shown} in epoch 2 (batch 2), where at most 1e+20 is "
        "expected: training diverged. Lower the learning rate (now 0.5), clip gradients "
        "(clipnorm=1.0) or scale the targets."
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        callback.on_train_batch_end(1, {"loss": loss})


def test_the_loss_is_checked_at_an_epochs_last_call_however_soon():
    callback = progress(check_s=3600.0)
    callback.on_epoch_begin(0)
    callback.on_train_batch_end(0, {"loss": 1.0})  # the first call is checked
    callback.on_train_batch_end(1, {"loss": 3e20})  # within check_s: not read
    with pytest.raises(ConfigError, match="training diverged"):
        callback.on_train_batch_end(3, {"loss": 3e20})
