"""The large model on a GPU against the same machine's CPU, where TensorFlow sees a GPU.

Issue target: on a machine with a GPU, the large-model benchmark's row with the device and
its ratio against the CPU. The engine trains the large case of ``bench_training`` (the same
model, data, epochs and seed) in a fresh process with the GPU, then in one with the GPU
hidden (``CUDA_VISIBLE_DEVICES=-1``); the ratio is CPU seconds over GPU seconds. Where
TensorFlow sees no GPU, the row says so and nothing is trained.

    python benchmarks/bench_gpu.py [--quick]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from benchmarks.common import REPO, not_measured, row, run_cli  # noqa: E402

TARGET = "GPU: large-model training on a GPU against this machine's CPU"
CHILD = "--child"  # the argument of the process that trains


def train_here(on_cpu: bool) -> dict:
    """Train the large case once with the engine here; ``{"device", "seconds"}``, or only
    ``{"device"}`` when TensorFlow sees no GPU and ``on_cpu`` is False."""
    from benchmarks.bench_training import CASES, engine_fit, windows_for
    from lstm_core.backend import has_gpu
    from lstm_core.model import ModelSpec, parse_layers

    if not has_gpu() and not on_cpu:
        return {"device": "CPU"}
    case = CASES["large"]
    spec = ModelSpec(layers=parse_layers(case.layers), outputs=1)
    seconds, _, _, _ = engine_fit(case, spec, windows_for(case))
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    details = tf.config.experimental.get_device_details(gpus[0]) if gpus else {}
    return {"device": details.get("device_name", "GPU") if gpus else "CPU", "seconds": seconds}


def child(env: dict[str, str], *extra: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_gpu", CHILD, *extra],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the training process failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(quick: bool = False) -> list[dict]:
    gpu = child(dict(os.environ))
    if "seconds" not in gpu:
        return [not_measured(TARGET, "TensorFlow sees no GPU on this machine")]
    cpu = child({**os.environ, "CUDA_VISIBLE_DEVICES": "-1"}, "--cpu")
    return [
        row(
            f"{TARGET} ({gpu['device']})",
            f"GPU {gpu['seconds']:.1f}s, CPU {cpu['seconds']:.1f}s",
            cpu["seconds"] / gpu["seconds"],
            "reported (CPU / GPU)",
            None,
        )
    ]


if __name__ == "__main__":
    if CHILD in sys.argv:
        print(json.dumps(train_here(on_cpu="--cpu" in sys.argv)))
    else:
        run_cli(main)
