"""Small ``check_*`` functions that validate one value and return it cleaned.

In the manner of scikit-learn's ``sklearn/utils/validation.py``: every user-facing check of the
data layer lives here, and every message names the input, what was expected, what was received
and how to fix it. All raise ``DataError``; numbers, choices and JSON keys are checked by the
kernel every config and spec shares (``lstm_core.validation``), in its wording.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lstm_core import validation
from lstm_core.errors import DataError
from lstm_core.settings import Limits

if TYPE_CHECKING:
    import pandas as pd

BYTES_PER_FLOAT = 4


def check_int(owner: str, name: str, value: object, minimum: int) -> int:
    """Return ``value`` if it is an int (not a bool) of at least ``minimum``."""
    return validation.check_int(value, name, owner=owner, min_val=minimum, error=DataError)


def check_choice(owner: str, name: str, value: object, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    return validation.check_choice(value, name, choices, owner=owner, error=DataError)


def check_fractions(owner: str, val_fraction: object, test_fraction: object) -> None:
    """Check that both split fractions are numbers in [0, 1) that leave rows for training."""
    for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
            raise DataError(
                f"{owner} {name} must be a number in [0, 1), got {value!r}; "
                f"use e.g. 0.15 for 15% of the data, or 0 for no such split."
            )
    if val_fraction + test_fraction >= 1:
        raise DataError(
            f"{owner} val_fraction + test_fraction must be below 1, got "
            f"{val_fraction} + {test_fraction}; leave some data for training."
        )


def check_names(owner: str, name: str, value: object) -> tuple[str, ...]:
    """Return a non-empty tuple of distinct column names from a tuple or list of strings."""
    if isinstance(value, str) or not isinstance(value, tuple | list):
        raise DataError(
            f"{owner} {name} must be a list of column names, got {value!r}; "
            f"write e.g. {name}=({value!r},) for a single column."
        )
    if not value or not all(isinstance(v, str) and v for v in value):
        raise DataError(
            f"{owner} {name} must hold at least one non-empty column name, got {value!r}."
        )
    repeated = sorted({v for v in value if value.count(v) > 1})
    if repeated:
        raise DataError(f"{owner} {name} lists {repeated} more than once; list each column once.")
    return tuple(value)


def check_name(owner: str, name: str, value: object, *, optional: bool = False) -> str | None:
    """Return ``value`` if it is a non-empty string (or ``None`` when ``optional``)."""
    if optional and value is None:
        return None
    if not isinstance(value, str) or not value:
        raise DataError(f"{owner} {name} must be a column name (a string), got {value!r}.")
    return value


def spec_from_dict(cls: type, d: object) -> object:
    """Build the frozen spec ``cls`` from a JSON dict; its ``__post_init__`` checks the values.

    Lists become tuples (JSON has no tuples). Raises ``DataError`` on a non-dict, an unknown
    key or a missing required key.
    """
    return validation.from_dict(cls, d, error=DataError)


def spec_to_dict(spec: object) -> dict:
    """A frozen spec as a JSON-ready dict (tuples as lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(spec).items()}


def check_unique_columns(df: pd.DataFrame) -> None:
    """Refuse a frame with two columns of the same name (which one would be meant?)."""
    repeated = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
    if repeated:
        raise DataError(
            f"The data has more than one column named {repeated}; give every column a unique name."
        )


def check_column(df: pd.DataFrame, column: str, role: str) -> str:
    """Return ``column`` if ``df`` has it; ``role`` says what it was chosen as."""
    if column not in df.columns:
        available = ", ".join(str(c) for c in df.columns)
        raise DataError(
            f"The {role} column {column!r} is not in the data; the columns are: {available}."
        )
    return column


def check_numeric(df: pd.DataFrame, columns: Sequence[str], role: str) -> list[str]:
    """Return ``columns`` if each exists in ``df`` and holds numbers (not text, dates or bools)."""
    for column in columns:
        check_column(df, column, role)
        values = df[column]
        if is_number_column(values):
            continue
        example = values.dropna().iloc[0] if values.notna().any() else None
        numeric = [str(c) for c in df.columns if is_number_column(df[c])]
        raise DataError(
            f"The {role} column {column!r} holds {kind_of(values)} (e.g. {example!r}), not "
            f"numbers; choose from the numeric columns: {', '.join(numeric) or 'none'}."
        )
    return list(columns)


def kind_of(values: pd.Series) -> str:
    """What a column holds, in words: "numbers", "dates", "true/false values" or "text"."""
    from pandas.api import types  # loaded already: `values` is a pandas column

    if is_number_column(values):
        return "numbers"
    if types.is_datetime64_any_dtype(values):
        return "dates"
    if types.is_bool_dtype(values):
        return "true/false values"
    return "text"


def is_number_column(values: pd.Series) -> bool:
    """True for a column of ints or floats; bools, text and dates are not numbers here."""
    from pandas.api import types  # loaded already: `values` is a pandas column

    return types.is_numeric_dtype(values) and not types.is_bool_dtype(values)


def split_sizes(
    n: int, val_fraction: float, test_fraction: float, unit: str
) -> tuple[int, int, int]:
    """Split ``n`` rows or sequences into (train, val, test) counts, in that order.

    A split with a positive fraction must get at least one ``unit``; a fraction of 0 gives an
    empty split.
    """
    n_val = round(n * val_fraction)
    n_test = round(n * test_fraction)
    for name, fraction, size in (
        ("validation", val_fraction, n_val),
        ("test", test_fraction, n_test),
    ):
        if fraction > 0 and size == 0:
            raise DataError(
                f"The {name} split gets 0 {unit} ({fraction:.0%} of {n}); "
                f"add data, raise its fraction, or set it to 0 for no {name} split."
            )
    return n - n_val - n_test, n_val, n_test


def check_window_memory(samples: int, timesteps: int, features: int, limits: Limits) -> None:
    """Refuse windows whose float32 ``x`` arrays alone would exceed the memory budget."""
    megabytes = samples * timesteps * features * BYTES_PER_FLOAT / 2**20
    if megabytes > limits.memory_budget_mb:
        raise DataError(
            f"The windows would take {megabytes:.0f} MB ({samples} samples x {timesteps} "
            f"timesteps x {features} features, float32), above the memory budget of "
            f"{limits.memory_budget_mb:.0f} MB; use a larger stride, a shorter lookback or "
            f"fewer features, or raise LSTM_LAB_MEMORY_BUDGET_MB."
        )


def check_timesteps(name: str, value: int, limits: Limits) -> None:
    """Refuse a window or sequence length above ``Limits.max_timesteps``."""
    if value > limits.max_timesteps:
        raise DataError(
            f"{name} is {value}, above the limit of {limits.max_timesteps} timesteps; "
            f"use a shorter {name} or raise LSTM_LAB_MAX_TIMESTEPS."
        )
