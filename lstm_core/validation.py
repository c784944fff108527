"""The validation kernel under every config and spec dataclass: one wording for a bad value.

In the manner of scikit-learn's ``check_scalar(x, name, target_type, *, min_val, max_val)``:
each check validates one value, returns it, and raises the caller's ``LabError`` subclass with
one of a few message templates, so that every class words the same mistake the same way:

- a number of the wrong type: ``"TrainConfig epochs must be an int, got 2.5 (float); write a
  whole number."``
- a number out of range: ``"TrainConfig epochs must be between 1 and 1000, got 0; choose a
  value in that range or raise the limit with LSTM_LAB_MAX_EPOCHS."``
- a choice: ``"TrainConfig optimizer must be one of ('adam', 'rmsprop', 'sgd'), got 'adamw';
  pick one of them."``
- keys of a JSON dict: ``"Unknown TrainConfig key(s) ['epoch']; expected some of [...].
  Remove them or check their spelling."`` and ``"WindowSpec needs the key(s) ['lookback'];
  add them."``

``owner`` is what the user knows the value by: a class name (``"TrainConfig"``) or a place
(``"layer 2"``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

from lstm_core.errors import ConfigError, LabError

_BRACKETS = {"both": "[]", "left": "[)", "right": "(]", "neither": "()"}


def check_int(
    value: object,
    name: str,
    *,
    owner: str,
    min_val: int | None = None,
    max_val: int | None = None,
    limit: str | None = None,
    error: type[LabError] = ConfigError,
) -> int:
    """Return ``value`` if it is an int (never a bool) in ``[min_val, max_val]``.

    ``limit`` names the environment variable that sets ``max_val``, told as the fix.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(
            f"{owner} {name} must be an int, got {value!r} ({type(value).__name__}); "
            "write a whole number."
        )
    _check_range(value, name, owner, min_val, max_val, "both", limit, error)
    return value


def check_number(
    value: object,
    name: str,
    *,
    owner: str,
    min_val: float | None = None,
    max_val: float | None = None,
    include_boundaries: str = "both",
    fix: str | None = None,
    error: type[LabError] = ConfigError,
) -> float:
    """Return ``value`` as a float if it is a finite int or float (never a bool) in the
    interval from ``min_val`` to ``max_val``; ``include_boundaries`` is ``"both"``, ``"left"``,
    ``"right"`` or ``"neither"``, as in scikit-learn. ``fix`` replaces the default advice."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise error(
            f"{owner} {name} must be a finite number, got {value!r} ({type(value).__name__}); "
            "write it as e.g. 0.001."
        )
    _check_range(value, name, owner, min_val, max_val, include_boundaries, None, error, fix)
    return float(value)


def check_choice(
    value: object,
    name: str,
    choices: Sequence[str],
    *,
    owner: str,
    error: type[LabError] = ConfigError,
) -> str:
    """Return ``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise error(
            f"{owner} {name} must be one of {tuple(choices)}, got {value!r}; pick one of them."
        )
    return value


def check_keys(cls: type, d: object, *, error: type[LabError] = ConfigError) -> dict:
    """Return a copy of the JSON dict ``d`` if its keys are fields of the dataclass ``cls``
    and it has every field without a default."""
    owner = cls.__name__
    if not isinstance(d, dict):
        raise error(f"A {owner} must be a dict, got {type(d).__name__}.")
    fields = {field.name: field for field in dataclasses.fields(cls)}
    check_known_keys(d, fields, owner=owner, error=error)
    missing = sorted(
        name
        for name, field in fields.items()
        if name not in d
        and field.default is dataclasses.MISSING
        and field.default_factory is dataclasses.MISSING
    )
    if missing:
        raise error(f"{owner} needs the key(s) {missing}; add them.")
    return dict(d)


def check_known_keys(
    d: dict, known: Sequence[str], *, owner: str, error: type[LabError] = ConfigError
) -> None:
    """Refuse a key of ``d`` that is not in ``known``."""
    unknown = sorted(str(key) for key in d if key not in known)
    if unknown:
        raise error(
            f"Unknown {owner} key(s) {unknown}; expected some of {sorted(known)}. "
            "Remove them or check their spelling."
        )


def from_dict(
    cls: type,
    d: object,
    *,
    error: type[LabError] = ConfigError,
    convert: Callable[[dict], dict] | None = None,
):
    """Build the frozen dataclass ``cls`` from a JSON dict; its ``__post_init__`` (or the
    caller) checks the values. JSON lists become tuples; ``convert`` may rebuild nested
    values first (e.g. a list of layer dicts)."""
    values = check_keys(cls, d, error=error)
    values = {
        key: tuple(value) if isinstance(value, list) else value for key, value in values.items()
    }
    return cls(**(convert(values) if convert else values))


def _check_range(value, name, owner, low, high, boundaries, limit, error, fix=None) -> None:
    left, right = _BRACKETS[boundaries]
    above = low is None or (value >= low if left == "[" else value > low)
    below = high is None or (value <= high if right == "]" else value < high)
    if above and below:
        return
    if fix is None:
        fix = "choose a value in that range" + (
            f" or raise the limit with {limit}" if limit else ""
        )
    raise error(f"{owner} {name} must be {_interval(low, high, left, right)}, got {value}; {fix}.")


def _interval(low, high, left: str, right: str) -> str:
    """``"between 1 and 1000"``, ``"at least 1"``, ``"in (0, 1]"``, ``"above 0"``."""
    if high is None:
        return f"at least {low}" if left == "[" else f"above {low}"
    if low is None:
        return f"at most {high}" if right == "]" else f"below {high}"
    if left + right == "[]":
        return f"between {low} and {high}"
    return f"in {left}{low}, {high}{right}"
