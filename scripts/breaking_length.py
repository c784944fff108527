"""Run the breaking-length reference sweep on Ray and write its JSON, shipped with the package.

The adding problem at several lengths for SimpleRNN, GRU and LSTM over several seeds
(``lstm_core.sweeps.breaking``): the longest length each cell solves, median validation MSE
below 0.05. Each trial is one single-thread Ray task; on one machine as many run at once as it
has cores, on a Ray cluster (``--address`` or ``RAY_ADDRESS``) as many as the cluster has.

    python scripts/breaking_length.py                  # the shipped size
    python scripts/breaking_length.py --full           # 25..400 steps, 5 seeds, 20 epochs
    python scripts/breaking_length.py --address ray://head:10001 --full

Writes ``lstm_core/sweeps/breaking_length.json`` (``--output``) with the spec, every trial, the
aggregate, the breaking lengths, the running time and this exact command.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from anywhere, no install

from lstm_core.cli.common import watch  # noqa: E402
from lstm_core.runs import RunStore  # noqa: E402
from lstm_core.sweeps import SOLVED_LOSS, SweepJob, aggregate, breaking_lengths  # noqa: E402
from lstm_core.sweeps.breaking import (  # noqa: E402
    BASE,
    FULL_LENGTHS,
    FULL_SEEDS,
    KINDS,
    SHIPPED,
    SHIPPED_LENGTHS,
    SHIPPED_SEEDS,
    breaking_spec,
)


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=_ints, default=SHIPPED_LENGTHS)
    parser.add_argument("--seeds", type=_ints, default=SHIPPED_SEEDS)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--epochs", type=int, default=BASE.epochs)
    parser.add_argument("--n-train", type=int, default=BASE.n_train)
    parser.add_argument(
        "--full",
        action="store_true",
        help="the issue's size: 25..400 steps, 5 seeds, 20 epochs, 5000 training sequences",
    )
    parser.add_argument("--address", default=None, help="a Ray cluster (default $RAY_ADDRESS)")
    parser.add_argument("--store", default=None, help="run store (default: a temporary one)")
    parser.add_argument("--output", type=Path, default=SHIPPED)
    args = parser.parse_args(argv)
    if args.full:
        args.lengths, args.seeds, args.epochs, args.n_train = FULL_LENGTHS, FULL_SEEDS, 20, 5000
    return args


def main(argv=None) -> int:
    args = parse(argv)
    base = dataclasses.replace(BASE, epochs=args.epochs, n_train=args.n_train)
    kinds = tuple(kind.strip() for kind in args.kinds.split(","))
    spec = breaking_spec(args.lengths, kinds, args.seeds, base)
    store = RunStore(args.store) if args.store else RunStore(tempfile.mkdtemp(prefix="lstm-lab-"))
    started = time.perf_counter()
    job = SweepJob(spec, store, address=args.address).start()
    reported = set()

    def show(snapshot) -> None:
        for trial in snapshot.trials:
            if trial["status"] not in ("pending", "running") and trial["trial"] not in reported:
                reported.add(trial["trial"])
                print(
                    f"{len(reported)}/{len(snapshot.trials)} {trial['trial']}: "
                    f"{trial['status']} val_loss={trial['val_loss']}",
                    flush=True,
                )

    final = watch(job, show)
    wall_s = time.perf_counter() - started
    rows = aggregate(list(final.trials))
    result = {
        "command": " ".join(
            ["python scripts/breaking_length.py", *map(shlex.quote, argv or sys.argv[1:])]
        ),
        "wall_s": round(wall_s, 1),
        "status": final.status,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "threshold": SOLVED_LOSS,
        "spec": spec.to_dict(),
        "trials": list(final.trials),
        "aggregate": rows,
        "breaking_length": breaking_lengths(rows),
    }
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({"wall_s": result["wall_s"], "breaking_length": result["breaking_length"]}))
    return 0 if final.status == "finished" else 1


if __name__ == "__main__":
    sys.exit(main())
