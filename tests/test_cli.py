import json
import re
from pathlib import Path

import numpy as np
import pytest

from lstm_core import backend
from lstm_core.cli import main
from lstm_core.runs import RunStore
from tests.cli_process import run_cli

pytestmark = pytest.mark.slow  # trains models: left out by pytest -m "not slow"


@pytest.fixture
def tiny_csv(tmp_path):
    t = np.arange(40)
    rows = "\n".join(f"{i},{np.sin(i / 3):.4f},{np.cos(i / 3):.4f}" for i in t)
    path = tmp_path / "tiny.csv"
    path.write_text("step,level,other\n" + rows + "\n")
    return path


def test_train_a_csv_end_to_end_as_json_then_list_show_and_export(tmp_path, tiny_csv):
    store = tmp_path / "store"
    done = run_cli(
        "train", "--data", str(tiny_csv), "--targets", "level", "--features", "level", "other",
        "--lookback", "4", "--layers", "lstm:4:seq,gru:4", "--epochs", "1", "--batch-size", "8",
        "--json", store=store,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # nothing but one JSON object
    assert set(report) >= {"run_id", "history", "test_metrics", "model_path"}
    import keras

    # The backend as Keras names it; the device as test_backend checks it against TF and JAX.
    assert (report["backend"], report["device"]) == (keras.backend.backend(), backend.device_kind())
    assert report["device_line"] == backend.device_line()
    assert (report["epochs"], report["batch_size"], report["layers"]) == (1, 8, "lstm:4:seq,gru:4")
    assert [record["epoch"] for record in report["history"]] == [1]
    assert set(report["history"][0]) == {"epoch", "loss", "val_loss", "mae", "val_mae"}
    assert report["test_metrics"]["rmse"] > 0 and Path(report["model_path"]).exists()
    metrics = report["test_metrics"]  # the shape issue 12 asks for, one target
    assert set(metrics) >= {"rmse", "mae", "per_target", "test_samples", "baselines", "mase"}
    assert "skill_vs_naive" in metrics and metrics["test_samples"] == 6
    assert set(metrics["baselines"]) == {"naive", "seasonal_naive", "mean"}
    assert set(metrics["baselines"]["naive"]) >= {"rmse", "mae"}
    assert metrics["baselines"]["seasonal_naive"] is None  # no date column, no --season
    assert "no date column" in metrics["season"]["note"]
    run_id = report["run_id"]

    assert main(["runs", "list", "--store", str(store)]) == 0
    assert main(["--store", str(store), "runs", "show", run_id]) == 0
    assert main(["runs", "export", run_id, str(tmp_path / "out"), "--store", str(store)]) == 0
    exported = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert exported == [f"{run_id}.keras", f"{run_id}_config.json", f"{run_id}_history.csv"]
    assert RunStore(store).get_run(run_id).dataset["name"] == str(tiny_csv)


def test_train_a_sample_prints_a_line_per_epoch_and_each_yardstick(tmp_path, capsys):
    argv = ["train", "--sample", "airline", "--layers", "rnn:4", "--epochs", "2", "--season", "6"]
    assert main([*argv, "--batch-size", "32", "--store", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"training on {backend.device_line()}"
    assert lines[1].startswith("epoch 1/2 loss=") and " val_loss=" in lines[1]
    assert lines[2].startswith("epoch 2/2 loss=")
    assert lines[3].startswith("finished in ") and lines[4].startswith("test rmse=")
    assert lines[5].startswith("  naive rmse=")
    assert lines[6].startswith("  seasonal_naive period=6 rmse=")
    assert lines[7].startswith("  mean rmse=")
    assert lines[8].startswith("  mase=") and lines[9].startswith("  skill_vs_naive=")
    assert lines[10].startswith("Test RMSE ") and "repeating the last value" in lines[10]
    (run,) = RunStore(tmp_path).list_runs().itertuples()
    assert (run.status, run.dataset, run.epochs) == ("finished", "airline", 2)


def test_a_bad_layer_string_exits_2_with_one_line(tmp_path, tiny_csv):
    done = run_cli(
        "train", "--data", str(tiny_csv), "--targets", "level", "--lookback", "4",
        "--layers", "lstm:many", store=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: Cannot read layer 'lstm:many'") and "Traceback" not in line


def one_line_error(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_a_binary_file_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "sheet.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    argv = ["train", "--data", str(path), "--targets", "y", "--lookback", "3"]
    line = one_line_error(capsys, [*argv, "--store", str(tmp_path)])
    assert line.startswith("error: ") and "binary" in line and "CSV" in line


def test_a_missing_column_exits_2_with_one_line(tmp_path, tiny_csv, capsys):
    argv = ["train", "--data", str(tiny_csv), "--targets", "price", "--lookback", "3"]
    line = one_line_error(capsys, [*argv, "--store", str(tmp_path)])
    assert "price" in line


def test_missing_lookback_and_unknown_run_exit_2(tmp_path, tiny_csv, capsys):
    argv = ["train", "--data", str(tiny_csv), "--targets", "level", "--store", str(tmp_path)]
    assert one_line_error(capsys, argv) == "error: --data needs --lookback; see --help."
    line = one_line_error(capsys, ["runs", "show", "0123456789ab", "--store", str(tmp_path)])
    assert "no run '0123456789ab' in this workspace" in line


def test_argument_errors_are_one_line_too(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--epochs", "3"])
    assert exit_.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "one of the arguments --data --sample is required" in line


def test_help_documents_the_layer_syntax(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "kind:units" in text and "seq (return_sequences)" in text
    assert "state (return_state)" in text and "'lstm:64:seq,lstm:32'" in text


def test_a_sequence_sample_refuses_window_flags(tmp_path, capsys):
    argv = ["train", "--sample", "shapes", "--lookback", "5", "--store", str(tmp_path)]
    assert "labelled sequences, whose windows have no such setting; drop --lookback." in (
        one_line_error(capsys, argv)
    )


def test_runs_list_of_an_empty_store_says_how_to_start(tmp_path, capsys):
    assert main(["runs", "list", "--store", str(tmp_path)]) == 0
    assert "no runs yet" in capsys.readouterr().out
    assert main(["runs", "list", "--json", "--store", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_distribute_mirrored_without_gpus_says_it_falls_back(tmp_path, tiny_csv, capsys):
    argv = ["train", "--data", str(tiny_csv), "--targets", "level", "--lookback", "4"]
    argv += ["--layers", "rnn:2", "--epochs", "1", "--distribute", "mirrored"]
    assert main([*argv, "--store", str(tmp_path)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert re.fullmatch(
        r"training on (.*MirroredStrategy over \d+ GPUs|.* \(MirroredStrategy needs 2 or more "
        r"GPUs, found [01]\)|JAX, .* \(MirroredStrategy is TensorFlow's\))",
        first,
    ), first
