"""Keras backends: the choice, the device line, and a run trained on one backend opened and
inspected on the other (``.keras`` files are backend-neutral)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_core import backend
from lstm_core.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]

# Trains a tiny run into the store at argv[1] and writes its id, backend, device and what the
# trained model says about fixed inputs to argv[2].
TRAIN = """
import json, sys
import numpy as np
from lstm_core.data import Scaler, Windows
from lstm_core.inspect import returned_tensors, trace
from lstm_core.model import ModelSpec, parse_layers
from lstm_core.runs import RunStore
from lstm_core.train import TrainConfig, TrainingJob

rng = np.random.default_rng(0)
x = rng.standard_normal((40, 6, 2), dtype=np.float32)
y = x[:, -1, :1]
split = lambda a, b: slice(a, b)
windows = Windows(
    x_train=x[:24], y_train=y[:24], x_val=x[24:32], y_val=y[24:32], x_test=x[32:], y_test=y[32:],
    feature_names=("a", "b"), target_names=("y",), horizon=1, task="regression",
    feature_scaler=Scaler.fit("none", x[:1, 0]), target_scaler=Scaler.fit("none", y[:1]),
)
spec = ModelSpec(layers=parse_layers("lstm:3:seq,gru:2"), outputs=1)
job = TrainingJob(windows, spec, TrainConfig(epochs=2, batch_size=8), store=RunStore(sys.argv[1]))
final = job.start().wait(300)
assert final.status == "finished", final.error
probe = x[:3]
json.dump({
    "run_id": final.run_id, "device": final.device,
    "predict": job.model.predict(probe, verbose=0).tolist(),
    "h": [t.steps["h"].tolist() for t in trace(job.model, probe)],
    "returned": [r.tensors["output"].tolist() for r in returned_tensors(job.model, probe)],
}, open(sys.argv[2], "w"))
"""

# Opens that run from argv[1] on this process's backend and writes the same figures to argv[3].
OPEN = """
import json, sys
import numpy as np
from lstm_core import backend
from lstm_core.inspect import returned_tensors, trace
from lstm_core.runs import RunStore

trained = json.load(open(sys.argv[2]))
model = RunStore(sys.argv[1]).load_model(trained["run_id"])
probe = np.random.default_rng(0).standard_normal((40, 6, 2), dtype=np.float32)[:3]
json.dump({
    "backend": backend.name(),
    "predict": np.asarray(model.predict(probe, verbose=0)).tolist(),
    "h": [t.steps["h"].tolist() for t in trace(model, probe)],
    "returned": [np.asarray(r.tensors["output"]).tolist() for r in returned_tensors(model, probe)],
}, open(sys.argv[3], "w"))
"""


def run_on(keras_backend: str, code: str, *args) -> None:
    env = {**os.environ, "KERAS_BACKEND": keras_backend}
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=REPO, env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_backend_is_tensorflow_unless_keras_backend_says_otherwise(monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    assert (backend.name(), backend.label()) == ("tensorflow", "TensorFlow")
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert (backend.name(), backend.label(), backend.always_compiled()) == ("jax", "JAX", True)


def test_an_unsupported_backend_is_refused_with_the_fix(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    with pytest.raises(
        ConfigError,
        match=r"KERAS_BACKEND must be one of tensorflow, jax, got "
        r"'torch'; set KERAS_BACKEND=tensorflow \(the default\) or KERAS_BACKEND=jax",
    ):
        backend.name()


def test_the_device_line_names_the_backend_and_the_device():
    line = backend.device_line()
    assert line.startswith(f"{backend.label()}, ")
    assert line.endswith("CPU") if not backend.has_gpu() else "GPU (" in line


def test_the_device_kind_is_what_the_backend_itself_sees():
    if backend.name() == "jax":
        import jax

        gpu = any(device.platform == "gpu" for device in jax.devices())
    else:
        import tensorflow as tf

        gpu = bool(tf.config.list_physical_devices("GPU"))
    assert backend.device_kind() == ("GPU" if gpu else "CPU")


def test_mirrored_without_two_gpus_trains_on_one_device_and_says_why():
    scope, replicas, line = backend.strategy_for("mirrored")
    with scope:
        pass
    assert replicas == 1 and line.startswith(backend.device_line())
    assert "(MirroredStrategy" in line
    assert backend.strategy_for(None)[1:] == (1, backend.device_line())


def test_the_app_takes_keras_backend_from_its_secrets(monkeypatch):
    from ui import workspace

    monkeypatch.setattr(workspace, "streamlit_secrets", lambda: {"KERAS_BACKEND": "jax"})
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    workspace.use_backend_secret()
    assert os.environ["KERAS_BACKEND"] == "jax"


@pytest.mark.slow
@pytest.mark.own_processes  # each side in a fresh process of its backend: once is enough
@pytest.mark.parametrize("trained_on, opened_on", [("tensorflow", "jax"), ("jax", "tensorflow")])
def test_a_run_trained_on_one_backend_opens_and_inspects_on_the_other(
    tmp_path, trained_on, opened_on
):
    store, trained, opened = tmp_path / "runs", tmp_path / "trained.json", tmp_path / "opened.json"
    run_on(trained_on, TRAIN, store, trained)
    run_on(opened_on, OPEN, store, trained, opened)
    there, here = json.loads(trained.read_text()), json.loads(opened.read_text())
    assert there["device"].startswith(backend.BACKENDS[trained_on])
    assert here["backend"] == opened_on
    np.testing.assert_allclose(here["predict"], there["predict"], atol=1e-5)
    for name in ("h", "returned"):  # per layer: (batch, timesteps, units), units differ
        assert len(here[name]) == len(there[name]) == 2
        for mine, theirs in zip(here[name], there[name], strict=True):
            np.testing.assert_allclose(np.array(mine), np.array(theirs), atol=1e-5)


# Appended to TRAIN and OPEN: TensorFlow, installed beside JAX as the default backend, stays
# unloaded in a JAX process (Keras' serializer would import it to save the model: about 400 MB
# of the app's memory on JAX; docs/performance.md, issue 14).
TENSORFLOW_UNLOADED = """
loaded = sorted(name for name in sys.modules if name.split(".")[0] == "tensorflow")
assert not loaded, f"TensorFlow was imported on JAX: {loaded[:5]}"
"""


@pytest.mark.slow
@pytest.mark.own_processes  # a fresh JAX process of its own, whichever pass runs it
def test_training_saving_and_inspecting_on_jax_never_import_tensorflow(tmp_path):
    store, trained, opened = tmp_path / "runs", tmp_path / "trained.json", tmp_path / "opened.json"
    run_on("jax", TRAIN + TENSORFLOW_UNLOADED, store, trained)
    assert (store / "models" / f"{json.loads(trained.read_text())['run_id']}.keras").exists()
    run_on("jax", OPEN + TENSORFLOW_UNLOADED, store, trained, opened)
