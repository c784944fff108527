"""The training engine against plain Keras on TensorFlow and on JAX, and PyTorch's nn.LSTM.

Issue 14's targets (2-core CPU), every contender training the same model on the same data
with the same batch size, each in a fresh process, one after the other in this run:

- demo model (2 LSTM layers of 32 units, 50 steps, 1 feature, 4096 samples, batch 64), a
  whole 20-epoch fit (build and compile included): the engine (``TrainingJob``, polled once
  a second as the dashboard does) on TensorFlow at least 2 times faster than plain
  ``model.fit`` on TensorFlow, and on JAX at least 3 times faster; its progress moves at
  every one-second poll;
- large model (2 LSTM layers of 128 units, 100 steps, 8 features, 2048 samples, batch 256),
  the steady-state epoch (the fastest of the epochs after the first, validation included:
  on a shared machine the epoch least disturbed by others; the median is printed beside):
  the engine no slower than plain ``fit`` on the same backend, and, on the faster of the two
  backends, no slower than PyTorch's ``nn.LSTM`` in a plain training loop.

The contenders:

- ``keras-tf`` / ``keras-jax``: ``model.fit(x, y, validation_data=...)`` as a user writes it,
  Keras' defaults (``KERAS_BACKEND=tensorflow`` / ``jax``);
- ``engine-tf`` / ``engine-jax``: ``TrainingJob`` with the same optimizer and no clipping;
- ``torch``: ``nn.LSTM(num_layers=2)`` and a linear head on the last step, Adam, a shuffled
  ``DataLoader``-free loop over index permutations, validation under ``no_grad`` every epoch.
  PyTorch is a benchmark-only dependency: without it the row says so.

Epoch times are the gaps between successive epoch ends. Model FLOPs are counted analytically
(``lstm_core.train.speed``) for the achieved GFLOP/s, reported against a NumPy matmul peak.

    python benchmarks/bench_training.py [--quick]    # --quick: fewer epochs
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from benchmarks.common import REPO, not_measured, row, run_cli, timed  # noqa: E402

POLL_S = 1.0  # the dashboard reads the job's progress once a second
MATMUL_N = 4096
CHILD = "--contender"
CONTENDERS = {  # name -> KERAS_BACKEND of its process
    "keras-tf": "tensorflow",
    "engine-tf": "tensorflow",
    "keras-jax": "jax",
    "engine-jax": "jax",
    "torch": "tensorflow",  # imports no Keras; the variable only keeps lstm_core's default
}


@dataclass(frozen=True)
class Case:
    name: str  # "demo" or "large", as the issue calls them
    layers: str  # the stack, in parse_layers' notation
    timesteps: int  # steps per sample
    features: int  # inputs per step
    train_samples: int  # samples trained on per epoch
    val_samples: int  # samples validated on after each epoch
    batch_size: int  # samples per batch, every contender
    epochs: int  # epochs of a whole fit


CASES = {
    # 20 epochs: TrainConfig's default, what the dashboard trains.
    "demo": Case("demo", "lstm:32:seq,lstm:32", 50, 1, 4096, 512, 64, 20),
    "large": Case("large", "lstm:128:seq,lstm:128", 100, 8, 2048, 256, 256, 6),
}


def matmul_peak_gflops(repeats: int = 5) -> float:
    """float32 GFLOP/s of a 4096x4096 NumPy matrix product, the best of a few."""
    a = np.random.default_rng(0).standard_normal((MATMUL_N, MATMUL_N), dtype=np.float32)
    a @ a  # warm up the BLAS threads
    best = min(timed(lambda: a @ a) for _ in range(repeats))
    return 2 * MATMUL_N**3 / best / 1e9


def arrays_for(case: Case) -> tuple[np.ndarray, ...]:
    """Random inputs and a target that depends on them: ``x_train, y_train, x_val, y_val``,
    x ``(samples, timesteps, features)``, y ``(samples, 1)``, float32."""
    rng = np.random.default_rng(0)
    samples = case.train_samples + case.val_samples
    x = rng.standard_normal((samples, case.timesteps, case.features), dtype=np.float32)
    y = x[:, -5:, :1].mean(axis=1)  # (samples, 1)
    n = case.train_samples
    return x[:n], y[:n], x[n:], y[n:]


def windows_for(case: Case):
    """``arrays_for(case)`` in the engine's ``Windows``, with an empty test split."""
    from lstm_core.data import Scaler, Windows

    x, y, x_val, y_val = arrays_for(case)
    return Windows(
        x_train=x, y_train=y, x_val=x_val, y_val=y_val, x_test=x[:0], y_test=y[:0],
        feature_names=tuple(f"f{i}" for i in range(case.features)), target_names=("y",),
        horizon=1, task="regression",
        feature_scaler=Scaler.fit("none", x[:1, 0]), target_scaler=Scaler.fit("none", y[:1]),
    )  # fmt: skip


def spec_for(case: Case):
    from lstm_core.model import ModelSpec, parse_layers

    return ModelSpec(layers=parse_layers(case.layers), outputs=1)


# --- the contenders, each run in its own process -------------------------------------------


def keras_fit(case: Case) -> dict:
    """Plain ``model.fit`` on arrays: the whole fit's seconds and each epoch's end."""
    import keras

    from lstm_core.model import build_model

    x, y, x_val, y_val = arrays_for(case)
    ends = []
    start = time.perf_counter()
    model = build_model(spec_for(case), case.timesteps, case.features, seed=0)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(
        x, y, batch_size=case.batch_size, epochs=case.epochs, validation_data=(x_val, y_val),
        verbose=0,
        callbacks=[keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: ends.append(time.perf_counter())
        )],
    )  # fmt: skip
    return {"total_s": time.perf_counter() - start, "epoch_ends": [e - start for e in ends]}


def engine_fit(case: Case) -> dict:
    """``TrainingJob`` from start to end, looked at once a second as the dashboard does: the
    whole fit's seconds, each epoch's end (stamped where the job records the epoch), and how
    many of the polls after the first epoch saw no progress.

    The epochs are timed by a recorder that keeps nothing (as plain ``fit`` keeps nothing),
    not by looking more often: a thread that woke every 0.1 s to look made the large model's
    epochs on JAX 5 to 10 % slower (it takes the GIL from the training thread), which the
    dashboard's one look a second does not."""
    # engine: Keras and its backend imported before the clock starts, as on the other sides
    from lstm_core.train import TrainConfig, TrainingJob, engine  # noqa: F401

    ends = []

    class EpochClock:  # the calls TrainingJob makes to its RunRecorder
        def start(self, *_):
            return None

        def epoch(self, epoch: int, record: dict) -> None:
            ends.append(time.perf_counter() - start)

        def beat(self, *_):
            pass

        model = diagnosis = finish = beat

    config = TrainConfig(epochs=case.epochs, batch_size=case.batch_size, clipnorm=None)
    start = time.perf_counter()
    job = TrainingJob(windows_for(case), spec_for(case), config, recorder=EpochClock()).start()
    polls, stale = 0, 0
    polled = job.snapshot()
    while not (snapshot := job.wait(POLL_S)).done:  # what the dashboard sees, once a second
        if len(polled.history) > 0:
            polls += 1
            stale += snapshot.steps_done <= polled.steps_done and len(snapshot.history) <= len(
                polled.history
            )
        polled = snapshot
    total = time.perf_counter() - start
    if snapshot.status != "finished":
        raise RuntimeError(f"the training job ended {snapshot.status}: {snapshot.error}")
    return {
        "total_s": total, "epoch_ends": ends, "polls": polls, "stale": stale,
        "device": snapshot.device,
    }  # fmt: skip


def torch_fit(case: Case) -> dict:
    """PyTorch's ``nn.LSTM`` in the training loop a PyTorch user writes."""
    import torch

    torch.manual_seed(0)
    x, y, x_val, y_val = (torch.from_numpy(a) for a in arrays_for(case))
    units = spec_for(case).layers[0].units
    layers = len(spec_for(case).layers)
    start = time.perf_counter()

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(case.features, units, num_layers=layers, batch_first=True)
            self.head = torch.nn.Linear(units, 1)

        def forward(self, batch):  # (batch, timesteps, features) -> (batch, 1)
            sequence, _ = self.lstm(batch)  # (batch, timesteps, units)
            return self.head(sequence[:, -1])

    net = Net()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    generator = torch.Generator().manual_seed(0)
    ends = []
    for _ in range(case.epochs):
        net.train()
        for rows in torch.randperm(len(x), generator=generator).split(case.batch_size):
            optimizer.zero_grad()
            loss = loss_fn(net(x[rows]), y[rows])
            loss.backward()
            optimizer.step()
        net.eval()
        with torch.no_grad():
            for index in range(0, len(x_val), case.batch_size):
                rows = slice(index, index + case.batch_size)
                loss_fn(net(x_val[rows]), y_val[rows])
        ends.append(time.perf_counter() - start)
    return {"total_s": time.perf_counter() - start, "epoch_ends": ends}


FITS = {
    "keras-tf": keras_fit,
    "engine-tf": engine_fit,
    "keras-jax": keras_fit,
    "engine-jax": engine_fit,
    "torch": torch_fit,
}


def run_contender(name: str, case: Case) -> dict:
    """``FITS[name]`` on ``case`` in a fresh process with its ``KERAS_BACKEND``."""
    env = {**os.environ, "KERAS_BACKEND": CONTENDERS[name]}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_training", CHILD, name, json.dumps(
            dataclasses.asdict(case))],
        cwd=REPO, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["epoch_s"], result["epoch_median_s"] = steady_epoch(result["epoch_ends"])
    return result


def steady_epoch(ends: list[float]) -> tuple[float, float]:
    """The fastest and the median of the epochs after the first, from the epochs' end times."""
    steady = [b - a for a, b in zip(ends, ends[1:], strict=False)]
    return min(steady), statistics.median(steady)


# --- the table -----------------------------------------------------------------------------


def demo_rows(case: Case, results: dict) -> list[dict]:
    plain = results["keras-tf"]["total_s"]
    rows = []
    for name, goal in (("engine-tf", 2.0), ("engine-jax", 3.0)):
        if name not in results:
            continue
        ratio = plain / results[name]["total_s"]
        rows.append(
            row(
                f"demo, whole {case.epochs}-epoch fit: {name} vs plain fit on TensorFlow",
                f"{name} {results[name]['total_s']:.1f}s, keras-tf {plain:.1f}s",
                ratio,
                f">= {goal} (keras-tf / {name})",
                ratio >= goal,
            )
        )
        polls, stale = results[name]["polls"], results[name]["stale"]
        rows.append(
            row(
                f"demo: {name} progress moved at every 1 s poll, after epoch 1",
                f"{polls - stale} of {polls} polls",
                (polls - stale) / polls if polls else None,
                "every poll",
                polls > 0 and stale == 0,
            )
        )
    return rows


def large_rows(case: Case, results: dict) -> list[dict]:
    rows = []
    for engine, plain in (("engine-tf", "keras-tf"), ("engine-jax", "keras-jax")):
        ratio = results[engine]["epoch_s"] / results[plain]["epoch_s"]
        rows.append(
            row(
                f"large, steady-state epoch: {engine} vs {plain}",
                f"{engine} {results[engine]['epoch_s']:.2f}s, {plain} "
                f"{results[plain]['epoch_s']:.2f}s (fastest steady epoch; medians "
                f"{results[engine]['epoch_median_s']:.2f}s, {results[plain]['epoch_median_s']:.2f}s)",
                ratio,
                f"<= 1.0 ({engine} / {plain})",
                ratio <= 1.0,
            )
        )
    faster = min(("engine-tf", "engine-jax"), key=lambda name: results[name]["epoch_s"])
    target = "large, steady-state epoch: the engine on its faster backend vs PyTorch nn.LSTM"
    if "torch" not in results:
        rows.append(not_measured(target, "PyTorch is not installed", "<= 1.0"))
    else:
        ratio = results[faster]["epoch_s"] / results["torch"]["epoch_s"]
        rows.append(
            row(
                target,
                f"{faster} {results[faster]['epoch_s']:.2f}s, torch "
                f"{results['torch']['epoch_s']:.2f}s (fastest steady epoch; medians "
                f"{results[faster]['epoch_median_s']:.2f}s, {results['torch']['epoch_median_s']:.2f}s)",
                ratio,
                f"<= 1.0 ({faster} / torch)",
                ratio <= 1.0,
            )
        )
    return rows


def contenders_row(case: Case, results: dict, peak_gflops: float) -> dict:
    """Every contender's whole fit and steady-state epoch, and the best GFLOP/s."""
    from lstm_core.train import forward_flops, training_flops

    spec = spec_for(case)
    flops = training_flops(
        spec, case.timesteps, case.features, case.train_samples
    ) + case.val_samples * forward_flops(spec, case.timesteps, case.features)
    figures = ", ".join(
        f"{name} {r['total_s']:.1f}s / {r['epoch_s']:.2f}s" for name, r in results.items()
    )
    best = min(results, key=lambda name: results[name]["epoch_s"])
    gflops = flops / results[best]["epoch_s"] / 1e9
    return row(
        f"{case.name}: {case.layers}, {case.timesteps} steps, {case.features} features, "
        f"{case.train_samples} samples, batch {case.batch_size}: whole {case.epochs}-epoch fit "
        "/ steady-state epoch, and the fastest epoch's GFLOP/s as a fraction of the peak",
        f"{figures}; {best} {gflops:.1f} GFLOP/s, peak {peak_gflops:.1f}",
        gflops / peak_gflops,
        "reported",
        None,
    )


def main(quick: bool = False) -> list[dict]:
    peak = matmul_peak_gflops()
    rows = [
        row(f"NumPy {MATMUL_N}x{MATMUL_N} float32 matmul peak", f"{peak:.1f} GFLOP/s", None,
            "reference", None)
    ]  # fmt: skip
    has_torch = importlib.util.find_spec("torch") is not None
    for case in CASES.values():
        if quick:
            case = dataclasses.replace(case, epochs=3)
        results = {
            name: run_contender(name, case) for name in CONTENDERS if name != "torch" or has_torch
        }
        rows.append(contenders_row(case, results, peak))
        rows += demo_rows(case, results) if case.name == "demo" else large_rows(case, results)
    return rows


if __name__ == "__main__":
    if CHILD in sys.argv:
        name, case = sys.argv[2], Case(**json.loads(sys.argv[3]))
        print(json.dumps(FITS[name](case)))
    else:
        run_cli(main)
