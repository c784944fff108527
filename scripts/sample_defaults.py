"""Train every bundled sample with its default settings and write how each scores.

The promise of ``lstm_core/samples.py``: a fresh session's settings for each sample (its
windowing, the default stack ``lstm_core.model.DEFAULT_LAYERS``, its training settings) train a
model that beats the naive yardstick on the test split (for classification: the majority
class). This trains each once, seeded, through the command line's own path (``python -m
lstm_core train --sample NAME --json``, which trains what the app trains), and writes the table
to ``docs/sample-defaults.md``, with a fingerprint of the settings it ran;
``tests/test_samples.py`` checks that the table is current (no default changed since) and that
this path scores a sample as an independent computation does. Takes about 20 minutes on 2
cores.

    python scripts/sample_defaults.py [--output docs/sample-defaults.md]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from anywhere, no install

from lstm_core.cli import main as cli  # noqa: E402
from lstm_core.forecast.verdict import verdict  # noqa: E402
from lstm_core.model import DEFAULT_LAYERS  # noqa: E402
from lstm_core.samples import SAMPLES, settings_digest  # noqa: E402

HEADER = (
    "| sample | fingerprint | test score | yardstick | skill | beats it | verdict | seconds |\n"
    "|---|---|---|---|---|---|---|---|"
)


def run_sample(name: str, *flags: str, store: str | None = None) -> dict:
    """Train sample ``name`` as ``python -m lstm_core train --sample NAME --json`` does, with
    the extra ``flags`` (none: its defaults), keeping the run in the store folder ``store``
    (default: a temporary one); the command's JSON report."""
    with tempfile.TemporaryDirectory() as folder:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            argv = ["train", "--sample", name, *flags, "--json", "--store", store or folder]
            status = cli(argv)
    if status != 0:
        raise SystemExit(f"{name}: the command exited with {status}: {out.getvalue()}")
    return json.loads(out.getvalue())


def row(name: str, report: dict, seconds: float) -> str:
    """Sample ``name``'s row of the table, from its ``run_sample`` report."""
    metrics = report["test_metrics"]
    if "accuracy" in metrics:
        majority = metrics["baselines"]["majority"]
        score = f"accuracy {metrics['accuracy']:.3f}"
        yardstick = f"majority class {majority['accuracy']:.3f}"
        skill = metrics["skill_vs_majority"]
    else:
        score = f"RMSE {metrics['rmse']:.4g}"
        yardstick = f"naive RMSE {metrics['baselines']['naive']['rmse']:.4g}"
        skill = metrics["skill_vs_naive"]
    beats = "yes" if skill > 0 else "no"
    print(f"{name}: {score} against {yardstick}", file=sys.stderr, flush=True)
    return (
        f"| {name} | `{settings_digest(name)}` | {score} | {yardstick} | {skill:+.1%} | {beats} "
        f"| {verdict(metrics)} | {seconds:.0f} |"
    )


def timed_row(name: str) -> str:
    """Train sample ``name`` with its defaults; its row of the table."""
    started = time.perf_counter()
    report = run_sample(name)
    return row(name, report, time.perf_counter() - started)


def page(rows: list[str]) -> str:
    return "\n".join(
        [
            "# Every sample's defaults beat their yardstick",
            "",
            "Written by `python scripts/sample_defaults.py`: each bundled sample trained once, "
            "as `python -m lstm_core train --sample NAME` trains it, with "
            "the settings a fresh session gives it (its windowing and training settings in "
            f"`lstm_core/samples.py`, the default stack `{DEFAULT_LAYERS}`, seed 0), scored on its "
            "test split against the naive forecast (the last value, repeated) or, for classes, "
            "the majority class. Skill is `1 - rmse / naive rmse` (classes: the share of the "
            "majority's errors avoided). The fingerprint is `lstm_core.samples.settings_digest`: "
            "`tests/test_samples.py` fails when a default changed after this table was written, "
            "so run the script again then.",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}.",
            "",
            HEADER,
            *rows,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(REPO / "docs" / "sample-defaults.md"))
    args = parser.parse_args()
    text = page([timed_row(name) for name in SAMPLES])
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
