"""``python -m lstm_core sweep``: one JSON object with the trials and the aggregate."""

import json
import subprocess
import sys

import pytest

from lstm_core.cli import main
from lstm_core.runs import RunStore
from tests.cli_process import ROOT, run_cli


@pytest.mark.slow
def test_a_sweep_prints_its_trials_and_aggregate_as_one_json_object(tmp_path):
    args = "sweep --task adding --timesteps 10,20 --kinds rnn,lstm --seeds 0,1 --epochs 1 --json"
    tiny = "--units 4 --n-train 64 --n-val 32 --batch-size 32"
    done = run_cli(*args.split(), *tiny.split(), store=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)  # the only thing on stdout
    assert result["status"] == "finished"
    assert len(result["trials"]) == 8
    first = result["trials"][0]
    assert first["settings"] == {"kind": "rnn", "timesteps": 10, "seed": 0}
    assert all(t["status"] == "finished" and t["val_loss"] > 0 for t in result["trials"])
    points = [(row["kind"], row["timesteps"], row["seeds"]) for row in result["aggregate"]]
    assert points == [("rnn", 10, 2), ("rnn", 20, 2), ("lstm", 10, 2), ("lstm", 20, 2)]
    losses = [t["val_loss"] for t in result["trials"] if t["settings"]["kind"] == "lstm"
              and t["settings"]["timesteps"] == 20]  # fmt: skip
    assert result["aggregate"][3]["val_loss_median"] == pytest.approx(sum(losses) / 2)
    runs = RunStore(tmp_path).list_runs()
    assert sorted(runs["run_id"]) == sorted(t["run_id"] for t in result["trials"])
    assert set(runs["sweep_id"]) == {result["sweep_id"]}


def test_a_bad_list_exits_2_with_one_line(tmp_path, capsys):
    status = main(["sweep", "--timesteps", "10,x", "--store", str(tmp_path)])
    assert status == 2
    error = capsys.readouterr().err
    assert (
        error == "error: --timesteps must be comma-separated int values, got '10,x'; e.g. "
        "--timesteps 1,2.\n"
    )


def test_an_axis_out_of_range_exits_2_before_ray_starts(tmp_path):
    # In a fresh process, so that Ray imported by another test cannot hide an import.
    code = (
        "import sys\nfrom lstm_core.cli import main\n"
        f"status = main(['sweep', '--units', '4,0', '--store', {str(tmp_path)!r}])\n"
        "print(status, 'ray' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.stdout.split() == ["2", "False"], done.stderr[-2000:]
    assert "CompareConfig units must be between 1 and 512, got 0" in done.stderr


@pytest.mark.slow
def test_a_training_sweep_on_a_sample_prints_skill_and_keeps_each_model(tmp_path):
    args = "sweep --sample airline --kinds lstm,gru --units 2 --seeds 0,1 --epochs 1 --json"
    done = run_cli(*args.split(), "--batch-size", "32", store=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["status"] == "finished"
    assert [t["settings"] for t in result["trials"]] == [
        {"kind": "lstm", "seed": 0}, {"kind": "gru", "seed": 0},
        {"kind": "lstm", "seed": 1}, {"kind": "gru", "seed": 1},
    ]  # fmt: skip
    assert all(t["status"] == "finished" and t["skill"] is not None for t in result["trials"])
    lstm = sorted(t["skill"] for t in result["trials"] if t["settings"]["kind"] == "lstm")
    assert result["aggregate"][0]["kind"] == "lstm"
    assert result["aggregate"][0]["skill_median"] == pytest.approx(sum(lstm) / 2)
    store = RunStore(tmp_path)
    for trial in result["trials"]:
        run = store.get_run(trial["run_id"])
        assert run.model_path is not None and run.model_path.exists()
        assert run.model_spec["layers"][0]["units"] == 2
        assert run.train_config["epochs"] == 1


def test_a_training_sweep_takes_the_samples_settings_and_the_lists(tmp_path):
    from lstm_core.cli import build_parser
    from lstm_core.cli.sweep import parse_spec
    from lstm_core.samples import SAMPLES

    args = build_parser().parse_args(
        [
            "sweep",
            "--sample",
            "airline",
            "--kinds",
            "lstm,gru",
            "--units",
            "8,16",
            "--lookback",
            "6",
            "--layers",
            "lstm:4:seq,lstm:2",
        ]
    )
    spec = parse_spec(args)
    assert spec.axes == (("kind", ("lstm", "gru")), ("units", (8, 16)))
    assert spec.base.data == {"sample": "airline"}
    assert spec.base.window.lookback == 6
    assert spec.base.train.epochs == SAMPLES["airline"].train.epochs
    assert [layer.units for layer in spec.base.model.layers] == [4, 2]
    assert len(spec.trials()) == 4


def test_a_comparison_option_in_a_training_sweep_exits_2(tmp_path, capsys):
    status = main(
        ["sweep", "--sample", "airline", "--timesteps", "10,20", "--store", str(tmp_path)]
    )
    assert status == 2
    assert capsys.readouterr().err.startswith(
        "error: --timesteps set the comparison, not a training sweep"
    )


@pytest.mark.slow
def test_a_training_sweep_on_a_csv_file_keeps_its_trials_and_resumes_only_with_the_file(
    tmp_path, capsys
):
    import numpy as np
    import pandas as pd

    steps = np.arange(60)
    csv = tmp_path / "waves.csv"
    pd.DataFrame({"t": steps, "level": np.sin(steps / 4) + steps / 30}).to_csv(csv, index=False)
    store_dir = tmp_path / "store"
    args = f"sweep --data {csv} --targets level --lookback 5 --layers lstm:2 --seeds 0,1 --json"
    done = run_cli(*args.split(), "--epochs", 1, "--batch-size", 16, store=store_dir, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["status"] == "finished"
    assert [t["settings"] for t in result["trials"]] == [{"seed": 0}, {"seed": 1}]
    assert all(t["status"] == "finished" and t["skill"] is not None for t in result["trials"])
    runs = RunStore(store_dir)
    for trial in result["trials"]:
        run = runs.get_run(trial["run_id"])
        assert run.dataset["file"] == "waves.csv"
        assert run.window_spec["lookback"] == 5 and run.window_spec["targets"] == ["level"]
        assert run.model_path is not None and run.model_path.exists()
    runs.close()
    # The file's rows are not kept with the sweep: resuming without --data says so at once.
    status = main(["sweep", "--resume", result["sweep_id"], "--store", str(store_dir)])
    assert status == 2
    assert "trains on the file 'waves.csv', whose rows are not kept with it" in (
        capsys.readouterr().err
    )
