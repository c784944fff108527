"""The large model trained by the engine with Keras on JAX, on a GPU against the same machine's
CPU, and the fraction of the GPU's peak it reaches.

Issue 14's target, where a GPU is lent: the engine trains the large case of
``bench_training`` (same model, data and batch) with ``KERAS_BACKEND=jax`` in a fresh process
on the GPU, then in one with JAX kept to the CPU (``JAX_PLATFORMS=cpu``). It reports the ratio
of their steady-state epochs (CPU / GPU), and the GPU's achieved training GFLOP/s (counted
analytically) as a fraction of a float32 matrix product's GFLOP/s on the same GPU. JAX is used
because a GPU machine may have no TensorFlow: the engine needs only Keras and JAX there.
Where JAX sees no GPU, the row says so and nothing is trained.

    python benchmarks/bench_gpu.py [--quick]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from benchmarks.common import REPO, not_measured, row, run_cli, timed  # noqa: E402

TARGET = "GPU: large-model training (engine, Keras on JAX) on a GPU against this machine's CPU"
CHILD = "--child"  # the argument of the process that trains
MATMUL_N = 8192


def matmul_peak_gflops() -> float:
    """float32 GFLOP/s of an ``MATMUL_N`` square matrix product on JAX's default device."""
    import jax
    import jax.numpy as jnp

    a = jax.random.normal(jax.random.key(0), (MATMUL_N, MATMUL_N), jnp.float32)
    product = jax.jit(lambda m: m @ m)
    product(a).block_until_ready()  # compile
    best = min(timed(lambda: product(a).block_until_ready()) for _ in range(5))
    return 2 * MATMUL_N**3 / best / 1e9


def train_here(on_cpu: bool) -> dict:
    """Train the large case once with the engine here: ``{"device", "epoch_s", "gflops",
    "peak_gflops"}``, or only ``{"device"}`` when JAX sees no GPU and ``on_cpu`` is False."""
    from benchmarks.bench_training import CASES, engine_fit, spec_for
    from lstm_core import backend
    from lstm_core.train import forward_flops, training_flops

    if not backend.has_gpu() and not on_cpu:
        return {"device": backend.device_line()}
    case = CASES["large"]
    result = engine_fit(case)
    ends = result["epoch_ends"]
    epoch_s = min(b - a for a, b in zip(ends, ends[1:], strict=False))
    spec = spec_for(case)
    flops = training_flops(
        spec, case.timesteps, case.features, case.train_samples
    ) + case.val_samples * forward_flops(spec, case.timesteps, case.features)
    return {
        "device": result["device"],
        "epoch_s": epoch_s,
        "gflops": flops / epoch_s / 1e9,
        "peak_gflops": matmul_peak_gflops(),
    }


def child(env: dict[str, str], *extra: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_gpu", CHILD, *extra],
        cwd=REPO,
        env={**env, "KERAS_BACKEND": "jax"},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the training process failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(quick: bool = False) -> list[dict]:
    gpu = child(dict(os.environ))
    if "epoch_s" not in gpu:
        return [not_measured(TARGET, f"JAX sees no GPU on this machine ({gpu['device']})")]
    cpu = child({**os.environ, "JAX_PLATFORMS": "cpu"}, "--cpu")
    return [
        row(
            f"{TARGET} ({gpu['device']})",
            f"steady-state epoch: GPU {gpu['epoch_s']:.3f}s, CPU {cpu['epoch_s']:.2f}s",
            cpu["epoch_s"] / gpu["epoch_s"],
            "reported (CPU / GPU)",
            None,
        ),
        row(
            f"GPU: achieved training GFLOP/s as a fraction of the GPU's matmul peak "
            f"({gpu['device']})",
            f"{gpu['gflops']:.1f} GFLOP/s, peak {gpu['peak_gflops']:.0f} GFLOP/s",
            gpu["gflops"] / gpu["peak_gflops"],
            "reported",
            None,
        ),
    ]


if __name__ == "__main__":
    if CHILD in sys.argv:
        print(json.dumps(train_here(on_cpu="--cpu" in sys.argv)))
    else:
        run_cli(main)
