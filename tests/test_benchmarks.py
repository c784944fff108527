"""The benchmarks' plumbing: every module imports, the table and the report are right.

No benchmark is run and nothing is timed here: the figures come from
``python benchmarks/run_all.py``, never from a test.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest

from benchmarks import common, run_all
from benchmarks.bench_memory import process_tree, status_mb

ROWS = [
    common.row("trace vs predict", "0.100s vs 0.400s", 0.25, "< 1", True),
    common.row("engine vs plain | demo", "engine 9.0s, plain 10.0s", 1.1111, ">= 1.3", False),
    common.row("matmul peak", "80.0 GFLOP/s", None, "reference", None),
    common.not_measured("memory peak", "no Chromium"),
]


@pytest.mark.parametrize("name", run_all.BENCHMARKS)
def test_every_benchmark_imports_and_has_main(name):
    module = importlib.import_module(f"benchmarks.{name}")
    assert callable(module.main)
    assert module.__doc__ and "python benchmarks/" in module.__doc__


def test_row_has_the_table_keys():
    assert tuple(common.row("t", "m", 1.0, "g", True)) == common.ROW_KEYS
    assert common.not_measured("t", "why") == {
        "target": "t",
        "measured": "not measured: why",
        "ratio": None,
        "goal": "",
        "met": None,
    }


def test_format_table_aligns_columns_and_says_met():
    lines = common.format_table(ROWS).splitlines()
    assert lines[0].split() == ["target", "measured", "ratio", "goal", "met"]
    assert len(lines) == 1 + len(ROWS)
    measured_at = lines[0].index("measured")  # every row's second column starts here
    assert [line[measured_at:].split("  ")[0] for line in lines[1:]] == [
        r["measured"] for r in ROWS
    ]
    assert lines[1].endswith("  met") and "1.11" in lines[2] and lines[2].endswith("NOT MET")
    assert lines[3].endswith("n/a") and lines[4].endswith("n/a")


def test_markdown_table_has_one_row_per_row_and_escapes_pipes():
    lines = common.markdown_table(ROWS).splitlines()
    assert lines[:2] == [
        "| target | measured | ratio | goal | met |",
        "| --- | --- | --- | --- | --- |",
    ]
    assert lines[2] == "| trace vs predict | 0.100s vs 0.400s | 0.25 | < 1 | met |"
    assert lines[3].startswith("| engine vs plain \\| demo |")
    assert lines[5] == "| memory peak | not measured: no Chromium |  |  | n/a |"


def test_report_names_date_machine_command_and_what_was_not_met(tmp_path):
    text = run_all.report(
        ROWS, date="2026-01-02 03:04 UTC", machine="2 cores", command="python x", notes="Why."
    )
    assert "- Date: 2026-01-02 03:04 UTC" in text and "- Machine: 2 cores" in text
    assert "- Command: `python x`" in text
    assert common.markdown_table(ROWS) in text
    assert "Not met in this run: engine vs plain | demo." in text
    assert text.endswith(f"{run_all.NOTES_MARKER}\nWhy.\n")
    (tmp_path / "performance.md").write_text(text)
    assert run_all.kept_notes(tmp_path / "performance.md") == "Why."
    assert run_all.kept_notes(tmp_path / "missing.md") == ""
    met = run_all.report(ROWS[:1], date="d", machine="m", command="c", notes="")
    assert "Every target was met." in met and met.endswith(f"{run_all.NOTES_MARKER}\n")


def test_a_failing_benchmark_gives_a_not_measured_row():
    (failed,) = run_all.run_benchmark("bench_that_does_not_exist", quick=True)
    assert failed["met"] is None and failed["ratio"] is None
    assert failed["measured"].startswith("not measured: it failed: ")
    assert "No module named benchmarks.bench_that_does_not_exist" in failed["measured"]


def test_run_cli_writes_the_rows_as_json(tmp_path, monkeypatch):
    seen = []

    def main(quick: bool = False) -> list[dict]:
        seen.append(quick)
        return ROWS

    out = tmp_path / "rows.json"
    monkeypatch.setattr(sys, "argv", ["bench", "--quick", "--json", str(out)])
    common.run_cli(main)
    assert seen == [True]
    assert json.loads(out.read_text()) == ROWS


def test_median_time_warms_up_once_then_repeats():
    calls = []
    seconds = common.median_time(lambda: calls.append(1), repeats=3)
    assert len(calls) == 4 and seconds >= 0
    common.median_time(lambda: calls.append(1), repeats=2, warm_up=False)
    assert len(calls) == 6


def test_time_fresh_process_raises_with_the_output_of_a_failure():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        common.time_fresh_process("1 / 0")


def test_memory_is_read_over_the_process_tree():
    code = "import time; print('ready', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n"  # the interpreter is loaded
        assert child.pid in process_tree(os.getpid())
        assert process_tree(child.pid) == [child.pid]
        alone = status_mb(child.pid, "VmRSS")
        assert alone > 1  # a Python interpreter is a few MB
        assert status_mb(os.getpid(), "VmRSS") > alone  # this process and its child
        assert status_mb(os.getpid(), "VmHWM") >= status_mb(os.getpid(), "VmRSS")
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


def test_machine_names_cores_and_the_installed_tensorflow():
    assert run_all.installed("no-such-distribution", "pytest") == pytest.__version__
    assert run_all.installed("no-such-distribution") == "not installed"
    line = run_all.machine()
    assert line.startswith(f"{os.cpu_count()} cores, ") and "TensorFlow 2." in line
    assert ", JAX 0." in line and ", PyTorch " in line


def test_the_gpu_row_says_when_jax_sees_no_gpu(monkeypatch):
    """Without a GPU the row names why nothing was measured, and nothing is trained. The GPU
    is hidden from the benchmark's process, so this holds on a machine that has one too."""
    from benchmarks import bench_gpu

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    monkeypatch.setenv("JAX_PLATFORMS", "cpu")
    (gpu,) = bench_gpu.main(quick=True)
    assert gpu == common.not_measured(
        bench_gpu.TARGET, "JAX sees no GPU on this machine (JAX, CPU)"
    )


def fake_results(**epoch_s):
    """Contender results as ``bench_training.run_contender`` returns them."""
    return {
        name: {
            "total_s": 10 * s,
            "epoch_s": s,
            "epoch_median_s": 1.1 * s,
            "epoch_ends": [],
            "polls": 5,
            "stale": 0,
        }
        for name, s in epoch_s.items()
    }


def test_the_steady_epoch_leaves_out_the_first_and_takes_the_fastest_and_the_median():
    from benchmarks.bench_training import steady_epoch

    # Epoch ends 5.0 (tracing), then epochs of 2.0, 3.5 (a busy neighbour) and 2.5 s.
    assert steady_epoch([5.0, 7.0, 10.5, 13.0]) == (2.0, 2.5)


def test_training_rows_give_each_goal_its_verdict():
    from benchmarks import bench_training

    demo = bench_training.CASES["demo"]
    rows = bench_training.demo_rows(demo, fake_results(**{"keras-tf": 1.0, "engine-tf": 0.5,
                                                          "engine-jax": 0.4}))  # fmt: skip
    assert [(r["ratio"], r["met"]) for r in rows[::2]] == [(2.0, True), (2.5, False)]
    assert rows[1]["measured"] == "5 of 5 polls" and rows[1]["met"] is True
    large = bench_training.CASES["large"]
    results = fake_results(**{"keras-tf": 2.0, "engine-tf": 2.2, "keras-jax": 3.0,
                              "engine-jax": 3.0, "torch": 2.5})  # fmt: skip
    rows = bench_training.large_rows(large, results)
    assert [r["met"] for r in rows] == [False, True, True]
    assert rows[2]["measured"] == (
        "engine-tf 2.20s, torch 2.50s (fastest steady epoch; medians 2.42s, 2.75s)"
    )
    del results["torch"]
    assert bench_training.large_rows(large, results)[2]["measured"] == (
        "not measured: PyTorch is not installed"
    )


def test_the_readme_table_is_replaced_between_its_markers():
    readme = f"# X\n\nbefore\n{run_all.README_BEGIN}\nold table\n{run_all.README_END}\nafter\n"
    text = run_all.with_table(readme, ROWS, "2026-01-02 03:04 UTC")
    assert "old table" not in text and text.startswith("# X\n\nbefore\n")
    assert text.endswith(f"{run_all.README_END}\nafter\n")
    assert f"The latest run, 2026-01-02 03:04 UTC:\n\n{common.markdown_table(ROWS)}\n" in text
    assert run_all.with_table(text, ROWS[:1], "d").count("| trace vs predict |") == 1
    with pytest.raises(ValueError, match="markers"):
        run_all.with_table("# no markers\n", ROWS, "d")


def test_the_readme_has_the_markers():
    readme = (run_all.REPO / "README.md").read_text()
    assert readme.index(run_all.README_BEGIN) < readme.index(run_all.README_END)
