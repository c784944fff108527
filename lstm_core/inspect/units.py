"""Which unit does what: each unit's ``h`` and ``c`` held against what the data says.

After Karpathy, Johnson & Fei-Fei (2015), "Visualizing and Understanding Recurrent Networks",
which found interpretable cells in character models by reading their activations against the
text; here the text is a numeric series. Every input step of every sample of a split is one
observation: a unit's state after that step against, at the same step, each input feature, the
target's next value, its current and lagged values, its local level, and the seasonal phase of
the step's date. The seasonal phase is a circle, so it is read with the circular-linear
correlation (Mardia 1976), which is between 0 and 1; the others are Pearson's r.
"""

from __future__ import annotations

import numpy as np

from lstm_core.cells import CELLS
from lstm_core.data.windows import SPLITS
from lstm_core.errors import DataError
from lstm_core.inspect.states import trace

MAX_SAMPLES = 2000  # samples read per report, evenly spaced: enough for a stable r
MAX_LAGS = 12  # lags of the target read, at most (and at most the timesteps)
DAY_NS = 86_400 * 10**9
# Seasons a date column can show: (name in words, period in days, finest step that shows it).
SEASONS = (
    ("the time of day", 1.0, 0.5),
    ("the day of the week", 7.0, 1.0),
    ("the time of the year", 365.2425, 40.0),
)
STRONG, LOOSE = 0.7, 0.4  # |r| from which a unit is said to track, or loosely follow, a signal


def unit_report(model, windows, layer: int, split: str = "val"):
    """One row per unit of layer ``layer``: how its ``h`` and ``c`` follow the data.

    Args:
        model: a model from ``build_model``, trained on ``windows``.
        windows: a ``lstm_core.data.Windows``; ``x_<split>`` is ``(samples, timesteps,
            features)``. Windows cut from a series table (``make_windows``) also give the
            target, its lags, its local level and, with a date column, the seasonal phase;
            sequence windows give the input features only.
        layer: the 1-based index of the recurrent layer.
        split: ``"train"``, ``"val"`` or ``"test"``; at most ``MAX_SAMPLES`` samples of it,
            evenly spaced, are read.

    Returns:
        A ``pandas.DataFrame``, strongest unit first: ``layer``, ``unit`` (0-based),
        ``state`` (``"h"`` or ``"c"``) and ``signal`` of the unit's strongest correlation, its
        ``r``, ``in words`` (a sentence), then one column ``"<state>: <signal>"`` per state
        and signal with its r (NaN where the unit is constant).

    Raises:
        DataError: an unknown or empty split.
    """
    import pandas as pd

    x, rows = _split_samples(windows, split)  # (samples, timesteps, features), (samples, T)
    layer_trace = trace(model, x, layer)[0]
    order = slice(None, None, -1) if layer_trace.go_backwards else slice(None)
    states = {
        name: layer_trace.steps[name][:, order]  # (samples, timesteps, units), input order
        for name in CELLS[layer_trace.kind].state_names
    }
    signals = _signals(windows, x, rows)
    columns = {}
    for state, values in states.items():
        for label, (signal, circular) in signals.items():
            correlate = _circular_r if circular else _pearson_r
            columns[f"{state}: {label}"] = correlate(values, signal)  # (units,)
    table = pd.DataFrame(columns)
    strength = table.abs().fillna(-1.0)  # a constant unit sorts last
    best = strength.idxmax(axis="columns")  # "<state>: <signal>" per unit
    units = len(table)
    report = pd.DataFrame(
        {
            "layer": layer,
            "unit": np.arange(units),
            "state": [name.split(": ", 1)[0] for name in best],
            "signal": [name.split(": ", 1)[1] for name in best],
            "r": [table.at[unit, name] for unit, name in enumerate(best)],
        }
    )
    report["in words"] = [_in_words(row, split) for row in report.itertuples(index=False)]
    report = pd.concat([report, table], axis="columns")
    order = np.argsort(-strength.max(axis="columns").to_numpy(), kind="stable")
    return report.iloc[order].reset_index(drop=True)


def _split_samples(windows, split: str):
    """The split's samples, at most ``MAX_SAMPLES`` evenly spaced, and their series rows."""
    if split not in SPLITS:
        raise DataError(f"split must be one of {', '.join(SPLITS)}, got {split!r}.")
    x = getattr(windows, f"x_{split}")
    if len(x) == 0:
        raise DataError(
            f"The {split} split has no samples to read the units on; choose another split, "
            f"or give it a share of the data on the Data page."
        )
    chosen = np.unique(np.linspace(0, len(x) - 1, min(len(x), MAX_SAMPLES)).astype(int))
    rows = None
    if windows.series is not None:
        rows = windows.series.rows(split, windows.timesteps)[chosen]  # (samples, timesteps)
    return x[chosen], rows


def _signals(windows, x, rows) -> dict[str, tuple[np.ndarray, bool]]:
    """``{label: (values (samples, timesteps), circular)}``: what each unit is read against."""
    signals = {f"input {name}": (x[..., k], False) for k, name in enumerate(windows.feature_names)}
    if rows is None:
        return signals
    series = windows.series
    timesteps = x.shape[1]
    for k, name in enumerate(windows.target_names):
        target = series.targets[:, k].astype(np.float64)  # (rows,)
        signals[f"{name} at the next step"] = (target[rows + 1], False)
        signals[f"{name} now"] = (target[rows], False)
        for lag in range(1, min(MAX_LAGS, timesteps) + 1):
            lagged = np.where(rows >= lag, target[np.maximum(rows - lag, 0)], np.nan)
            signals[f"{name} {lag} step{'s' if lag > 1 else ''} earlier"] = (lagged, False)
        signals[f"{name}'s local level"] = (_local_level(target, timesteps)[rows], False)
    if series.dates is not None:
        for label, phase in _phases(series.dates).items():
            signals[label] = (phase[rows], True)
    return signals


def _local_level(target: np.ndarray, window: int) -> np.ndarray:
    """``(rows,)``: the mean of the target over the last ``window`` rows up to each row."""
    sums = np.concatenate([[0.0], np.cumsum(target)])
    ends = np.arange(1, len(target) + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)


def _phases(dates: np.ndarray) -> dict[str, np.ndarray]:
    """``{"<season>": (rows,) angle in radians}`` for each season the dates can show."""
    ns = dates.astype("datetime64[ns]").astype(np.int64).astype(np.float64)  # (rows,)
    valid = ~np.isnat(dates)
    if valid.sum() < 3:
        return {}
    step_days = np.median(np.diff(ns[valid])) / DAY_NS
    span_days = (ns[valid].max() - ns[valid].min()) / DAY_NS
    phases = {}
    for label, period, finest in SEASONS:
        if 0 < step_days <= finest and span_days >= 2 * period:  # seen, and seen twice
            angle = 2 * np.pi * np.mod(ns / (period * DAY_NS), 1.0)
            phases[label] = np.where(valid, angle, np.nan)
    return phases


def _pearson_r(states: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """``(units,)`` Pearson's r of ``states`` ``(samples, timesteps, units)`` with ``signal``
    ``(samples, timesteps)``, over the steps where the signal is known; NaN where either is
    constant."""
    keep = np.isfinite(signal)
    a = states[keep].astype(np.float64)  # (n, units)
    b = signal[keep].astype(np.float64)  # (n,)
    a = a - a.mean(axis=0)
    b = b - b.mean()
    norms = np.sqrt((a**2).sum(axis=0) * (b**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (a * b[:, None]).sum(axis=0) / norms
    return np.where(norms > 1e-12, r, np.nan)


def _circular_r(states: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """``(units,)`` circular-linear correlation in [0, 1] of ``states`` with ``angle``:
    how well ``a sin + b cos + c`` of the phase fits each unit (Mardia 1976)."""
    r_s = _pearson_r(states, np.sin(angle))
    r_c = _pearson_r(states, np.cos(angle))
    keep = np.isfinite(angle)
    r_sc = np.corrcoef(np.sin(angle[keep]), np.cos(angle[keep]))[0, 1]
    squared = (r_s**2 + r_c**2 - 2 * r_s * r_c * r_sc) / (1 - r_sc**2)
    return np.sqrt(np.clip(squared, 0.0, 1.0))


def _in_words(row, split: str) -> str:
    """ "unit 7 of layer 1 tracks the time of the year (c, r = 0.91)", or that it tracks nothing."""
    name = f"unit {row.unit} of layer {row.layer}"
    if np.isnan(row.r):
        return f"{name} is constant over the {split} split: it carries nothing."
    strength = abs(row.r)
    if strength >= STRONG:
        verb = "tracks" if row.r > 0 else "moves against"
    elif strength >= LOOSE:
        verb = "loosely follows" if row.r > 0 else "loosely moves against"
    else:
        return (
            f"{name} follows none of these clearly; its closest is {row.signal} "
            f"({row.state}, r = {row.r:.2f})."
        )
    return f"{name} {verb} {row.signal} ({row.state}, r = {row.r:.2f})."
