"""The bundled datasets in ``sample_data/``, each with its source and natural defaults.

A user can pick one of these instead of uploading a file. Each ``Sample`` says what the data
shows, where it comes from, the spec it windows well with and the training settings it needs
(``sample_data/README.md`` lists the same files). ``lstm_core.experiment.make_experiment``
starts a sample's experiment from them, for the app and the command line alike. With the
default stack (``DEFAULT_LAYERS``) every sample's defaults train a model that beats its naive
yardstick on the test split: ``scripts/sample_defaults.py`` trains each as ``python -m
lstm_core train --sample NAME`` does and writes the proof to ``docs/sample-defaults.md``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lstm_core import data
from lstm_core.data import SequenceSpec, WindowSpec
from lstm_core.errors import DataError
from lstm_core.train.config import TrainConfig

if TYPE_CHECKING:
    import pandas as pd

# The training settings a sample brings with it (the rest stay as the user set them).
SAMPLE_TRAIN_FIELDS = ("epochs", "batch_size")
# Resolved from this file, not the working directory, so the app finds it wherever it starts.
SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
TSDL = "Time Series Data Library (Rob Hyndman)"


@dataclass(frozen=True)
class Sample:
    """One bundled dataset."""

    name: str  # key in SAMPLES, e.g. "airline"
    title: str  # short human title
    filename: str  # CSV file in sample_data/
    kind: str  # "series" (one table of time steps) | "sequences" (long format)
    description: str  # one line on what the data shows
    source: str  # where the data comes from
    spec: WindowSpec | SequenceSpec  # natural defaults for windowing this sample
    # training settings that beat the naive yardstick; loading the sample sets the
    # SAMPLE_TRAIN_FIELDS of them, so the others must stay TrainConfig's defaults
    train: TrainConfig = TrainConfig()

    @property
    def path(self) -> Path:
        """Absolute path of the CSV file."""
        return SAMPLE_DATA / self.filename


def _series(
    name: str,
    title: str,
    filename: str,
    description: str,
    source: str,
    train: TrainConfig | None = None,
    **spec: object,
) -> Sample:
    """A series sample whose natural defaults are ``WindowSpec(**spec)`` and ``train``."""
    spec = WindowSpec(**spec)
    return Sample(
        name, title, filename, "series", description, source, spec, train or TrainConfig()
    )


SAMPLES: dict[str, Sample] = {
    sample.name: sample
    for sample in (
        _series(
            "airline",
            "Airline passengers",
            "airline-passengers.csv",
            "Monthly international airline passengers (thousands), 1949-1960: a trend and "
            "a yearly season that grows with it.",
            f"{TSDL}, citing Box & Jenkins (1976).",
            features=("Passengers",),
            targets=("Passengers",),
            lookback=12,  # one year: a full season
            # The trend carries the test years far above the training range: changes stay in it.
            difference=True,
            # 88 training windows: a few batches per epoch, so many epochs of small batches.
            train=TrainConfig(epochs=150, batch_size=16),
        ),
        _series(
            "temperatures",
            "Melbourne daily minimum temperatures",
            "daily-min-temperatures.csv",
            "Daily minimum temperature in Melbourne, 1981-1990: a yearly cycle under much "
            "day-to-day noise.",
            f"{TSDL}, citing the Australian Bureau of Meteorology.",
            features=("Temp",),
            targets=("Temp",),
            lookback=30,
        ),
        _series(
            "sunspots",
            "Monthly sunspots",
            "monthly-sunspots.csv",
            "Zurich monthly sunspot numbers, 1749-1983: an irregular cycle of about 11 years.",
            f"{TSDL}, citing Andrews & Herzberg (1985).",
            features=("Sunspots",),
            targets=("Sunspots",),
            lookback=36,
            difference=True,  # month to month the count wanders: predict its change
        ),
        _series(
            "beijing_pm25",
            "Beijing PM2.5 and weather, 2010",
            "beijing-pm25-2010.csv",
            "Hourly PM2.5 at the US Embassy in Beijing with weather, 2010: multivariate and "
            "messy, with a text column (cbwd, wind direction) and missing values (NA).",
            "UCI Machine Learning Repository, Beijing PM2.5 Data Set (Song Xi Chen, Peking "
            "University); the first 8,760 rows (2010) of the full 2010-2014 file.",
            features=("pm2.5", "DEWP", "TEMP", "PRES", "Iws", "Is", "Ir"),
            targets=("pm2.5",),
            lookback=24,  # one day of hours
            # Carries the last reading over a gap: only the past, never the next known value
            # (interpolate would read it). The first day, with no value before it, is dropped.
            missing="ffill",
            difference=True,  # hour to hour the level wanders: predict its change
            season=24,  # hourly rows, though the date is split over year, month, day, hour
        ),
        _series(
            "sine",
            "Synthetic multivariate sines",
            "sine-multivariate.csv",
            "Two noisy sines and a response that follows the fast one 5 steps later: a "
            "lagged dependence a window of 20 steps can learn.",
            "Synthetic, seeded: scripts/make_sequence_sample.py.",
            features=("driver", "slow", "response"),
            targets=("response",),
            lookback=20,
        ),
        Sample(
            "shapes",
            "Sequence shapes (classification)",
            "sequences-shapes.csv",
            "sequences",
            "300 sequences of 20-60 steps that rise, fall or peak: the class lies in the "
            "order of the steps, not their mean, so padding and masking matter.",
            "Synthetic, seeded: scripts/make_sequence_sample.py.",
            SequenceSpec(
                id_column="sequence_id",
                features=("signal", "noise", "walk"),
                target="label",
                step_column="step",
            ),
            # 210 training sequences: 20 epochs of 64 stay at chance, 60 of 16 learn the shapes.
            TrainConfig(epochs=60, batch_size=16),
        ),
    )
}


def default_settings(name: str) -> dict:
    """Everything a fresh session trains sample ``name`` with: windowing, layers, training."""
    from lstm_core.model import DEFAULT_LAYERS

    sample = SAMPLES[name]
    return {
        "window": sample.spec.to_dict(),
        "layers": DEFAULT_LAYERS,
        "train": sample.train.to_dict(),
    }


def settings_digest(name: str) -> str:
    """A short fingerprint of ``default_settings(name)``: it changes when a default does."""
    text = json.dumps(default_settings(name), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def sample_names() -> list[str]:
    """The names of the bundled samples, in catalogue order."""
    return list(SAMPLES)


def get_sample(name: str) -> Sample:
    """The sample ``name``; raises ``DataError`` for an unknown name, listing the known ones."""
    if name not in SAMPLES:
        raise DataError(f"No sample named {name!r}; the samples are: {', '.join(SAMPLES)}.")
    return SAMPLES[name]


def load_sample(name: str) -> pd.DataFrame:
    """Load a bundled sample through ``load_csv``; raises ``DataError`` for an unknown name."""
    return data.load_csv(get_sample(name).path)  # imports pandas on first use
