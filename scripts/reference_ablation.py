"""Run the reference ablation (the LSTM variants of Greff et al. 2017) and write its results.

The setting (``lstm_core.experiments.ablation.REFERENCE_ABLATION``): the adding problem over
50 steps, 32 units, 3000 training and 500 validation sequences, Adam with learning rate 0.01
and clipnorm 1.0, batch 32, 8 epochs, Keras' LSTM and the seven variants, 5 seeds. Writes the
result as JSON into the package (``lstm_core/experiments/reference_ablation.json``, which the
Ablation page shows at once) and the table into ``docs/reference-ablation.md`` between its
``<!-- table -->`` markers (the words around it are written by hand), and prints the table.

    python scripts/reference_ablation.py [--seeds 5] [--epochs 8]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from anywhere, no install

from lstm_core.experiments.ablation import (  # noqa: E402
    REFERENCE_ABLATION,
    REFERENCE_RESULT,
    AblationResult,
    run_ablation,
)

DOC = REPO / "docs" / "reference-ablation.md"
START, END = "<!-- table -->", "<!-- /table -->"


def table(result: AblationResult, command: str) -> str:
    """The Markdown table of ``result.summary()`` with the setting, command and running time."""
    config = result.config.compare
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"Command: `{command}`; {result.wall_s / 60:.1f} minutes on {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other jobs (load average {load:.1f} at the end). "
        f"Adding problem, {config.timesteps} steps, {config.units} units, {config.n_train} "
        f"training and {config.n_val} validation sequences, Adam {config.learning_rate}, "
        f"clipnorm {config.clipnorm}, batch {config.batch_size}, {config.epochs} epochs, seeds "
        f"{list(result.config.seeds)}; baseline (remember nothing) MSE {result.baseline:.4f}. Solved: "
        "share of validation sequences with |error| < 0.04 (median over seeds). Reach: "
        "`||dL/dh_0|| / ||dL/dh_T-1||`, untrained → trained (medians).",
        "",
        "| rank | variant | median val MSE | spread (min - max) | solved | gradient reach | "
        "params |",
        "|---:|---|---:|---|---:|---|---:|",
    ]
    for row in result.summary():
        solved = "-" if row["median_solved"] is None else f"{row['median_solved']:.1%}"
        lines.append(
            f"| {row['rank']} | {row['variant']} | {row['median_val_loss']:.4f} | "
            f"{row['min_val_loss']:.4f} - {row['max_val_loss']:.4f} | {solved} | "
            f"{_reach(row['reach_before'])} → {_reach(row['reach_after'])} | {row['params']:,} |"
        )
    return "\n".join(lines)


def _reach(value) -> str:
    return "-" if value is None else f"{value:.1e}"


def write_doc(text: str) -> None:
    """Put ``text`` between the markers of ``docs/reference-ablation.md`` (made if missing)."""
    old = DOC.read_text() if DOC.exists() else f"# Reference ablation\n\n{START}\n{END}\n"
    head, rest = old.split(START, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(f"{head}{START}\n{text}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(REFERENCE_ABLATION.seeds))
    parser.add_argument("--epochs", type=int, default=REFERENCE_ABLATION.compare.epochs)
    args = parser.parse_args()
    config = REFERENCE_ABLATION.replace(seeds=tuple(range(args.seeds)), epochs=args.epochs)
    started = time.time()

    def progress(variant, seed, epoch, loss):
        print(
            f"{time.time() - started:7.0f}s seed {seed} {variant} epoch {epoch} val_loss={loss:.4f}",
            file=sys.stderr,
            flush=True,
        )

    result = run_ablation(config, on_epoch=progress)
    REFERENCE_RESULT.write_text(json.dumps(result.to_dict(), indent=1) + "\n")
    command = "python scripts/reference_ablation.py" + (
        f" --seeds {args.seeds} --epochs {args.epochs}" if config != REFERENCE_ABLATION else ""
    )
    text = table(result, command)
    write_doc(text)
    print(text)


if __name__ == "__main__":
    main()
