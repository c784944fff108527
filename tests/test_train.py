import dataclasses
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core import backend
from lstm_core.data import Scaler, Windows, WindowSpec, make_windows
from lstm_core.errors import ConfigError
from lstm_core.model import LayerSpec, ModelSpec, parse_layers
from lstm_core.runs import RunStore
from lstm_core.samples import SAMPLES, load_sample
from lstm_core.settings import Limits
from lstm_core.train import (
    TrainConfig,
    TrainingJob,
    check_config,
    resolve_loss,
    running_jobs,
    speed,
)

pytestmark = pytest.mark.slow  # trains models: left out by pytest -m "not slow"

# --- TrainConfig ---------------------------------------------------------------------------


def test_config_round_trips_through_json():
    config = TrainConfig(epochs=3, optimizer="sgd", learning_rate=0.5, clipnorm=None, seed=7)
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert TrainConfig.from_dict({}) == TrainConfig()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"epochs": 0}, r"epochs must be at least 1, got 0"),
        ({"epochs": 2.5}, r"epochs must be an int, got 2\.5 \(float\)"),
        ({"batch_size": True}, r"batch_size must be an int, got True \(bool\)"),
        ({"learning_rate": 0}, r"learning_rate must be in \(0, 1\], got 0"),
        ({"learning_rate": 1.5}, r"learning_rate must be in \(0, 1\], got 1\.5"),
        ({"learning_rate": "fast"}, r"learning_rate must be a finite number, got 'fast'"),
        ({"optimizer": "adamw"}, r"optimizer must be one of \('adam', 'rmsprop', 'sgd'\)"),
        ({"loss": "mape"}, r"loss must be one of \('auto', 'mse', 'mae', 'huber'\)"),
        ({"patience": -1}, r"patience must be at least 0, got -1"),
        ({"clipnorm": 0}, r"clipnorm must be above 0, got 0"),
        ({"seed": -1}, r"seed must be between 0 and 2147483647, got -1"),
    ],
)
def test_config_rejects_bad_values_with_the_fix(change, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**change)
    with pytest.raises(ConfigError, match=message):
        TrainConfig.from_dict(change)


def test_config_from_dict_rejects_unknown_keys():
    with pytest.raises(ConfigError, match=r"Unknown TrainConfig key\(s\) \['lr'\]"):
        TrainConfig.from_dict({"lr": 0.1})
    with pytest.raises(ConfigError, match="must be a dict, got list"):
        TrainConfig.from_dict([1])


def test_check_config_applies_the_limits():
    limits = Limits(max_epochs=10, max_batch_size=32)
    assert check_config(TrainConfig(epochs=10, batch_size=32), limits).epochs == 10
    with pytest.raises(ConfigError, match=r"epochs must be between 1 and 10, got 11.*MAX_EPOCHS"):
        check_config(TrainConfig(epochs=11), limits)
    with pytest.raises(ConfigError, match=r"batch_size must be between 1 and 32, got 64"):
        check_config(TrainConfig(epochs=1), limits)


def test_auto_loss_follows_the_task():
    assert resolve_loss("auto", "regression") == "mse"
    assert resolve_loss("huber", "regression") == "huber"
    assert resolve_loss("auto", "classification") == "sparse_categorical_crossentropy"
    with pytest.raises(ConfigError, match="loss='mse' is for regression.*use loss='auto'"):
        resolve_loss("mse", "classification")


# --- FLOPs and steps per execution -----------------------------------------------------------


def test_forward_flops_counted_by_hand():
    spec = ModelSpec(layers=parse_layers("lstm:4:seq,gru:2"), outputs=3)
    # lstm: 5 steps * 2 * 4 gates * 4 units * (1 + 4); gru: 5 * 2 * 3 * 2 * (4 + 2); head 2*2*3
    assert speed.forward_flops(spec, timesteps=5, features=1) == 800 + 360 + 12
    assert speed.training_flops(spec, 5, 1, samples=10) == 3 * 10 * 1172


def test_steps_per_execution_aims_at_a_quarter_second_per_call():
    assert speed.choose_steps_per_execution(flops_per_batch=0, batches_per_epoch=500) == 64
    assert speed.choose_steps_per_execution(0, batches_per_epoch=7) == 7
    assert speed.choose_steps_per_execution(1e12, 500) == 1  # one batch is already long
    # 3e8 FLOPs at 20 GFLOP/s + 2 ms = 17 ms per batch -> 14 batches in 0.25 s
    assert speed.choose_steps_per_execution(3e8, 500) == 14
    # JAX unrolls a call's steps into one program: one batch per call there.
    assert speed.choose_steps_per_execution(0, 500, unrolled=True) == 1


def test_xla_only_for_narrow_layers_and_long_runs():
    demo = ModelSpec(layers=parse_layers("lstm:32:seq,lstm:32"), outputs=1)
    wide = ModelSpec(layers=parse_layers("lstm:128:seq,lstm:128"), outputs=1)
    demo_batch = speed.training_flops(demo, 50, 1, samples=64)
    wide_batch = speed.training_flops(wide, 100, 8, samples=256)
    assert speed.choose_jit_compile(demo_batch, 50, batches=64 * 20, layers=2, gpu=False)
    assert not speed.choose_jit_compile(demo_batch, 50, batches=64 * 5, layers=2, gpu=False)
    assert not speed.choose_jit_compile(wide_batch, 100, batches=10_000, layers=2, gpu=False)
    assert speed.choose_jit_compile(demo_batch, 50, batches=64 * 20, layers=2, gpu=True) == "auto"
    # JAX compiles everything: no choice, whatever the model.
    assert speed.choose_jit_compile(wide_batch, 100, 1, 2, gpu=False, always_compiled=True)


def test_importing_train_does_not_import_tensorflow():
    code = (
        "import sys, lstm_core.train; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"


# --- TrainingJob -----------------------------------------------------------------------------


def sine_windows(rows=200, lookback=8, scale=1.0, scaler="minmax"):
    t = np.arange(rows)
    frame = pd.DataFrame({"y": scale * np.sin(t / 5.0)})
    spec = WindowSpec(features=("y",), targets=("y",), lookback=lookback, scaler=scaler)
    return make_windows(frame, spec)


def stack(text="lstm:4:seq,lstm:4", outputs=1, head="regression"):
    return ModelSpec(layers=parse_layers(text), outputs=outputs, head=head)


def test_training_a_sample_lowers_the_validation_loss():
    # In levels, not the sample's default differences: a tiny model learns the level in 8 epochs.
    spec = dataclasses.replace(SAMPLES["airline"].spec, difference=False)
    windows = make_windows(load_sample("airline"), spec)
    store = RunStore.in_memory()
    config = TrainConfig(epochs=8, batch_size=16, learning_rate=0.02)
    job = TrainingJob(windows, stack("lstm:8:seq,lstm:8"), config, store=store, dataset="airline")
    final = job.start().wait(120)
    assert final.status == "finished", final.error
    history = final.history
    assert list(history.columns) == ["epoch", "loss", "val_loss", "mae", "val_mae"]
    assert history["epoch"].tolist() == list(range(1, 9))
    assert history["val_loss"].iloc[-1] < 0.75 * history["val_loss"].iloc[0]
    # The result is in passengers (thousands), the data's own units: the last 22 of the 144
    # months (15 %) are the test targets; the model's outputs are min-max scaled on the 100
    # training months. Both are computed here from the CSV, not by the windows.
    levels = load_sample("airline")["Passengers"].to_numpy(float)
    truth = levels[-22:, None]  # (22, 1)
    low, high = levels[:100].min(), levels[:100].max()
    predicted = job.model.predict(windows.x_test, verbose=0) * (high - low) + low  # (22, 1)
    np.testing.assert_allclose(job.result.y_true, truth, rtol=1e-6)
    np.testing.assert_allclose(job.result.y_pred, predicted, rtol=1e-5)
    rmse = np.sqrt(np.mean((predicted - truth) ** 2))
    assert job.result.test_metrics["rmse"] == pytest.approx(rmse, rel=1e-5)
    run = store.get_run(final.run_id)
    assert run.status == "finished" and run.dataset["name"] == "airline"
    pd.testing.assert_frame_equal(run.history, history, check_dtype=False)
    assert run.model_path.exists() and run.test_metrics == job.result.test_metrics
    assert run.name == "airline, lstm:8:seq,lstm:8" and run.timings["train_s"] > 0
    assert run.timings["device"] == final.device and final.device.startswith(backend.label())
    # The trained model's diagnosis is kept with the run.
    assert [layer["layer"] for layer in job.result.diagnosis["layers"]] == [1, 2]
    assert run.diagnosis == job.result.diagnosis


def test_same_seed_same_history_other_seed_another():
    windows = sine_windows()
    config = TrainConfig(epochs=2, batch_size=16, seed=3)

    def history(config):
        final = TrainingJob(windows, stack("lstm:4"), config).start().wait(60)
        assert final.status == "finished", final.error
        return final.history.drop(columns="epoch").to_numpy()

    first = history(config)
    np.testing.assert_allclose(history(config), first, rtol=0, atol=1e-6)
    assert np.abs(history(dataclasses.replace(config, seed=4)) - first).max() > 1e-4


def test_stop_ends_within_one_call_and_keeps_the_history():
    windows = sine_windows(rows=400)
    store = RunStore.in_memory()
    job = TrainingJob(windows, stack("gru:4"), TrainConfig(epochs=500, batch_size=8), store=store)
    job.start()
    while len(job.snapshot().history) < 1:
        assert not job.wait(0.05).done
    at_stop = job.stop()
    final = job.wait(30)
    assert final.status == "stopped" and final.error is None
    assert final.steps_done - at_stop.steps_done <= final.steps_per_execution
    assert len(at_stop.history) <= len(final.history) <= len(at_stop.history) + 1
    assert final.epoch < 500 and job.result is not None
    run = store.get_run(final.run_id)
    assert run.status == "stopped" and len(run.history) == len(final.history)
    assert run.model_path.exists()


def test_a_diverging_run_fails_and_says_to_lower_the_learning_rate():
    # Unscaled targets in the thousands, plain SGD at the largest rate, no clipping.
    windows = sine_windows(scale=1e4, scaler="none")
    config = TrainConfig(epochs=3, batch_size=16, optimizer="sgd", learning_rate=1.0, clipnorm=None)
    store = RunStore.in_memory()
    final = TrainingJob(windows, stack("rnn:4"), config, store=store).start().wait(60)
    assert final.status == "failed"
    assert "training diverged. Lower the learning rate (now 1)" in final.error
    run = store.get_run(final.run_id)
    assert run.status == "failed" and run.error == final.error and run.model_path is None


def classes_windows(samples=48, timesteps=6):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, timesteps, 1)).astype("float32")
    y = (x[:, -1, 0] > 0).astype("float32")[:, None]  # (samples, 1): is the last step positive
    cut = samples // 2, 3 * samples // 4
    return Windows(
        x_train=x[: cut[0]], y_train=y[: cut[0]],
        x_val=x[cut[0] : cut[1]], y_val=y[cut[0] : cut[1]],
        x_test=x[cut[1] :], y_test=y[cut[1] :],
        feature_names=("x",), target_names=("label",), horizon=1, task="classification",
        feature_scaler=Scaler.fit("none", x.reshape(-1, 1)), target_scaler=None,
        class_names=("negative", "positive"),
    )  # fmt: skip


def test_a_classification_job_reports_accuracy_and_confusion():
    windows = classes_windows()
    final = (
        TrainingJob(windows, stack("gru:4", 2, "classification"), TrainConfig(epochs=2))
        .start()
        .wait(60)
    )
    assert final.status == "finished", final.error
    assert list(final.history.columns) == ["epoch", "loss", "val_loss", "accuracy", "val_accuracy"]
    assert final.history[["accuracy", "val_accuracy"]].stack().between(0, 1).all()


def test_classification_result_matches_its_predictions():
    windows = classes_windows()
    job = TrainingJob(windows, stack("rnn:3", 2, "classification"), TrainConfig(epochs=1))
    assert job.start().wait(60).status == "finished"
    result = job.result
    assert result.y_pred.shape == result.y_true.shape == (12, 1)
    expected = job.model.predict(windows.x_test, verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(result.y_pred[:, 0], expected)
    labels = windows.y_test[:, 0].astype(int)  # the classes as the windows were cut
    np.testing.assert_array_equal(result.y_true[:, 0], labels)
    confusion = np.zeros((2, 2), int)  # rows: true class, columns: predicted
    np.add.at(confusion, (labels, expected), 1)
    assert result.test_metrics["confusion"] == confusion.tolist()
    assert result.test_metrics["accuracy"] == pytest.approx(np.mean(expected == labels))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (stack(outputs=2), r"outputs=2 but the data needs 1 .*set outputs=1"),
        (stack(outputs=2, head="classification"), r"classification head but the data is a regr"),
    ],
)
def test_a_model_that_does_not_fit_the_data_is_refused_up_front(spec, message):
    with pytest.raises(ConfigError, match=message):
        TrainingJob(sine_windows(), spec, TrainConfig())


def test_a_job_over_the_memory_budget_is_refused():
    limits = Limits(memory_budget_mb=0.001)
    with pytest.raises(ConfigError, match="MB budget per job"):
        TrainingJob(sine_windows(), stack(), TrainConfig(), limits=limits)


def test_jobs_beyond_the_cap_are_refused_until_one_ends():
    windows = sine_windows()
    limits = Limits(max_concurrent_jobs=1)
    long = TrainingJob(windows, stack(), TrainConfig(epochs=500), limits=limits).start()
    try:
        with pytest.raises(
            ConfigError,
            match=r"1 job is already running \(the limit is 1, LSTM_LAB_MAX_CONCURRENT_JOBS\): training; .*stop one",
        ):
            TrainingJob(windows, stack(), TrainConfig(epochs=1), limits=limits).start()
    finally:
        long.stop()
        assert long.wait(30).status == "stopped"
    assert running_jobs() == 0
    again = TrainingJob(windows, stack(), TrainConfig(epochs=1), limits=limits).start()
    assert again.wait(60).status == "finished"


class BrokenStore(RunStore):
    """A store whose disk fails when the first epoch is written."""

    def record_epoch(self, run_id, epoch, record):
        raise OSError("disk on fire\nsecond line of detail")


def test_an_exception_in_the_thread_fails_the_job_with_one_line():
    failures = []
    threading.excepthook, previous = failures.append, threading.excepthook
    try:
        store = BrokenStore.in_memory()
        final = TrainingJob(sine_windows(), stack("rnn:2"), TrainConfig(epochs=2), store=store)
        final = final.start().wait(60)
    finally:
        threading.excepthook = previous
    assert final.status == "failed" and final.error == "OSError: disk on fire"
    assert store.get_run(final.run_id).status == "failed" and failures == []


def test_a_long_run_of_a_narrow_model_trains_with_xla():
    # 30 epochs of ~130 batches of 1 sample: long enough, in estimate, to repay XLA.
    job = TrainingJob(sine_windows(), stack("rnn:2"), TrainConfig(epochs=30, batch_size=1))
    job.start()
    while len(job.snapshot().history) < 2:
        assert not job.wait(0.05).done
    final = job.stop() and job.wait(60)
    xla = "" if backend.always_compiled() else ", XLA"  # on JAX every function is XLA's
    assert final.status == "stopped" and final.device == f"{backend.label()}, CPU{xla}"
    assert final.history["loss"].notna().all() and job.result is not None


def test_snapshot_before_start_is_pending():
    job = TrainingJob(sine_windows(), stack(), TrainConfig(epochs=1, batch_size=10))
    snapshot = job.snapshot()
    assert (snapshot.status, snapshot.epoch, snapshot.steps_done, snapshot.eta_s) == (
        "pending", 0, 0, None
    )  # fmt: skip
    assert snapshot.batches_per_epoch == -(-len(job.windows.x_train) // 10)
    assert list(snapshot.history.columns) == ["epoch", "loss", "val_loss", "mae", "val_mae"]


def test_the_layer_defaults_still_train():
    spec = ModelSpec(layers=(LayerSpec(units=3),), outputs=1)
    final = TrainingJob(sine_windows(), spec, TrainConfig(epochs=1)).start().wait(60)
    assert final.status == "finished", final.error
