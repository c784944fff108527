"""Train every bundled sample with its default settings and write how each scores.

The promise of ``lstm_core/samples.py``: a fresh session's settings for each sample (its
windowing, the default stack ``lstm_core.model.DEFAULT_LAYERS``, its training settings) train a
model that beats the naive yardstick on the test split (for classification: the majority
class). This trains each once, seeded, and writes the table to ``docs/sample-defaults.md``,
with a fingerprint of the settings it ran; ``tests/test_samples.py`` checks that the table is
current (no default changed since) and that every row beats its yardstick. Takes about ten
minutes on 2 cores.

    python scripts/sample_defaults.py [--output docs/sample-defaults.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from anywhere, no install

from lstm_core.data import WindowSpec, make_sequence_windows, make_windows  # noqa: E402
from lstm_core.forecast.verdict import verdict  # noqa: E402
from lstm_core.model import DEFAULT_LAYERS, ModelSpec, parse_layers  # noqa: E402
from lstm_core.samples import SAMPLES, load_sample, settings_digest  # noqa: E402
from lstm_core.train import TrainingJob  # noqa: E402

HEADER = (
    "| sample | fingerprint | test score | yardstick | skill | beats it | verdict | seconds |\n"
    "|---|---|---|---|---|---|---|---|"
)


def run_sample(name: str) -> str:
    """Train sample ``name`` with its defaults; its row of the table."""
    sample = SAMPLES[name]
    frame = load_sample(name)
    if isinstance(sample.spec, WindowSpec):
        windows = make_windows(frame, sample.spec)
    else:
        windows = make_sequence_windows(frame, sample.spec)
    model = ModelSpec(
        parse_layers(DEFAULT_LAYERS),
        head=windows.task,
        outputs=windows.n_outputs,
        mask_value=windows.mask_value,
    )
    started = time.perf_counter()
    job = TrainingJob(windows, model, sample.train).start()
    final = job.wait()
    seconds = time.perf_counter() - started
    if final.status != "finished":
        raise SystemExit(f"{name}: the run {final.status}: {final.error}")
    metrics = job.result.test_metrics
    if windows.task == "classification":
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


def page(rows: list[str]) -> str:
    return "\n".join(
        [
            "# Every sample's defaults beat their yardstick",
            "",
            "Written by `python scripts/sample_defaults.py`: each bundled sample trained once with "
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
    text = page([run_sample(name) for name in SAMPLES])
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
