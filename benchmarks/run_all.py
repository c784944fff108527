"""Every benchmark in one run, each in a fresh process, printed as one table.

    python benchmarks/run_all.py [--quick]

Each ``bench_*.py`` module runs in its own Python process, one after the other, so that no
benchmark inherits another's imported TensorFlow, threads or memory. The rows they return
(``benchmarks.common``) are printed as one table (target, measured, ratio, goal, met / NOT
MET) and written as Markdown to ``docs/performance.md``, with the date, the machine and the
command, and into the README's "Performance" section, between ``README_BEGIN`` and
``README_END``. A benchmark that fails or hangs gives a "not measured" row and the run goes
on. Hand-written notes below ``NOTES_MARKER`` in ``docs/performance.md`` are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from benchmarks.common import REPO, format_table, markdown_table, not_measured  # noqa: E402

BENCHMARKS = (
    "bench_cold_start",
    "bench_trace",
    "bench_gradients",
    "bench_training",
    "bench_memory",
    "bench_visitors",
    "bench_gpu",
    "bench_sweep",
)
TIMEOUT_S = 1800  # per benchmark; the training one takes several minutes on 2 busy cores
OUTPUT = REPO / "docs" / "performance.md"
NOTES_MARKER = "<!-- Notes below this line are written by hand; run_all.py keeps them. -->"
README = REPO / "README.md"
README_BEGIN = "<!-- The table below is written by benchmarks/run_all.py. -->"
README_END = "<!-- End of the table written by benchmarks/run_all.py. -->"
NOISE_NOTE = (
    "The machine's cores are shared with other work, so every figure is noisy: the two sides "
    "of each ratio are measured in the same run (alternately where a comparison is repeated), "
    "so a busy neighbour slows both alike, but a ratio close to its goal can land on either "
    "side of it from one run to the next."
)


def run_benchmark(name: str, quick: bool) -> list[dict]:
    """The rows of ``benchmarks/<name>.py``, run in a fresh process; a "not measured" row
    naming the failure if it fails or runs past ``TIMEOUT_S``."""
    with tempfile.TemporaryDirectory() as folder:
        rows_file = Path(folder) / "rows.json"
        command = [sys.executable, "-m", f"benchmarks.{name}", "--json", str(rows_file)]
        try:
            done = subprocess.run(
                command + (["--quick"] if quick else []),
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            return [not_measured(f"{name}: every target", f"ran past {TIMEOUT_S} s")]
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
            return [not_measured(f"{name}: every target", f"it failed: {lines[-1][:200]}")]
        return json.loads(rows_file.read_text())


def machine() -> str:
    """This machine in one line: cores, CPU model, OS, Python, TensorFlow, JAX, Keras and
    PyTorch (a benchmark-only contender)."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [
            line for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        cpu = models[0].split(":", 1)[1].strip() if models else cpu
    tensorflow = installed("tensorflow", "tensorflow-cpu")
    return (
        f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, TensorFlow {tensorflow}, JAX {installed('jax')}, "
        f"Keras {installed('keras')}, PyTorch {installed('torch')}"
    )


def installed(*distributions: str) -> str:
    """The version of the first of ``distributions`` that is installed (TensorFlow's CPU
    build is the ``tensorflow-cpu`` distribution), read without importing it."""
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def report(rows: list[dict], *, date: str, machine: str, command: str, notes: str) -> str:
    """The Markdown of ``docs/performance.md``: what, when, where, the table, then ``notes``."""
    unmet = [r["target"] for r in rows if r["met"] is False]
    summary = "Every target was met." if not unmet else f"Not met in this run: {'; '.join(unmet)}."
    return (
        "\n".join(
            [
                "# Performance",
                "",
                "The targets of issue 7, measured by one run of the benchmarks in `benchmarks/`;",
                "this file is written by that run. A ratio compares two figures from the same run.",
                "",
                f"- Date: {date}",
                f"- Machine: {machine}",
                f"- Command: `{command}`",
                "",
                markdown_table(rows),
                "",
                summary,
                "",
                NOISE_NOTE,
                "",
                NOTES_MARKER,
                *([notes] if notes else []),
            ]
        )
        + "\n"
    )


def with_table(readme: str, rows: list[dict], date: str) -> str:
    """``readme`` with the text between ``README_BEGIN`` and ``README_END`` replaced by the
    run's date and table; ``ValueError`` if either marker is missing."""
    before, begin, rest = readme.partition(README_BEGIN)
    _, end, after = rest.partition(README_END)
    if not begin or not end:
        raise ValueError(f"the README lacks the markers {README_BEGIN!r} and {README_END!r}")
    table = f"\nThe latest run, {date}:\n\n{markdown_table(rows)}\n"
    return before + begin + table + end + after


def kept_notes(path: Path) -> str:
    """The hand-written notes below ``NOTES_MARKER`` in ``path``, stripped; "" if none."""
    text = path.read_text() if path.exists() else ""
    _, _, notes = text.partition(NOTES_MARKER)
    return notes.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a quick look")
    quick = parser.parse_args().quick
    rows = []
    for name in BENCHMARKS:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        rows += run_benchmark(name, quick)
        print(f"  {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    print(format_table(rows))
    command = "python benchmarks/run_all.py" + (" --quick" if quick else "")
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = report(rows, date=date, machine=machine(), command=command, notes=kept_notes(OUTPUT))
    OUTPUT.write_text(text)
    README.write_text(with_table(README.read_text(), rows, date))
    print(f"written to {OUTPUT.relative_to(REPO)} and the README", file=sys.stderr)


if __name__ == "__main__":
    main()
