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
from lstm_core.validation import check_choice, check_int, check_known_keys

OWNER = "AblationConfig"
TASKS = ("adding", "copy", "windows")  # "windows": the user's own, passed to run_ablation
# The shipped reference ablation (scripts/reference_ablation.py writes it).
REFERENCE_RESULT = Path(__file__).with_name("reference_ablation.json")


# The comparison an ablation runs from each seed, unless told otherwise: the adding problem over
# 50 steps, Keras' LSTM and every variant, 8 epochs of 3000 sequences, the data from seed 0.
ABLATION_RUN = CompareConfig(timesteps=50, kinds=("lstm", *VARIANTS), epochs=8, n_train=3000,
                             n_val=500, batch_size=32, learning_rate=0.01, data_seed=0)  # fmt: skip
# The comparison's fields an ablation's JSON leaves out: the variants are its kinds, each seed
# sets the seed, and the profile is before and after training.
UNWRITTEN = ("kinds", "seed", "profile_epochs")
OWN = ("variants", "seeds", "data")  # the ablation's own keys of its JSON


@dataclass(frozen=True)
class AblationConfig:
    """One ablation: the comparison every seed runs, and the seeds; JSON round trip.

    The comparison (``CompareConfig``, validated by ``check_ablation``) holds the task
    (``"adding"``: MSE and the solved share; ``"copy"``: cross-entropy per step; ``"windows"``:
    the user's windows, passed to ``run_ablation``, scored beside naive, where timesteps and
    the numbers of sequences are the windows' own), the variants as its ``kinds`` (``"lstm"``
    is Keras' vanilla), the training budget and ``data_seed`` (the task data, alike for every
    seed). Its ``seed`` is each seed's (``run_config``).

    Example:

    >>> AblationConfig().replace(variants=("lstm", "nfg"), epochs=2).compare.kinds
    ('lstm', 'nfg')
    """

    compare: CompareConfig = ABLATION_RUN  # what each seed trains: task, variants, budget
    seeds: tuple[int, ...] = (0, 1, 2)  # one training per variant and seed
    # windows: where they came from, {"name", "sample" or "file", "window": window_to_dict},
    # so the ablation can be repeated; None for the generated tasks
    data: dict | None = None

    @property
    def task(self) -> str:
        return self.compare.task

    @property
    def variants(self) -> tuple[str, ...]:
        """The cell kinds compared: the comparison's kinds."""
        return self.compare.kinds

    @property
    def total_epochs(self) -> int:
        """Every epoch the ablation trains: each variant, from each seed."""
        return self.compare.epochs * len(self.seeds) * len(self.variants)

    def replace(self, **settings) -> AblationConfig:
        """This ablation with ``settings`` changed, named as its JSON names them: ``variants``,
        ``seeds``, ``data`` or a field of the comparison (``units=16``)."""
        own = {name: settings.pop(name) for name in ("seeds", "data") if name in settings}
        if "variants" in settings:
            settings["kinds"] = settings.pop("variants")
        compare = dataclasses.replace(self.compare, **settings)
        return dataclasses.replace(self, compare=compare, **own)

    def run_config(self, seed: int) -> CompareConfig:
        """The settings of one seed's trainings, as the comparison job takes them."""
        return dataclasses.replace(self.compare, seed=seed)

    def to_dict(self) -> dict:
        """One flat JSON object: the comparison's fields, ``variants``, ``seeds``, ``data``."""
        settings = self.compare.to_dict()
        d = {name: value for name, value in settings.items() if name not in UNWRITTEN}
        return {**d, "variants": list(self.variants), "seeds": list(self.seeds), "data": self.data}

    @classmethod
    def from_dict(cls, d: dict, limits: Limits | None = None) -> AblationConfig:
        """Build from ``to_dict()``'s output; ``ConfigError`` on unknown keys or bad values."""
        return check_ablation(read_config(d), limits)


def read_config(d: dict) -> AblationConfig:
    """``to_dict()``'s output as an ``AblationConfig``, its keys checked but not its values
    (a stored result is read as it was run)."""
    if not isinstance(d, dict):
        raise ConfigError(f"A {OWNER} must be a dict, got {type(d).__name__}.")
    known = [*OWN, *(f.name for f in dataclasses.fields(CompareConfig) if f.name not in UNWRITTEN)]
    check_known_keys(d, known, owner=OWNER)
    settings = {key: tuple(value) if isinstance(value, list) else value for key, value in d.items()}
    return AblationConfig().replace(**settings)


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
    for seed in (*seeds, config.compare.data_seed):
        check_int(seed, "seeds" if seed in seeds else "data_seed", owner=OWNER, min_val=0,
                  max_val=MAX_SEED - 1)  # fmt: skip
    # the task's sizes and the memory as the comparison checks them (the windows: their own,
    # check_windows), in the ablation's name
    run, limits = config.run_config(seeds[0]), limits or load_limits()
    if config.task == "windows":
        check_training(run, limits, owner=OWNER)
    else:
        check_compare(run, limits, owner=OWNER)
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

    def final_losses(self) -> list[dict]:
        """Each run's final validation loss: ``{"variant", "seed", "val_loss"}`` rows, for the
        runs that finished an epoch."""
        return [
            {"variant": variant, "seed": seed, "val_loss": run.val_loss[-1]}
            for variant, runs in self.runs.items()
            for seed, run in runs.items()
            if run.val_loss
        ]

    def median_curves(self) -> dict[str, np.ndarray]:
        """Per variant, the median over seeds of the validation loss after each epoch,
        ``(epochs,)``, over the epochs every seed reached; variants without an epoch are left
        out."""
        curves = {}
        for variant, runs in self.runs.items():
            losses = [run.val_loss for run in runs.values() if run.val_loss]
            if losses:
                epochs = min(len(loss) for loss in losses)
                curves[variant] = np.median([loss[:epochs] for loss in losses], axis=0)
        return curves

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
        config = read_config(d["config"])
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
    result.stopped = done < config.compare.epochs * len(config.seeds) * len(config.variants)
    result.wall_s = time.perf_counter() - started
    return result


def ablation_baseline(config: AblationConfig) -> float | None:
    """The remember-nothing loss of a generated task; None for the windows, whose
    yardstick is the naive forecast's test score (``own_windows.headline``)."""
    if config.task == "windows":
        return None
    return task_baseline(config.task, config.compare.timesteps)


def _trainer(config: AblationConfig, windows) -> Callable:
    """``train(run_config, variant, on_epoch, should_stop) -> (CellResult, test or None)``
    on the data of ``config.task``, the same arrays for every variant and seed."""
    if config.task == "windows":
        check_windows(windows, config)

        def train(run_config, variant, on_epoch, should_stop):
            return train_on_windows(run_config, variant, windows, on_epoch, should_stop)

        return train
    run = config.compare
    x, y = make_task(run.task, run.n_train, run.timesteps, run.data_seed)
    x_val, y_val = make_task(run.task, run.n_val, run.timesteps, run.data_seed + 1)

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

    >>> job = AblationJob(AblationConfig().replace(seeds=(0,), epochs=1)).start()  # doctest: +SKIP
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
            total_epochs=config.total_epochs,
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
