"""The breaking-length reference: the longest adding problem each cell kind learns.

The adding problem (Hochreiter & Schmidhuber 1997) at several lengths, SimpleRNN, GRU and LSTM,
several seeds, as one sweep; a length counts as solved when the median validation MSE over
seeds is below 0.05 (``aggregate.SOLVED_LOSS``). Le, Jaitly & Hinton (2015) and Arjovsky,
Shah & Bengio (2016) report a tanh RNN failing from about 100 steps on while an LSTM goes
further.

``scripts/breaking_length.py`` runs it and writes ``breaking_length.json`` beside this module,
shipped with the package, so that the Vanishing page draws the answer at once.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from lstm_core.experiments.config import CompareConfig
from lstm_core.sweeps.spec import KIND_AXIS, SweepSpec

SHIPPED = Path(__file__).with_name("breaking_length.json")
KINDS = ("rnn", "gru", "lstm")
# The base of every trial: QUICK's optimiser settings (Adam 0.01, batch 32, clipnorm 1.0),
# which learn the 50-step problem in 8 epochs, with a few more epochs for the longer lengths.
BASE = CompareConfig(
    task="adding", units=32, n_train=3000, n_val=500, batch_size=32, learning_rate=0.01, epochs=15
)
# The full size, and the size shipped: its five seeds, lengths up to 200 steps (60
# trials, 20 minutes on 2 cores).
FULL_LENGTHS, FULL_SEEDS = (25, 50, 100, 200, 400), (0, 1, 2, 3, 4)
SHIPPED_LENGTHS, SHIPPED_SEEDS = (25, 50, 100, 200), (0, 1, 2, 3, 4)


def breaking_spec(
    lengths: tuple[int, ...] = SHIPPED_LENGTHS,
    kinds: tuple[str, ...] = KINDS,
    seeds: tuple[int, ...] = SHIPPED_SEEDS,
    base: CompareConfig = BASE,
) -> SweepSpec:
    """The sweep over ``kind`` and ``timesteps`` (the adding problem's length)."""
    return SweepSpec(
        base=base,
        axes=((KIND_AXIS, tuple(kinds)), ("timesteps", tuple(lengths))),
        seeds=tuple(seeds),
        name="breaking length",
    )


def load_shipped(path: Path = SHIPPED) -> dict | None:
    """The shipped result (``scripts/breaking_length.py``'s JSON), or None if there is none."""
    if not path.exists():
        return None
    return json.loads(path.read_text())


def point_config(shipped: dict, kind: str, timesteps: int, seed: int) -> CompareConfig:
    """The settings of one point of the shipped result, to train it again live."""
    base = CompareConfig.from_dict(shipped["spec"]["base"])
    return dataclasses.replace(base, kinds=(kind,), timesteps=timesteps, seed=seed)
