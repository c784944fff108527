"""Trace speed: a 128-unit, 500-step trace of one sample against ``model.predict`` on 64.

Issue target: ``lstm_core.inspect.trace`` of one LSTM layer (128 units) over one 500-step sample
takes less than one ``model.predict`` call on a batch of 64 samples of the same data. Each
figure is the median of a few calls, after one warm-up call of each.

    python benchmarks/bench_trace.py [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from benchmarks.common import median_time, row, run_cli  # noqa: E402
from lstm_core.inspect import trace  # noqa: E402
from lstm_core.model import ModelSpec, build_model, parse_layers  # noqa: E402

UNITS = 128
TIMESTEPS = 500
FEATURES = 4
BATCH = 64


def main(quick: bool = False) -> list[dict]:
    repeats = 2 if quick else 5
    spec = ModelSpec(parse_layers(f"lstm:{UNITS}"), outputs=1)
    model = build_model(spec, TIMESTEPS, FEATURES, seed=0)
    x = np.random.default_rng(0).normal(size=(BATCH, TIMESTEPS, FEATURES)).astype("float32")
    predict_s = median_time(lambda: model.predict(x, batch_size=BATCH, verbose=0), repeats)
    trace_s = median_time(lambda: trace(model, x[:1], layer=1), repeats)  # (1, 500, 4)
    ratio = trace_s / predict_s
    return [
        row(
            f"trace of 1 x {TIMESTEPS} steps, {UNITS} units vs predict on {BATCH}",
            f"{trace_s:.3f}s vs {predict_s:.3f}s",
            ratio,
            "< 1",
            ratio < 1,
        )
    ]


if __name__ == "__main__":
    run_cli(main)
