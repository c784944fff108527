"""The ablation lab: which part of the LSTM does the work? Train variants side by side over seeds.

Greff et al., "LSTM: A Search Space Odyssey" (2017), trained eight LSTM variants, each missing
one part, on three tasks and found the forget gate and the output activation critical, while
coupling the input and forget gates (CIFG) or dropping the peepholes cost little. This module
asks the same question at a size a laptop can run: every variant (a row of
``lstm_core.cells.CELLS``) trains on the same task data, once per seed, with the same seeds;
per variant it reports the median and spread over seeds of the final validation loss, the share
of sequences solved (the adding problem's criterion, ``|error| < 0.04``, Hochreiter &
Schmidhuber 1997), the learning curves and the gradient reach before and after training
(``lstm_core.experiments.gradients``), ranked by the median loss.

The task is the adding problem, copy memory, or the user's own windows (``task="windows"``: the
Data page's ``Windows``, ``lstm_core.experiments.own_windows``), where no share is solved and
each run's test score stands beside the naive forecast's instead.

The generated data are drawn once from ``data_seed`` (validation from ``data_seed + 1``); a
seed sets a variant's initial weights and the shuffle order, so the spread over seeds is the
spread of training itself. One training is ``lstm_core.experiments.compare.train_kind``, the
comparison job's own (on the windows, ``own_windows.train_on_windows`` over the same loop).
``AblationJob`` runs ``run_ablation`` in the background under the process-wide cap
on jobs (``lstm_core.jobs``); ``lstm_core.sweeps.ablation`` runs the same trainings
as a sweep on Ray, in parallel, and assembles the same ``AblationResult`` from them.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lstm_core.cells import KINDS, VARIANTS
from lstm_core.errors import ConfigError
from lstm_core.experiments.compare import train_kind
from lstm_core.experiments.config import MAX_SEED, CompareConfig, check_compare, check_training
from lstm_core.experiments.gradients import gradient_reach
from lstm_core.experiments.own_windows import check_windows, train_on_windows
from lstm_core.experiments.tasks import make_task, task_baseline
from lstm_core.jobs import ENDED, Job
from lstm_core.settings import Limits, load_limits
from lstm_core.validation import check_choice, check_int, from_dict

OWNER = "AblationConfig"
TASKS = ("adding", "copy", "windows")  # "windows": the user's own, passed to run_ablation
# The shipped reference ablation (scripts/reference_ablation.py writes it).
REFERENCE_RESULT = Path(__file__).with_name("reference_ablation.json")


@dataclass(frozen=True)
class AblationConfig:
    """One ablation: the task, the variants, the seeds and the budget; JSON round trip."""

    task: str = "adding"  # "adding" (MSE, solved share), "copy" (cross-entropy per step) or
    # "windows" (the user's windows, passed to run_ablation; test score beside naive)
    timesteps: int = 50  # adding: sequence length; copy: the delay; windows: not read
    variants: tuple[str, ...] = ("lstm", *VARIANTS)  # cell kinds; "lstm" is Keras' vanilla
    seeds: tuple[int, ...] = (0, 1, 2)  # one training per variant and seed
    units: int = 32  # size of h and c
    epochs: int = 8  # passes over the training data (the budget, with n_train)
    n_train: int = 3000  # training sequences (windows: not read, the windows' own)
    n_val: int = 500  # validation sequences (windows: not read)
    batch_size: int = 32  # sequences per Adam step
    learning_rate: float = 0.01  # Adam's step size
    clipnorm: float = 1.0  # largest gradient norm per weight tensor
    forget_bias: str = "one"  # forget-gate bias init of the variants with a forget gate
    data_seed: int = 0  # the task data (validation: data_seed + 1), alike for every run
    profile_samples: int = 100  # validation sequences the gradient reach averages over
    # windows: where they came from, {"name", "sample" or "file", "window": window_to_dict},
    # so the ablation can be repeated; None for the generated tasks
    data: dict | None = None

    def run_config(self, seed: int) -> CompareConfig:
        """The settings of one seed's trainings, as the comparison job takes them (for the
        windows task only its training fields are read and checked)."""
        return CompareConfig(
            task=self.task,
            timesteps=self.timesteps,
            kinds=self.variants,
            units=self.units,
            epochs=self.epochs,
            seed=seed,
            n_train=self.n_train,
            n_val=self.n_val,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            clipnorm=self.clipnorm,
            forget_bias=self.forget_bias,
            profile_samples=self.profile_samples,
            data_seed=self.data_seed,
        )

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["variants"], d["seeds"] = list(self.variants), list(self.seeds)
        return d

    @classmethod
    def from_dict(cls, d: dict, limits: Limits | None = None) -> AblationConfig:
        """Build from ``to_dict()``'s output; ``ConfigError`` on unknown keys or bad values."""
        return check_ablation(from_dict(cls, d), limits)


# The reference ablation: the adding problem at a size 2 shared cores run in about 20 minutes
# (over 50 steps Keras' LSTM learns it within 8 epochs; see docs/reference-ablation.md).
REFERENCE_ABLATION = AblationConfig(seeds=(0, 1, 2, 3, 4))


def check_ablation(config: AblationConfig, limits: Limits | None = None) -> AblationConfig:
    """Check the variants, the seeds and every training setting; return ``config``.

    Raises:
        ConfigError: naming the field, what was expected, the value received and the fix.
    """
    check_choice(config.task, "task", TASKS, owner=OWNER)
    variants = config.variants
    if not isinstance(variants, tuple) or not variants or any(v not in KINDS for v in variants):
        raise ConfigError(
            f"{OWNER} variants must be a non-empty tuple of cell kinds from {KINDS}, got "
            f"{variants!r}; e.g. ('lstm', 'nfg', 'cifg')."
        )
    seeds = config.seeds
    if not isinstance(seeds, tuple) or not seeds or len(set(seeds)) != len(seeds):
        raise ConfigError(
            f"{OWNER} seeds must be a non-empty tuple of different seeds, got {seeds!r}; "
            "e.g. (0, 1, 2)."
        )
    for seed in (*seeds, config.data_seed):
        check_int(seed, "seeds" if seed in seeds else "data_seed", owner=OWNER, min_val=0,
                  max_val=MAX_SEED - 1)  # fmt: skip
    try:  # the task, ranges and memory, as the comparison checks them; worded as ours
        if config.task == "windows":  # the data's sizes and memory: check_windows
            check_training(config.run_config(seeds[0]), limits or load_limits())
        else:
            check_compare(config.run_config(seeds[0]), limits)
    except ConfigError as error:
        raise ConfigError(str(error).replace("CompareConfig", OWNER)) from None
    return config


@dataclass
class VariantRun:
    """One variant trained from one seed."""

    val_loss: list[float]  # validation loss after each epoch
    solved: float | None  # adding: share of validation sequences with |error| < 0.04
    reach_before: float | None  # gradient_reach at initialisation
    reach_after: float | None  # gradient_reach after the last epoch
    params: int  # trainable weights of the model
    wall_s: float  # seconds of training
    # windows: own_windows.headline, the test score beside its yardstick; else None
    test: dict | None = None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class AblationResult:
    """What ``run_ablation`` found: every run, and per variant the summary."""

    config: AblationConfig
    baseline: float | None  # the loss of the best guess that remembers nothing (windows: None)
    runs: dict[str, dict[int, VariantRun]] = field(default_factory=dict)  # variant -> seed ->
    stopped: bool = False  # True when stop() ended it early
    wall_s: float = 0.0  # seconds the whole ablation took

    def summary(self) -> list[dict]:
        """One row per variant with runs, ranked by the median final validation loss.

        Returns:
            ``{"rank", "variant", "seeds", "median_val_loss", "q25_val_loss",
            "q75_val_loss", "min_val_loss", "max_val_loss", "median_solved",
            "reach_before", "reach_after"`` (medians over seeds), ``"params", "baseline",
            "test_metric", "median_test_score", "yardstick", "yardstick_score",
            "median_skill"}`` (the windows task's test score, the yardstick's on the same
            windows and the skill against it); ``None`` where a number does not apply (no
            solved share on the copy task or the windows, no test score on the generated ones).
        """
        rows = []
        for variant, runs in self.runs.items():
            final = [run.val_loss[-1] for run in runs.values() if run.val_loss]
            if not final:
                continue
            q25, median, q75 = np.percentile(final, [25, 50, 75])
            rows.append(
                {
                    "variant": variant,
                    "seeds": len(final),
                    "median_val_loss": float(median),
                    "q25_val_loss": float(q25),
                    "q75_val_loss": float(q75),
                    "min_val_loss": float(min(final)),
                    "max_val_loss": float(max(final)),
                    "median_solved": _median([run.solved for run in runs.values()]),
                    "reach_before": _median([run.reach_before for run in runs.values()]),
                    "reach_after": _median([run.reach_after for run in runs.values()]),
                    "params": next(iter(runs.values())).params,
                    "baseline": self.baseline,
                    **_test_summary([run.test for run in runs.values()]),
                }
            )
        rows.sort(key=lambda row: row["median_val_loss"])
        return [{"rank": rank, **row} for rank, row in enumerate(rows, 1)]

    def curves(self) -> list[dict]:
        """Long-format learning curves: ``{"variant", "seed", "epoch", "val_loss"}`` rows."""
        return [
            {"variant": variant, "seed": seed, "epoch": epoch, "val_loss": loss}
            for variant, runs in self.runs.items()
            for seed, run in runs.items()
            for epoch, loss in enumerate(run.val_loss, 1)
        ]

    def to_dict(self) -> dict:
        return {
            "config": self.config.to_dict(),
            "baseline": self.baseline,
            "stopped": self.stopped,
            "wall_s": round(self.wall_s, 1),
            "runs": {
                variant: {str(seed): run.to_dict() for seed, run in runs.items()}
                for variant, runs in self.runs.items()
            },
        }

    @classmethod
    def from_dict(cls, d: dict) -> AblationResult:
        """Read ``to_dict()``'s output back (a stored or shipped ablation)."""
        config = from_dict(AblationConfig, d["config"])
        runs = {
            variant: {int(seed): VariantRun(**run) for seed, run in seeds.items()}
            for variant, seeds in d["runs"].items()
        }
        return cls(config, d["baseline"], runs, d["stopped"], d.get("wall_s", 0.0))


def load_reference() -> AblationResult | None:
    """The shipped reference ablation, or None when it has not been written yet."""
    if not REFERENCE_RESULT.exists():
        return None
    return AblationResult.from_dict(json.loads(REFERENCE_RESULT.read_text()))


def run_ablation(
    config: AblationConfig,
    on_epoch: Callable[[str, int, int, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    windows=None,
) -> AblationResult:
    """Train every variant of ``config`` from every seed on the same data.

    Args:
        config: an ``AblationConfig``; checked first.
        on_epoch: called as ``on_epoch(variant, seed, epoch, val_loss)`` after every epoch.
        should_stop: polled after every epoch; True ends the training in progress after it
            and starts no other.
        windows: for ``task="windows"``, the ``lstm_core.data.Windows`` every variant trains
            on (``x_*`` of shape ``(samples, timesteps, features)``); ignored otherwise.

    Returns:
        An ``AblationResult``; ``to_dict()`` is JSON-able.

    Raises:
        ConfigError: from ``check_ablation``, or ``check_windows`` for the windows task.
    """
    check_ablation(config)
    started = time.perf_counter()
    on_epoch = on_epoch or (lambda variant, seed, epoch, loss: None)
    should_stop = should_stop or (lambda: False)
    train = _trainer(config, windows)
    result = AblationResult(config, ablation_baseline(config))
    for seed in config.seeds:  # seed by seed, so a stopped ablation has every variant's first
        run_config = config.run_config(seed)
        for variant in config.variants:
            if should_stop():
                break
            cell, test = train(
                run_config,
                variant,
                lambda kind, epoch, loss, seed=seed: on_epoch(kind, seed, epoch, loss),
                should_stop,
            )
            trained = [epoch for epoch in sorted(cell.profiles) if epoch > 0]
            result.runs.setdefault(variant, {})[seed] = VariantRun(
                val_loss=cell.val_loss,
                solved=cell.solved,
                reach_before=gradient_reach(cell.profiles[0]) if 0 in cell.profiles else None,
                reach_after=gradient_reach(cell.profiles[trained[-1]]) if trained else None,
                params=cell.params,
                wall_s=round(cell.wall_s, 2),
                test=test,
            )
    done = sum(len(run.val_loss) for runs in result.runs.values() for run in runs.values())
    result.stopped = done < config.epochs * len(config.seeds) * len(config.variants)
    result.wall_s = time.perf_counter() - started
    return result


def ablation_baseline(config: AblationConfig) -> float | None:
    """The remember-nothing loss of a generated task; None for the windows, whose
    yardstick is the naive forecast's test score (``own_windows.headline``)."""
    if config.task == "windows":
        return None
    return task_baseline(config.task, config.timesteps)


def _trainer(config: AblationConfig, windows) -> Callable:
    """``train(run_config, variant, on_epoch, should_stop) -> (CellResult, test or None)``
    on the data of ``config.task``, the same arrays for every variant and seed."""
    if config.task == "windows":
        check_windows(windows, config)

        def train(run_config, variant, on_epoch, should_stop):
            return train_on_windows(run_config, variant, windows, on_epoch, should_stop)

        return train
    x, y = make_task(config.task, config.n_train, config.timesteps, config.data_seed)
    x_val, y_val = make_task(config.task, config.n_val, config.timesteps, config.data_seed + 1)

    def train(run_config, variant, on_epoch, should_stop):
        data = (x, y, x_val, y_val)
        return train_kind(run_config, variant, data, on_epoch, should_stop), None

    return train


def _test_summary(tests: list) -> dict:
    """The windows task's test columns of a summary row: medians over seeds."""
    tests = [test for test in tests if test is not None]
    first = tests[0] if tests else {}
    return {
        "test_metric": first.get("metric"),
        "median_test_score": _median([test["score"] for test in tests]),
        "yardstick": first.get("yardstick"),
        # the same windows for every seed: one yardstick
        "yardstick_score": first.get("yardstick_score"),
        "median_skill": _median([test["skill"] for test in tests]),
    }


def _median(values) -> float | None:
    values = [value for value in values if value is not None]
    return float(np.median(values)) if values else None


@dataclass(frozen=True, eq=False)
class AblationSnapshot:
    """An ablation's progress at one moment; a copy, safe to keep and read."""

    status: str  # "pending" | "running" | "finished" | "stopped" | "failed"
    total_epochs: int  # epochs of every variant and seed together
    val_loss: dict[tuple[str, int], list[float]]  # (variant, seed) -> loss after each epoch
    baseline: float | None  # the remember-nothing loss (windows: None)
    elapsed_s: float  # seconds since start()
    error: str | None  # why the job failed
    result: AblationResult | None  # once ended, unless it failed
    sweep_id: str | None = None  # on Ray: the sweep whose runs are its trainings (sweeps.ablation)

    @property
    def progress(self) -> float:
        """Fraction of all epochs finished, in [0, 1]."""
        done = sum(len(losses) for losses in self.val_loss.values())
        return done / max(1, self.total_epochs)

    @property
    def done(self) -> bool:
        return self.status in ENDED


class AblationJob(Job):
    """Run ``run_ablation`` in a daemon thread, with progress and a stop.

    Args:
        config: an ``AblationConfig``; checked here, so a bad one fails before anything starts.
        windows: for ``task="windows"``, the ``Windows`` to train on; checked here too.
        limits: the app's limits; default ``load_limits()``.

    Example:

    >>> job = AblationJob(AblationConfig(seeds=(0,), epochs=1)).start()  # doctest: +SKIP
    >>> job.wait().result.summary()  # doctest: +SKIP
    """

    kind = "ablation"

    def __init__(self, config: AblationConfig, *, windows=None, limits: Limits | None = None):
        super().__init__(limits)
        self.config = check_ablation(config, self._limits)
        if config.task == "windows":
            check_windows(windows, config, self._limits)
        self.windows = windows
        self._val_loss: dict[tuple[str, int], list[float]] = {}
        self._result: AblationResult | None = None

    def describe(self, snapshot: AblationSnapshot) -> str:
        return f"Ablation lab: {snapshot.status}, {snapshot.progress:.0%}"

    def _snapshot(self) -> AblationSnapshot:
        config = self.config
        return AblationSnapshot(
            status=self._status,
            total_epochs=config.epochs * len(config.seeds) * len(config.variants),
            val_loss={key: list(losses) for key, losses in self._val_loss.items()},
            baseline=ablation_baseline(config),
            elapsed_s=self._elapsed(time.monotonic()),
            error=self._error,
            result=self._result,
        )

    def _on_epoch(self, variant: str, seed: int, epoch: int, val_loss: float) -> None:
        with self._lock:
            self._val_loss.setdefault((variant, seed), []).append(val_loss)

    def _work(self) -> str:
        result = run_ablation(self.config, self._on_epoch, lambda: self.stopping, self.windows)
        with self._lock:
            self._result = result
        return "stopped" if result.stopped else "finished"
