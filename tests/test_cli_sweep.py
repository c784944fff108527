"""``python -m lstm_core sweep``: one JSON object with the trials and the aggregate."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_core.cli import main
from lstm_core.runs import RunStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_sweep_prints_its_trials_and_aggregate_as_one_json_object(tmp_path):
    args = "--task adding --timesteps 10,20 --kinds rnn,lstm --seeds 0,1 --epochs 1 --json"
    tiny = "--units 4 --n-train 64 --n-val 32 --batch-size 32"
    done = subprocess.run(
        [sys.executable, "-m", "lstm_core", "sweep", *args.split(), *tiny.split()]
        + ["--store", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
    )
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
