"""A trained model's diagnosis: saturated gates, memory length, dead units, flat predictions.

- A gate above 0.95 or below 0.05 is saturated: its gradient ``sigmoid' <= 0.05`` nearly
  vanishes, so a layer whose gates mostly sit there has stopped learning (Glorot & Bengio 2010
  for saturated units; for gates, Gers, Schmidhuber & Cummins 2000).
- The forget gate ``f`` keeps ``f`` of ``c`` per step, so with a mean ``f`` what was written
  fades as ``f^k``: a memory of about ``1 / (1 - f)`` steps (its mean lifetime). A GRU's update
  gate ``z`` plays that part (``h = z * h_prev + (1 - z) * candidate``).
- A unit whose ``h`` barely moves over the data carries nothing to the layer above.
- Predictions that vary far less than the target mean the model learned little more than the
  average; the figures above say why more often than not.
"""

from __future__ import annotations

import numpy as np

from lstm_core.cells import CELLS, OUTPUT_STATE
from lstm_core.inspect.states import trace
from lstm_core.model.outputs import outputs

MAX_SAMPLES = 1000  # samples read, evenly spaced
SATURATED = (0.05, 0.95)  # a gate value outside this interval is saturated
DEAD_STD = 0.01  # a unit whose h moves less than this (std over the data) is constant
FLAT_RATIO = 0.1  # predictions with a std under this share of the target's are flat
MOSTLY = 0.5  # share of units or gate values from which a layer "mostly" has a trait


def diagnose(model, windows) -> dict:
    """Diagnose ``model`` on the validation split of ``windows`` (training split without one).

    Args:
        model: a model from ``build_model``, trained on ``windows``.
        windows: a ``lstm_core.data.Windows``; at most ``MAX_SAMPLES`` samples of the split,
            evenly spaced, ``(samples, timesteps, features)``, are read.

    Returns:
        A JSON-able dict: ``split`` and ``samples`` read; ``layers``, one dict per recurrent
        layer, bottom first, with ``layer``, ``kind``, ``units``, ``saturation`` (per sigmoid
        gate, the share of values ``"high"`` above 0.95 and ``"low"`` below 0.05),
        ``saturated`` (the share over all its gates), ``mean_forget`` (the mean forget gate, a
        GRU's update gate; ``None`` for SimpleRNN), ``memory_steps`` (``1 / (1 - mean_forget)``)
        and ``dead_units`` (units whose ``h`` is nearly constant); ``spread`` (the predictions'
        standard deviation over the target's, the smallest over the outputs), ``flat`` (True when
        the spread is under 0.1), ``cause`` and ``advice`` (sentences, when flat).
    """
    split = "val" if len(windows.x_val) else "train"
    x = getattr(windows, f"x_{split}")
    chosen = np.unique(np.linspace(0, len(x) - 1, min(len(x), MAX_SAMPLES)).astype(int))
    x, y = x[chosen], getattr(windows, f"y_{split}")[chosen]
    layers = [_layer_figures(layer_trace) for layer_trace in trace(model, x)]
    predicted = outputs(model, x).astype(np.float64)  # (samples, outputs)
    spread = _spread(predicted, y, windows.task)
    flat = spread < FLAT_RATIO
    cause, advice = _why_flat(layers, windows) if flat else (None, None)
    return {
        "split": split,
        "samples": len(x),
        "layers": layers,
        "spread": spread,
        "flat": flat,
        "cause": cause,
        "advice": advice,
    }


def _layer_figures(layer_trace) -> dict:
    steps, kind = layer_trace.steps, layer_trace.kind  # each (samples, timesteps, units)
    low, high = SATURATED
    saturation = {
        gate: {
            "high": float(np.mean(steps[gate] > high)),
            "low": float(np.mean(steps[gate] < low)),
        }
        for gate in CELLS[kind].sigmoid_gates
    }
    saturated = (
        float(np.mean([s["high"] + s["low"] for s in saturation.values()])) if saturation else 0.0
    )
    keep = CELLS[kind].keep_gate
    mean_forget = None if keep is None else float(np.mean(steps[keep]))
    memory = None if mean_forget is None else 1.0 / max(1.0 - mean_forget, 1e-6)
    h = steps[OUTPUT_STATE]
    moves = h.reshape(-1, h.shape[-1]).std(axis=0)  # (units,)
    return {
        "layer": layer_trace.index,
        "kind": kind,
        "units": int(h.shape[-1]),
        "saturation": saturation,
        "saturated": saturated,
        "mean_forget": mean_forget,
        "memory_steps": memory,
        "dead_units": [int(u) for u in np.flatnonzero(moves < DEAD_STD)],
    }


def _spread(predicted: np.ndarray, y: np.ndarray, task: str) -> float:
    """The predictions' std over the target's, the smallest over the outputs; for classes,
    the share of samples not given the most common predicted class, over the same share of
    the true classes."""
    if task == "classification":
        chosen = predicted.argmax(axis=1)
        truth = y[:, 0].astype(int)
        return _ratio(_minority(chosen), _minority(truth))
    ratios = [_ratio(predicted[:, k].std(), y[:, k].std()) for k in range(y.shape[1])]
    return float(min(ratios))


def _minority(labels: np.ndarray) -> float:
    """The share of ``labels`` outside the most common one."""
    return 1.0 - np.bincount(labels).max() / len(labels)


def _ratio(varies: float, yardstick: float) -> float:
    """``varies / yardstick``; a constant target makes any constant prediction flat (0)."""
    if yardstick <= 1e-12:
        return 0.0 if varies <= 1e-12 else 1.0
    return float(varies / yardstick)


def _why_flat(layers: list[dict], windows) -> tuple[str, list[str]]:
    """The likely cause of flat predictions, read from the figures, and what to try."""
    top = layers[-1]
    if windows.feature_scaler.kind == "none":
        return (
            "The inputs are not scaled, so large values saturate the gates and the model "
            "settles on the average.",
            ["Choose the minmax or standard scaler on the Data page."],
        )
    if len(top["dead_units"]) >= MOSTLY * top["units"]:
        return (
            f"{len(top['dead_units'])} of layer {top['layer']}'s {top['units']} units are "
            "constant: the head reads almost nothing that changes.",
            [
                "Train longer or with a larger learning rate.",
                "Use more units.",
                "Check the scaler: inputs far from [-1, 1] push the cells into saturation.",
            ],
        )
    saturated = max(layers, key=lambda layer: layer["saturated"])
    if saturated["saturated"] >= MOSTLY:
        return (
            f"{saturated['saturated']:.0%} of layer {saturated['layer']}'s gate values are "
            "saturated (above 0.95 or below 0.05), where they barely learn.",
            [
                "Lower the learning rate.",
                "Use the standard or minmax scaler, so the inputs are near [-1, 1].",
            ],
        )
    return (
        "The cells move, but the model learned little more than the average of the target.",
        [
            "Train longer, or with a larger learning rate.",
            "Use more units.",
            "Use a longer lookback, so a window holds a whole season.",
        ],
    )
