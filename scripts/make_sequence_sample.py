"""Generate LSTM Lab's two synthetic samples, deterministically from a seed.

- ``sine-multivariate.csv``: a series table of 2,000 steps. ``driver`` is a noisy sine of period
  40, ``slow`` a noisy sine of period 400, and ``response = 0.8 * driver(t - 5) + slow + noise``:
  predicting ``response`` pays off once a window reaches 5 steps back into ``driver``.
- ``sequences-shapes.csv``: a long-format classification set of 300 sequences (100 per class)
  of 20 to 60 steps. The ``signal`` feature rises, falls, or rises then falls ("peak"), with a
  random offset, amplitude and noise; ``noise`` (white noise) and ``walk`` (a random walk) carry
  no information. The three shapes take the same values in a different order, so the class
  cannot be told from the mean or the spread of ``signal``, only from the order of its steps,
  which is what a recurrent network reads.

Run ``python scripts/make_sequence_sample.py`` to rewrite both files in ``sample_data/``;
``tests/test_samples.py`` checks that the committed files are what this script makes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 0
SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
FLOAT_FORMAT = "%.4f"
CLASSES = ("rising", "falling", "peak")


def sine_series(seed: int = SEED, steps: int = 2_000) -> pd.DataFrame:
    """The multivariate sine-with-noise series, `(steps, 4)`: step, driver, slow, response."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    lag = 5  # steps from a change in driver to its effect on response

    def driver_at(u: np.ndarray) -> np.ndarray:
        return np.sin(2 * np.pi * u / 40)

    driver = driver_at(t) + 0.1 * rng.standard_normal(steps)
    slow = 0.5 * np.sin(2 * np.pi * t / 400) + 0.05 * rng.standard_normal(steps)
    response = 0.8 * driver_at(t - lag) + slow + 0.1 * rng.standard_normal(steps)
    return pd.DataFrame({"step": t, "driver": driver, "slow": slow, "response": response})


def shape_sequences(seed: int = SEED, per_class: int = 100) -> pd.DataFrame:
    """The long-format set: one row per step, columns sequence_id, step, signal, noise, walk, label."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(len(CLASSES)), per_class))  # (sequences,)
    frames = []
    for sequence_id, label in enumerate(labels, start=1):
        length = int(rng.integers(20, 61))
        u = np.linspace(0.0, 1.0, length)
        # All three shapes spread evenly over [0, 1]: same mean and spread, different order.
        pattern = (u, 1.0 - u, 1.0 - np.abs(2.0 * u - 1.0))[label]
        offset, amplitude = rng.normal(0.0, 1.0), rng.uniform(0.5, 1.5)
        signal = offset + amplitude * pattern + 0.15 * rng.standard_normal(length)
        frames.append(
            pd.DataFrame(
                {
                    "sequence_id": sequence_id,
                    "step": np.arange(length),
                    "signal": signal,
                    "noise": rng.standard_normal(length),
                    "walk": np.cumsum(0.1 * rng.standard_normal(length)),
                    "label": CLASSES[label],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def write_samples(folder: Path = SAMPLE_DATA) -> list[Path]:
    """Write both samples into ``folder``; returns their paths."""
    paths = []
    for name, frame in (
        ("sine-multivariate.csv", sine_series()),
        ("sequences-shapes.csv", shape_sequences()),
    ):
        path = Path(folder) / name
        frame.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_samples(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE_DATA):
        print(f"wrote {written}")
