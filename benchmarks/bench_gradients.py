"""Gradient profile cost: one ``GradientProfiler`` call against one training step.

Issue target: the per-step gradient profile (``lstm_core.experiments.gradient_profile``: every
step's ``dL/dh_t``, and ``dL/dx_t``, from one backward pass) costs at most 3 times one training
step of the same model and batch. Measured on the reference setting's model and batch (32
units, 100 steps, batch 50, adding problem), per cell kind; each figure is the median of a few
calls after one warm-up call of each (the first call of both traces a TensorFlow graph). Both
run as compiled by default: Keras XLA-compiles the training step (``jit_compile="auto"``),
``GradientProfiler`` XLA-compiles the profile (``jit_compile=True``).

    python benchmarks/bench_gradients.py [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from benchmarks.common import median_time, row, run_cli  # noqa: E402
from lstm_core.experiments import REFERENCE, GradientProfiler, build_task_model  # noqa: E402
from lstm_core.experiments.tasks import adding_problem  # noqa: E402

TARGET_RATIO = 3.0


def measure(kind: str, repeats: int) -> dict:
    import keras

    x, y = adding_problem(REFERENCE.batch_size, REFERENCE.timesteps, seed=0)  # (50, 100, 2)
    model = build_task_model(REFERENCE, kind)
    model.compile(
        optimizer=keras.optimizers.Adam(REFERENCE.learning_rate, clipnorm=REFERENCE.clipnorm),
        loss="mse",
    )
    step_s = median_time(lambda: model.train_on_batch(x, y), repeats)
    profiler = GradientProfiler(model)
    profile_s = median_time(lambda: profiler(x, y), repeats)
    ratio = profile_s / step_s
    return row(
        f"gradient profile vs train step: {kind}, {REFERENCE.units} units, "
        f"{REFERENCE.timesteps} steps, batch {REFERENCE.batch_size}",
        f"{profile_s * 1000:.1f}ms vs {step_s * 1000:.1f}ms",
        ratio,
        f"<= {TARGET_RATIO:g}",
        ratio <= TARGET_RATIO,
    )


def main(quick: bool = False) -> list[dict]:
    repeats = 3 if quick else 7
    return [measure(kind, repeats) for kind in ("rnn", "lstm", "gru")]


if __name__ == "__main__":
    run_cli(main)
