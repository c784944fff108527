"""An ablation as a sweep: every variant and seed a trial on Ray, the result assembled back.

``run_ablation`` trains one variant after another in this process; an ablation of eight
variants over five seeds is forty independent trainings, which is what the sweep runner
(``lstm_core.sweeps``) spreads over the cores, or over a Ray cluster (``RAY_ADDRESS``). Here
the ablation is expressed as a ``SweepSpec``: its base is the ablation's training settings
(``AblationConfig.run_config``, the data drawn from ``data_seed`` for every seed), its one axis
the cell kind over the chosen variants, its seeds the ablation's. Each trial is stored as a
run linked to the sweep by the driver (``SweepJob``), and ``ablation_from_store`` assembles
the trials back into the ``AblationResult`` the in-process ablation returns: the same runs,
summary, ranking and curves, so the page and the command draw either one.

A trial (``lstm_core.sweeps.trial.run_trial``) already reports all an ablation shows: the
learning curve, the share solved, the gradient reach before and after training and the
parameter count (``CompareResult.summary``, kept as the run's ``test_metrics``).

The user's windows (``task="windows"``) are not a sweep base yet: that ablation runs in this
process only.
"""

from __future__ import annotations

import dataclasses
import time

from lstm_core.errors import ConfigError
from lstm_core.experiments.ablation import (
    ABLATION_RUN,
    AblationConfig,
    AblationResult,
    AblationSnapshot,
    VariantRun,
    ablation_baseline,
    check_ablation,
)
from lstm_core.runs import LOCAL_WORKSPACE
from lstm_core.sweeps.runner import SweepJob
from lstm_core.sweeps.spec import KIND_AXIS, SweepSpec

NAME = "ablation"  # the sweep's name prefix; the store lists it beside other sweeps


def ablation_spec(config: AblationConfig) -> SweepSpec:
    """The sweep of ``config``: base its training settings, axis the variants, its seeds.

    Raises:
        ConfigError: ``config`` is invalid, or its task is the user's windows.
    """
    check_ablation(config)
    if config.task == "windows":
        raise ConfigError(
            "AblationConfig task 'windows' cannot run on Ray yet: a sweep trains on the "
            "generated tasks only; run it in this process, or choose 'adding' or 'copy'."
        )
    return SweepSpec(
        base=config.run_config(config.seeds[0]),
        axes=((KIND_AXIS, config.variants),),
        seeds=config.seeds,
        name=f"{NAME}: {config.task}, {config.compare.timesteps} steps",
    )


def ablation_config(spec: SweepSpec) -> AblationConfig:
    """The ``AblationConfig`` that ``ablation_spec`` made ``spec`` from (a stored sweep's)."""
    base = spec.base
    axes = dict(spec.effective_axes)
    if set(axes) != {KIND_AXIS} or base.data_seed is None:
        raise ConfigError(
            f"Sweep {spec.name!r} is not an ablation: expected one axis, {KIND_AXIS!r}, and a "
            f"data_seed, got axes {sorted(axes)} and data_seed {base.data_seed!r}; open it on "
            "the Sweeps page."
        )
    compare = dataclasses.replace(base, kinds=tuple(axes[KIND_AXIS]), seed=ABLATION_RUN.seed)
    return AblationConfig(compare=compare, seeds=spec.seeds)


def ablation_from_store(
    store, sweep_id: str, workspace: str = LOCAL_WORKSPACE, wall_s: float = 0.0
) -> AblationResult:
    """The ``AblationResult`` of stored ablation sweep ``sweep_id``, from its trials' runs.

    A trial counts once its worker returned (its run has ``test_metrics``): finished, or
    stopped with the epochs it did; a failed trial, or one never started, is left out, as a
    stopped in-process ablation leaves out the trainings it did not start.

    Args:
        store: the ``RunStore`` holding the sweep.
        sweep_id: the sweep's id.
        workspace: the store's workspace.
        wall_s: seconds the ablation took (the sweep job's), for the result.
    """
    spec = SweepSpec.from_dict(store.get_sweep(sweep_id, workspace)["spec"])
    config = ablation_config(spec)
    runs = store.sweep_trials(sweep_id, workspace)
    result = AblationResult(config, ablation_baseline(config), wall_s=wall_s)
    for trial in spec.trials():  # seed by seed, kinds in order: run_ablation's order
        run = runs.get(trial.key)
        if run is None or run.test_metrics is None:
            continue
        metrics = run.test_metrics
        variant, seed = trial.values[KIND_AXIS], trial.values["seed"]
        result.runs.setdefault(variant, {})[seed] = VariantRun(
            val_loss=[float(loss) for loss in run.history["val_loss"]],
            solved=metrics["solved"],
            reach_before=metrics["reach_before"],
            reach_after=metrics["reach_after"],
            params=metrics["params"],
            wall_s=round(metrics["wall_s"], 2),
        )
    done = sum(len(run.val_loss) for runs in result.runs.values() for run in runs.values())
    result.stopped = done < config.compare.epochs * len(config.seeds) * len(config.variants)
    return result


class AblationSweepJob(SweepJob):
    """An ablation's trials on Ray, as a ``SweepJob`` whose snapshot is an ablation's.

    Its ``snapshot()`` is an ``AblationSnapshot`` (with the sweep's id), so a page or command
    that follows an ``AblationJob`` follows this one alike; once ended its ``result`` is
    ``ablation_from_store``'s.

    Args:
        config: an ``AblationConfig`` of a generated task; checked here.
        store: the ``RunStore`` its sweep and runs go to.
        **options: ``SweepJob``'s (``workspace``, ``address``, ``num_cpus``, ``limits``).

    Example:

    >>> job = AblationSweepJob(AblationConfig(seeds=(0, 1)), RunStore.default())  # doctest: +SKIP
    >>> job.start().wait().result.summary()  # doctest: +SKIP
    """

    kind = "ablation"

    def __init__(self, config: AblationConfig, store, **options) -> None:
        super().__init__(ablation_spec(config), store, **options)
        self.config = config
        self._result: AblationResult | None = None

    def describe(self, snapshot: AblationSnapshot) -> str:
        return f"Ablation lab on Ray: {snapshot.status}, {snapshot.progress:.0%}"

    def _snapshot(self) -> AblationSnapshot:
        config = self.config
        return AblationSnapshot(
            status=self._status,
            total_epochs=config.total_epochs,
            val_loss={
                (state.values[KIND_AXIS], state.values["seed"]): list(state.val_loss)
                for state in self._states.values()
                if state.val_loss
            },
            baseline=ablation_baseline(config),
            elapsed_s=self._elapsed(time.monotonic()),
            error=self._error,
            result=self._result,
            sweep_id=self.sweep_id,
        )

    def _work(self) -> str:
        status = super()._work()
        with self._lock:
            wall_s = self._elapsed(time.monotonic())
        result = ablation_from_store(self.store, self.sweep_id, self.workspace, wall_s)
        with self._lock:
            self._result = result
        return status
