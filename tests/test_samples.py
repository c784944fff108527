import dataclasses

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import SequenceSpec, WindowSpec, make_sequence_windows, make_windows
from lstm_core.errors import DataError
from lstm_core.samples import (
    SAMPLE_DATA,
    SAMPLE_TRAIN_FIELDS,
    SAMPLES,
    load_sample,
    sample_names,
    settings_digest,
)
from lstm_core.train import TrainConfig
from scripts.make_sequence_sample import CLASSES, write_samples

# name: (rows, date column, (train, val, test) samples, timesteps, features, n_outputs)
EXPECTED = {
    # differenced: 143 changes, val = test = round(0.15 * 143) = 21, train 101 - 12 = 89
    "airline": (144, "Month", (89, 21, 21), 12, 1, 1),
    "temperatures": (3650, "Date", (2524, 548, 548), 30, 1, 1),
    "sunspots": (2820, "Month", (1937, 423, 423), 36, 1, 1),  # differenced: 2819 rows
    # 8760 rows, the first 24 (no pm2.5 yet) dropped by "ffill", 1 by differencing: 8735 =
    # 6115 + 1310 * 2; of the validation and test windows, those whose target was filled in
    # (292 and 2) are left out
    "beijing_pm25": (8760, None, (6091, 1018, 1308), 24, 7, 1),
    "sine": (2000, None, (1380, 300, 300), 20, 3, 1),
    # 300 sequences, padded to the longest (60 steps), 3 classes
    "shapes": (12217, None, (210, 45, 45), 60, 3, 3),
}


def test_catalogue_lists_every_expected_sample():
    assert sample_names() == list(SAMPLES) == list(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_sample_loads_and_windows_with_its_defaults(name):
    rows, date, counts, timesteps, features, outputs = EXPECTED[name]
    sample = SAMPLES[name]
    df = load_sample(name)
    assert len(df) == rows and df.attrs["date_column"] == date
    if sample.kind == "series":
        assert isinstance(sample.spec, WindowSpec)
        w = make_windows(df, sample.spec)
    else:
        assert sample.kind == "sequences" and isinstance(sample.spec, SequenceSpec)
        w = make_sequence_windows(df, sample.spec)
    for split, count in zip(("train", "val", "test"), counts, strict=True):
        assert getattr(w, f"x_{split}").shape == (count, timesteps, features)
        assert getattr(w, f"y_{split}").shape == (count, 1)
        assert np.isfinite(getattr(w, f"x_{split}")).all()
    assert w.n_outputs == outputs


def test_every_sample_is_described_in_the_readme_with_its_source():
    readme = (SAMPLE_DATA / "README.md").read_text()
    for sample in SAMPLES.values():
        assert sample.path.is_file()
        assert f"`{sample.filename}`" in readme and f"`{sample.name}`" in readme
        assert sample.title and sample.description and sample.source


def test_sample_folder_stays_under_5_mb():
    assert sum(p.stat().st_size for p in SAMPLE_DATA.iterdir()) < 5 * 2**20


def test_unknown_sample_lists_the_known_ones():
    with pytest.raises(DataError, match="No sample named 'stocks'; the samples are: airline, "):
        load_sample("stocks")


def test_samples_load_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(load_sample("airline")) == 144


def test_script_rewrites_the_synthetic_samples_exactly(tmp_path):
    for written in write_samples(tmp_path):
        assert written.read_bytes() == (SAMPLE_DATA / written.name).read_bytes()


def test_shapes_classes_differ_in_the_order_of_steps():
    df = load_sample("shapes")
    lengths = df.groupby("sequence_id").size()
    assert lengths.between(20, 60).all()
    labels = df.groupby("sequence_id")["label"].first()
    assert labels.value_counts().to_dict() == dict.fromkeys(CLASSES, 100)
    # Mean of the signal over the first, middle and last third of each sequence, per class.
    third = (df["step"] * 3 // df["sequence_id"].map(lengths)).rename("third")
    profile = df.groupby(["label", third])["signal"].mean().unstack()
    rising, falling, peak = (profile.loc[c].to_numpy() for c in CLASSES)
    assert rising[0] < rising[1] < rising[2]
    assert falling[0] > falling[1] > falling[2]
    assert peak[1] > max(peak[0], peak[2])


def test_loading_and_windowing_import_neither_tensorflow_nor_keras():
    import subprocess
    import sys

    code = (
        "import sys; from lstm_core.samples import SAMPLES, load_sample; "
        "from lstm_core.data import make_windows; "
        "make_windows(load_sample('airline'), SAMPLES['airline'].spec); "
        "print(sorted({'tensorflow', 'keras'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=SAMPLE_DATA.parent,
    )
    assert result.stdout.strip() == "[]"


DEFAULTS_TABLE = SAMPLE_DATA.parent / "docs" / "sample-defaults.md"


def test_the_sample_defaults_table_is_current():
    """docs/sample-defaults.md is written by scripts/sample_defaults.py, which trains each
    sample with its defaults; a default changed since makes its fingerprint stale. (Whether
    its scores are right is the next two tests' question, not the table's.)"""
    rows = {}
    for line in DEFAULTS_TABLE.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) > 5 and cells[0] in SAMPLES:
            rows[cells[0]] = cells
    assert set(rows) == set(SAMPLES), "run scripts/sample_defaults.py: a sample has no row"
    for name, cells in rows.items():
        assert cells[1] == f"`{settings_digest(name)}`", (
            f"{name}'s defaults changed after docs/sample-defaults.md was written; run "
            "python scripts/sample_defaults.py"
        )


def test_the_table_scores_a_sample_as_numpy_does_from_the_raw_file(tmp_path):
    """The script's path (``train --sample airline --json``), one epoch: the test RMSE, the
    naive RMSE and the skill are what NumPy computes from the CSV and the saved model."""
    import keras

    from scripts.sample_defaults import row, run_sample

    report = run_sample("airline", "--epochs", "1", store=str(tmp_path))
    assert (report["epochs"], report["batch_size"]) == (1, 16)  # 16: the sample's own
    assert report["layers"] == "lstm:32:seq,lstm:16"  # the app's default stack
    levels = pd.read_csv(SAMPLE_DATA / "airline-passengers.csv")["Passengers"].to_numpy(float)
    changes = np.diff(levels)  # (143,): changes[r] = levels[r + 1] - levels[r]
    n_train, n_test, lookback = 101, 21, 12  # 143 rows: 15 % (21) validation, 15 % test
    low, high = changes[:n_train].min(), changes[:n_train].max()  # inputs' min-max
    scaled = (changes - low) / (high - low)
    rows = np.arange(len(changes) - n_test, len(changes))  # the test windows' target rows
    x = np.stack([scaled[r - lookback : r] for r in rows])[..., None]  # (21, 12, 1)
    # The targets are changes too, min-max scaled on the training windows' targets.
    low, high = changes[lookback:n_train].min(), changes[lookback:n_train].max()
    model = keras.saving.load_model(report["model_path"])
    change = model.predict(x, verbose=0)[:, 0] * (high - low) + low  # (21,)
    truth, last = levels[rows + 1], levels[rows]
    rmse = np.sqrt(np.mean((last + change - truth) ** 2))
    naive = np.sqrt(np.mean((last - truth) ** 2))  # repeat the last value
    metrics = report["test_metrics"]
    assert metrics["rmse"] == pytest.approx(rmse, rel=1e-4)
    assert metrics["baselines"]["naive"]["rmse"] == pytest.approx(naive, rel=1e-9)
    assert metrics["skill_vs_naive"] == pytest.approx(1 - rmse / naive, rel=1e-4, abs=1e-6)
    beats = "yes" if rmse < naive else "no"
    assert f"| {beats} |" in row("airline", report, seconds=0)


@pytest.mark.slow
def test_a_samples_defaults_beat_naive_when_trained_for_real():
    """The table's claim, proven again on its quickest sample: sine with all its defaults
    (20 epochs of 64, the default stack), trained as the command line trains it."""
    from scripts.sample_defaults import run_sample

    metrics = run_sample("sine")["test_metrics"]
    assert metrics["rmse"] < metrics["baselines"]["naive"]["rmse"]


def test_a_sample_sets_only_the_training_fields_it_brings():
    """Loading a sample sets its SAMPLE_TRAIN_FIELDS; the others must be the defaults, or the
    settings proven in docs/sample-defaults.md would not be the ones a session trains with."""
    defaults = TrainConfig()
    for sample in SAMPLES.values():
        for field in dataclasses.fields(TrainConfig):
            if field.name not in SAMPLE_TRAIN_FIELDS:
                assert getattr(sample.train, field.name) == getattr(defaults, field.name)
