"""Sweep scaling: 4 single-thread trials through the sweep on 2 cores against one after the other.

Issue 17 target: on a 2-core machine, 4 trials run through ``SweepJob`` (local Ray, 2 CPUs,
each trial pinned to one thread) finish at least 1.6 times faster than the same 4 trials run
one after the other in one process pinned to one thread. Both sides start warm: the sequential
side after TensorFlow's import and one untimed tiny trial, the sweep after Ray's start and a
tiny sweep that starts the workers (Ray's start is reported beside, once per process in the
app). Each side is timed twice and its faster time kept, since the machine is shared.

- **The goal's trials: 4 seeds of one LSTM** on the adding problem (50 steps, 32 units, 2000
  sequences, 6 epochs), trials of equal length, so that 2 CPUs can share them evenly: what a
  sweep's seeds are.
- **Reported beside it: 2 SimpleRNN and 2 LSTM trials**, of unequal length (a SimpleRNN trial
  takes about 70 % of an LSTM's): on 2 CPUs one lane ends early and waits, which no runner
  can avoid with 4 trials.
- **Reported: the machine's own ceiling**, without Ray: one LSTM trial alone in a process,
  against two at once in two processes. On a machine whose 2 cores slow each other down (a
  shared cache and memory bus, a busy host), two trials at once never run 2 times faster than
  one after the other, whatever runs them.

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
TRIAL = CompareConfig(timesteps=50, units=32, n_train=2000, n_val=300, batch_size=32, epochs=6,
                      kinds=("lstm",))  # fmt: skip
QUICK_TRIAL = dataclasses.replace(TRIAL, n_train=500, epochs=2)
ROUNDS = 3  # each side timed this many times, the fastest kept
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


TWO_AT_ONCE = """
import json, sys, time
from lstm_core.experiments.config import CompareConfig
from lstm_core.experiments.compare import run_compare
config = CompareConfig.from_dict(json.loads(sys.argv[1]))
run_compare(config)  # TensorFlow's import, traced
start = time.perf_counter()
run_compare(config)
print(time.perf_counter() - start)
"""


def spec_of(config: CompareConfig) -> SweepSpec:
    """The goal's 4 trials: one LSTM, seeds 0 to 3 (equal lengths)."""
    return SweepSpec(config, seeds=(0, 1, 2, 3))


def mixed_spec_of(config: CompareConfig) -> SweepSpec:
    """4 trials of unequal length: SimpleRNN and LSTM, seeds 0 and 1."""
    return SweepSpec(dataclasses.replace(config, kinds=("rnn", "lstm")), seeds=(0, 1))


def machine_slowdown(config: CompareConfig, rounds: int) -> tuple[float, float]:
    """Seconds of one trial alone in a fresh single-thread process, and of the slower of two
    such processes run at once (no Ray); the fastest of ``rounds`` each."""

    def launch():
        return subprocess.Popen(
            [sys.executable, "-c", TWO_AT_ONCE, json.dumps(config.to_dict())],
            cwd=REPO, env={**os.environ, **THREAD_ENV, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip

    alone, both = [], []
    for _ in range(rounds):
        alone.append(float(launch().communicate(timeout=600)[0].split()[-1]))
        pair = [launch(), launch()]
        both.append(max(float(p.communicate(timeout=600)[0].split()[-1]) for p in pair))
    return min(alone), min(both)


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


def ray_start_s() -> float:
    """Seconds of a local Ray's start on 2 CPUs (once per process in the app)."""
    from lstm_core.sweeps import ray_backend

    return timed(lambda: ray_backend.connect(num_cpus=2))


def sweep_s(spec: SweepSpec, rounds: int) -> float:
    """Seconds of the 4 trials through a sweep on the 2 CPUs of the Ray already started (the
    fastest of ``rounds`` sweeps)."""
    from lstm_core.runs import RunStore
    from lstm_core.sweeps import SweepJob

    store = RunStore.in_memory()
    warm = SweepJob(SweepSpec(WARM_UP, seeds=(0, 1)), store).start().wait()  # 2 workers start
    if warm.status != "finished":
        raise RuntimeError(f"the warm-up sweep ended {warm.status}: {warm.error}")
    times = []
    for _ in range(rounds):
        job = SweepJob(spec, store)
        times.append(timed(lambda job=job: job.start().wait()))
        final = job.snapshot()
        if final.status != "finished" or final.count("finished") != 4:
            raise RuntimeError(f"the sweep ended {final.status}: {final.trials}")
    return min(times)


def main(quick: bool = False) -> list[dict]:
    trial = QUICK_TRIAL if quick else TRIAL
    rounds = 1 if quick else ROUNDS
    rows, ray_s = [], None
    for spec, target, goal in (
        (spec_of(trial), "4 single-thread trials on 2 cores (one LSTM, 4 seeds): one after "
         "the other vs through the sweep", f">= {TARGET:g}"),
        (mixed_spec_of(trial), "4 single-thread trials of unequal length (2 SimpleRNN, 2 LSTM)"
         ": one after the other vs through the sweep", "reported"),
    ):  # fmt: skip
        try:
            alone = sequential_s(spec, rounds)
            ray_s = ray_start_s() if ray_s is None else ray_s
            through = sweep_s(spec, rounds)
        except Exception as error:  # noqa: BLE001 - a row that says why, never a crash
            rows.append(not_measured(target, str(error).splitlines()[-1][:200], goal))
            continue
        ratio = alone / through
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        rows.append(
            row(
                target,
                f"{alone:.1f}s one after the other vs {through:.1f}s through the sweep (fastest "
                f"of {rounds}; Ray's start {ray_s:.1f}s, once per process, not counted); load "
                f"average {load:.1f} at the end",
                ratio,
                goal,
                ratio >= TARGET if goal != "reported" else None,
            )
        )
    target = "the machine's ceiling for 2 trials at once, without Ray: one LSTM trial alone vs 2"
    try:
        alone, both = machine_slowdown(trial, rounds)
    except Exception as error:  # noqa: BLE001
        rows.append(not_measured(target, str(error).splitlines()[-1][:200], "reported"))
        return rows
    rows.append(
        row(
            target,
            f"{alone:.1f}s alone vs {both:.1f}s each when 2 run at once in 2 processes (fastest of "
            f"{rounds}): at best {2 * alone / both:.2f} times faster than one after the other",
            2 * alone / both,
            "reported",
            None,
        )
    )
    return rows


if __name__ == "__main__":
    run_cli(main)
