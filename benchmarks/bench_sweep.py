"""Sweep scaling: 4 single-thread trials through the sweep on 2 cores against one after the other.

Issue 17 target: on a 2-core machine, 4 trials run through ``SweepJob`` (local Ray, 2 CPUs,
each trial pinned to one thread) finish at least 1.6 times faster than the same 4 trials run
one after the other in one process pinned to one thread. Both sides start warm: the sequential
side after TensorFlow's import and one untimed tiny trial, the sweep after Ray's start and a
tiny sweep that starts the workers (Ray's start is reported beside, once per process in the
app). The trials are the adding problem over 50 steps, 32 units, 2000 sequences, 6 epochs;
each side is timed twice and its faster time kept, since the machine is shared.

    python benchmarks/bench_sweep.py [--quick]
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from benchmarks.common import REPO, not_measured, row, run_cli, timed  # noqa: E402
from lstm_core.experiments.config import CompareConfig  # noqa: E402
from lstm_core.sweeps import SweepSpec  # noqa: E402
from lstm_core.sweeps.trial import THREAD_ENV  # noqa: E402

TARGET = 1.6
TRIAL = CompareConfig(timesteps=50, units=32, n_train=2000, n_val=300, batch_size=32, epochs=6)
QUICK_TRIAL = dataclasses.replace(TRIAL, n_train=500, epochs=2)
ROUNDS = 2  # each side timed this many times, the fastest kept
WARM_UP = dataclasses.replace(TRIAL, timesteps=4, units=2, n_train=16, n_val=8, epochs=1,
                              batch_size=8, profile_samples=4)  # fmt: skip

SEQUENTIAL = """
import json, sys, time
from lstm_core.experiments.config import CompareConfig
from lstm_core.experiments.compare import run_compare
from lstm_core.sweeps import SweepSpec
spec = SweepSpec.from_dict(json.loads(sys.argv[1]))
run_compare(CompareConfig.from_dict(json.loads(sys.argv[2])))  # TensorFlow's import, traced
times = []
for _ in range(int(sys.argv[3])):
    start = time.perf_counter()
    for trial in spec.trials():
        run_compare(trial.config)
    times.append(time.perf_counter() - start)
print(min(times))
"""


def spec_of(config: CompareConfig) -> SweepSpec:
    """4 trials: SimpleRNN and LSTM, seeds 0 and 1."""
    return SweepSpec(config, seeds=(0, 1))


def sequential_s(spec: SweepSpec, rounds: int) -> float:
    """Seconds of the 4 trials one after the other, in a fresh process on one thread (the
    fastest of ``rounds``)."""
    done = subprocess.run(
        [sys.executable, "-c", SEQUENTIAL, json.dumps(spec.to_dict()),
         json.dumps(WARM_UP.to_dict()), str(rounds)],
        cwd=REPO, env={**os.environ, **THREAD_ENV, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return float(done.stdout.split()[-1])


def sweep_s(spec: SweepSpec, rounds: int) -> tuple[float, float]:
    """Seconds of Ray's start, and of the 4 trials through a sweep on 2 CPUs (the fastest of
    ``rounds`` sweeps)."""
    from lstm_core.runs import RunStore
    from lstm_core.sweeps import SweepJob, ray_backend

    ray_s = timed(lambda: ray_backend.connect(num_cpus=2))
    store = RunStore.in_memory()
    warm = SweepJob(SweepSpec(WARM_UP, seeds=(0,)), store).start().wait()  # starts 2 workers
    if warm.status != "finished":
        raise RuntimeError(f"the warm-up sweep ended {warm.status}: {warm.error}")
    times = []
    for _ in range(rounds):
        job = SweepJob(spec, store)
        times.append(timed(lambda job=job: job.start().wait()))
        final = job.snapshot()
        if final.status != "finished" or final.count("finished") != 4:
            raise RuntimeError(f"the sweep ended {final.status}: {final.trials}")
    return ray_s, min(times)


def main(quick: bool = False) -> list[dict]:
    target = "4 single-thread trials on 2 cores: one after the other vs through the sweep"
    spec = spec_of(QUICK_TRIAL if quick else TRIAL)
    rounds = 1 if quick else ROUNDS
    try:
        alone = sequential_s(spec, rounds)
        ray_s, through = sweep_s(spec, rounds)
    except Exception as error:  # noqa: BLE001 - a row that says why, never a crash
        return [not_measured(target, str(error).splitlines()[-1][:200], f">= {TARGET:g}")]
    ratio = alone / through
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return [
        row(
            target,
            f"{alone:.1f}s one after the other vs {through:.1f}s through the sweep (fastest of "
            f"{rounds}; Ray's start {ray_s:.1f}s, once per process, not counted); load average "
            f"{load:.1f} at the end",
            ratio,
            f">= {TARGET:g}",
            ratio >= TARGET,
        )
    ]


if __name__ == "__main__":
    run_cli(main)
