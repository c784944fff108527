"""What every benchmark shares: timing, the row it returns, the table, and its command line.

Every ``bench_*.py`` module has ``main(quick=False) -> list[dict]``; each dict is one row of the
performance table, with the keys of ``ROW_KEYS``:

- ``target``: what is measured, with its setting;
- ``measured``: the figures behind the ratio, in words (or ``"not measured: <why>"``);
- ``ratio``: the number the goal is about (a float), or None when nothing was measured;
- ``goal``: the goal in words, e.g. ``"< 0.25"``;
- ``met``: True or False, or None for a row with nothing to meet (a reference figure, a
  figure only reported, or one not measured).

``run_all.py`` runs each module in its own process and prints all the rows as one table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROW_KEYS = ("target", "measured", "ratio", "goal", "met")  # also the table's header


def row(target: str, measured: str, ratio: float | None, goal: str, met: bool | None) -> dict:
    """One row of the table (see the module docstring for the keys)."""
    return {"target": target, "measured": measured, "ratio": ratio, "goal": goal, "met": met}


def not_measured(target: str, why: str, goal: str = "") -> dict:
    """A row for a target that could not be measured in this run, saying why."""
    return row(target, f"not measured: {why}", None, goal, None)


def timed(call: Callable[[], object]) -> float:
    """Seconds one ``call()`` takes."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def median_time(call: Callable[[], object], repeats: int, warm_up: bool = True) -> float:
    """Median seconds of ``repeats`` calls of ``call()``, after one untimed call when
    ``warm_up`` (the first call of a Keras model traces its ``tf.function``)."""
    if warm_up:
        call()
    return statistics.median(timed(call) for _ in range(repeats))


def time_fresh_process(code: str, env: dict[str, str] | None = None) -> float:
    """Seconds a fresh Python process takes to run ``code`` (from the repository root),
    interpreter start-up included; raises ``RuntimeError`` with its output if it fails."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{code!r} failed:\n{done.stderr[-2000:]}")
    return seconds


def ratio_text(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio:.3g}"


def met_text(met: bool | None) -> str:
    return {True: "met", False: "NOT MET", None: "n/a"}[met]


def cells(rows: list[dict]) -> list[tuple[str, ...]]:
    """The table's text, a tuple of ``ROW_KEYS``' columns per row."""
    return [
        (r["target"], r["measured"], ratio_text(r["ratio"]), r["goal"], met_text(r["met"]))
        for r in rows
    ]


def format_table(rows: list[dict]) -> str:
    """``rows`` as a plain-text table with aligned columns, for a terminal."""
    lines = [ROW_KEYS, *cells(rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(ROW_KEYS))]
    return "\n".join(
        "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def markdown_table(rows: list[dict]) -> str:
    """``rows`` as a Markdown table; ``|`` in a cell is escaped."""
    lines = [ROW_KEYS, ("---",) * len(ROW_KEYS), *cells(rows)]
    return "\n".join(
        "| " + " | ".join(text.replace("|", "\\|") for text in line) + " |" for line in lines
    )


def run_cli(main: Callable[..., list[dict]]) -> None:
    """The command line of a benchmark module: ``[--quick] [--json PATH]``.

    Prints the rows of ``main(quick=...)`` as a table, or writes them as JSON to ``PATH``
    (how ``run_all.py`` reads them back from the module's own process).
    """
    parser = argparse.ArgumentParser(description=sys.modules[main.__module__].__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a quick look")
    parser.add_argument("--json", type=Path, help="write the rows to this JSON file instead")
    args = parser.parse_args()
    rows = main(quick=args.quick)
    if args.json is None:
        print(format_table(rows), flush=True)
    else:
        args.json.write_text(json.dumps(rows, indent=1))
