"""``SweepSpec``: a base experiment, the axes swept over it and the seeds, as plain JSON.

The base is a task comparison (``CompareConfig``, below) or a training run on the user's own
data (an ``Experiment``: ``lstm_core.sweeps.training`` says how its axes apply).

A comparison sweep expands into independent trials, one per combination of axis values and seed, each a
``CompareConfig`` for one cell kind (``lstm_core.experiments``): the unit a Ray worker trains
and the run store keeps. The axes are fields of the base experiment (``timesteps``, ``units``,
``learning_rate``, ...) plus ``kind``, the cell kind; when ``kind`` is not swept, the base's
``kinds`` become its values, so every trial trains exactly one cell.

Trials are ordered seed by seed (every setting of seed 0, then of seed 1, ...), so that a
stopped sweep has results across the whole curve rather than every seed of its first point.
A trial's key (``"kind=lstm,timesteps=100,seed=0"``) says what it is and is how a resumed
sweep knows which trials are done.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field

from lstm_core.errors import ConfigError
from lstm_core.experiment_io import Experiment, experiment_document, experiment_from_document
from lstm_core.experiments.config import MAX_SEED, CompareConfig, check_compare
from lstm_core.fields import COMPARE, swept
from lstm_core.settings import Limits, load_limits
from lstm_core.sweeps import training
from lstm_core.validation import check_int, check_keys

OWNER = "SweepSpec"
KIND_AXIS = "kind"  # the axis of cell kinds: a trial trains one kind
# CompareConfig's fields a sweep may vary (its field table's swept rows); kinds (the kind
# axis), seed (the seeds) and the gradient-profile settings are not axes.
AXES = (KIND_AXIS, *(field.name for field in swept((COMPARE,))))


@dataclass(frozen=True)
class Trial:
    """One trial of a sweep: a point of the axes and a seed."""

    key: str  # "kind=lstm,timesteps=100,seed=0": unique in its sweep, stable across runs
    values: dict  # axis -> value, and "seed", as in the key
    # what the worker trains: one kind, this point's values and seed; or, for a training
    # sweep, the whole experiment with them
    config: CompareConfig | Experiment


@dataclass(frozen=True)
class SweepSpec:
    """A sweep: ``base`` with each combination of ``axes`` and each seed of ``seeds``.

    Example:

    >>> spec = SweepSpec(axes=(("timesteps", (10, 20)), ("kind", ("rnn", "lstm"))), seeds=(0, 1))
    >>> len(spec.trials())
    8
    """

    # the settings not swept: a task comparison, or a training experiment (data, windows,
    # model, training; every part set)
    base: CompareConfig | Experiment = field(default_factory=CompareConfig)
    # (field, values) pairs, in the order the keys name them; e.g. (("timesteps", (50, 100)),)
    axes: tuple[tuple[str, tuple], ...] = ()
    seeds: tuple[int, ...] = (0,)  # each point is trained once per seed
    name: str = ""  # a label for lists, e.g. "breaking length"

    @property
    def effective_axes(self) -> tuple[tuple[str, tuple], ...]:
        """``axes``, with a comparison base's kinds as the ``kind`` axis when it is not swept
        (a training base's layers say their kind)."""
        if training.is_training(self.base) or any(name == KIND_AXIS for name, _ in self.axes):
            return self.axes
        return ((KIND_AXIS, self.base.kinds), *self.axes)

    def trials(self) -> list[Trial]:
        """Every trial, seed by seed; see the module docstring."""
        names = [name for name, _ in self.effective_axes]
        points = list(itertools.product(*(values for _, values in self.effective_axes)))
        trials = []
        for seed in self.seeds:
            for point in points:
                values = {**dict(zip(names, point, strict=True)), "seed": seed}
                trials.append(Trial(_key(values), values, _trial_config(self.base, values)))
        return trials

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "base": config_document(self.base),
            "axes": {name: list(values) for name, values in self.axes},
            "seeds": list(self.seeds),
        }

    @classmethod
    def from_dict(cls, d: dict, limits: Limits | None = None) -> SweepSpec:
        """Build from ``to_dict()``'s output; raises ``ConfigError`` on unknown keys, wrong
        types or out-of-range values (of the sweep and of every trial)."""
        values = check_keys(cls, d)
        axes = values.get("axes", {})
        if not isinstance(axes, dict):
            raise ConfigError(
                f"{OWNER} axes must be a dict of field -> list of values, got "
                f'{type(axes).__name__}; e.g. {{"timesteps": [50, 100]}}.'
            )
        base = values.get("base", CompareConfig().to_dict())
        if isinstance(base, dict) and "lstm_lab" in base:  # an experiment document
            base = training.check_base(experiment_from_document(base, limits))
        else:
            base = CompareConfig.from_dict(base, limits)
        spec = cls(
            base=base,
            axes=tuple((name, _as_tuple(name, v)) for name, v in axes.items()),
            seeds=_as_tuple("seeds", values.get("seeds", [0])),
            name=values.get("name", ""),
        )
        return check_sweep(spec, limits)


def check_sweep(spec: SweepSpec, limits: Limits | None = None) -> SweepSpec:
    """Check the axes, the seeds, the number of trials and every trial's settings; return
    ``spec``.

    Raises:
        ConfigError: naming the axis or field, what was expected, what was received, the fix.
    """
    limits = limits or load_limits()
    if not isinstance(spec.name, str):
        raise ConfigError(f"{OWNER} name must be text, got {spec.name!r}; e.g. 'breaking length'.")
    is_training = training.is_training(spec.base)
    if is_training:
        training.check_base(spec.base)
    allowed = tuple(training.TRAINING_AXES) if is_training else AXES
    names = [name for name, _ in spec.axes]
    for name, values in spec.axes:
        if name not in allowed:
            raise ConfigError(
                f"{OWNER} axis {name!r} is not a field a sweep can vary; expected some of "
                f"{allowed}. Remove it or check its spelling."
            )
        if not isinstance(values, tuple) or not values or len(set(values)) != len(values):
            raise ConfigError(
                f"{OWNER} axis {name!r} must be a non-empty list of distinct values, got "
                f"{values!r}; remove the repeats or add a value."
            )
    if len(set(names)) != len(names):
        raise ConfigError(f"{OWNER} names an axis twice in {names}; give each axis once.")
    if (
        not isinstance(spec.seeds, tuple)
        or not spec.seeds
        or len(set(spec.seeds)) != len(spec.seeds)
    ):
        raise ConfigError(
            f"{OWNER} seeds must be a non-empty list of distinct seeds, got {spec.seeds!r}; "
            "e.g. [0, 1, 2]."
        )
    for seed in spec.seeds:
        check_int(seed, "seed", owner=OWNER, min_val=0, max_val=MAX_SEED)
    count = len(spec.seeds)
    for _, values in spec.effective_axes:
        count *= len(values)
    check_int(
        count,
        "trials (the axes' values times the seeds)",
        owner=OWNER,
        min_val=1,
        max_val=limits.max_sweep_trials,
        limit="LSTM_LAB_MAX_SWEEP_TRIALS",
    )
    for trial in spec.trials():
        if is_training:
            training.check_trial(trial.config, limits)
        else:
            check_compare(trial.config, limits)
    return spec


def config_document(config: CompareConfig | Experiment) -> dict:
    """A base's or a trial's settings as JSON: ``CompareConfig.to_dict()``, or the
    experiment's document (``experiment_io.experiment_document``)."""
    if training.is_training(config):
        return experiment_document(config)
    return config.to_dict()


def _trial_config(base: CompareConfig | Experiment, values: dict) -> CompareConfig | Experiment:
    if training.is_training(base):
        return training.trial_experiment(base, values)
    changes = {name: value for name, value in values.items() if name != KIND_AXIS}
    return dataclasses.replace(base, kinds=(values[KIND_AXIS],), **changes)


def _key(values: dict) -> str:
    return ",".join(f"{name}={value}" for name, value in values.items())


def _as_tuple(name: str, values) -> tuple:
    if not isinstance(values, list | tuple):
        raise ConfigError(
            f"{OWNER} {name} must be a list of values, got {values!r}; e.g. [50, 100]."
        )
    return tuple(values)
