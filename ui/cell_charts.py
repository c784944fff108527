"""Altair charts of one cell call and of one sample: per-unit bars, one shared time axis.

Steps are numbered from 1, as in the unrolled picture (``h_0`` is the initial state). User
text (feature names) enters a chart only as a data value, never as a field name.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ui.charts import RULE_COLOR, heatmap_chart

GATE_DOMAIN = [0.0, 1.0]  # sigmoid gates
TANH_DOMAIN = [-1.0, 1.0]  # tanh values: g, candidate, h
BAR_HEIGHT = 110
CHOSEN_COLOR = "#f5b041"  # the unit written out below the charts, as the diagram's step


def step_bars(
    title: str,
    values: np.ndarray,
    *,
    labels: list[str] | None = None,
    domain: list[float] | None = None,
    chosen: int | None = None,
) -> alt.Chart:
    """One vector of a cell call as bars: one bar per unit (or per feature, for ``x_t``).

    Args:
        title: what the vector is, e.g. ``"f: forget gate"``.
        values: ``(units,)``.
        labels: a label per bar; default the unit numbers 0, 1, ...
        domain: a fixed value axis (``[0, 1]`` for a gate), or ``None`` to fit the values.
        chosen: the bar to mark (the unit whose arithmetic is written out).
    """
    values = np.asarray(values, dtype=float)
    labels = labels or [str(k) for k in range(len(values))]
    frame = pd.DataFrame(
        {"bar": labels, "value": values, "chosen": [k == chosen for k in range(len(values))]}
    )
    scale = alt.Scale(domain=domain) if domain else alt.Scale(zero=True)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("bar:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=None, scale=scale),
            color=alt.condition("datum.chosen", alt.value(CHOSEN_COLOR), alt.value("#4c78a8")),
            tooltip=[alt.Tooltip("bar:N", title="unit"), alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(title=title, height=BAR_HEIGHT)
    )


PANELS_WIDTH = 640  # px for a row of panels: inside the main column of a 1280-px window


def panels(charts: list[alt.Chart]) -> alt.HConcatChart:
    """Small charts side by side, sharing one row's width (32 units x 4 gates would overflow)."""
    width = PANELS_WIDTH // len(charts) - 30  # less each panel's axis
    return alt.hconcat(*(c.properties(width=width) for c in charts)).resolve_scale(
        color="independent"
    )


def _step_axis() -> alt.X:
    return alt.X("step:O", title="time step t", axis=alt.Axis(labelOverlap=True, labelAngle=0))


def _input_lines(x: np.ndarray, feature_names: tuple[str, ...], title: str) -> alt.Chart:
    """The sample's inputs ``(timesteps, features)`` as a line per feature over the steps."""
    timesteps = len(x)
    frame = pd.DataFrame(
        {
            "step": np.tile(np.arange(1, timesteps + 1), x.shape[1]),
            "input": np.repeat(list(feature_names), timesteps),
            "value": np.asarray(x, float).T.ravel(),
        }
    )
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=_step_axis(),
            y=alt.Y("value:Q", title="x_t (scaled)", scale=alt.Scale(zero=False)),
            color=alt.Color("input:N", title="input"),
            tooltip=["step:O", "input:N", alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(title=title, height=120)
    )


def over_time(
    x: np.ndarray,
    feature_names: tuple[str, ...],
    values: dict[str, np.ndarray],
    titles: dict[str, str],
    *,
    step: int,
    signed: set[str],
) -> alt.VConcatChart:
    """The input ``x_t``, then every gate and state of one sample, on one time axis.

    Args:
        x: ``(timesteps, features)``: what the layer read, in input order.
        feature_names: a name per column of ``x``.
        values: ``{name: (timesteps, units)}`` in input order.
        titles: a chart title per name in ``values``.
        step: the step to mark with a rule, 1-based in input order.
        signed: names whose values are signed (a diverging colour scale).
    """
    axis = _step_axis()
    rule = alt.Chart(pd.DataFrame({"step": [step]})).mark_rule(color=RULE_COLOR, size=2)
    inputs = _input_lines(x, feature_names, "x_t: the input at each step")
    rows = [alt.layer(inputs, rule.encode(x=axis))]
    for name, array in values.items():
        heat = heatmap_chart(
            array, title=titles[name], value_title=name, diverging=name in signed
        ).transform_calculate(step="datum.t + 1")
        heat = heat.encode(x=axis).properties(height=max(60, 12 * array.shape[1]))
        rows.append(alt.layer(heat, rule.encode(x=axis)))
    return alt.vconcat(*rows).resolve_scale(color="independent")


def unit_over_input(
    x: np.ndarray, feature_names: tuple[str, ...], states: dict[str, np.ndarray], unit: int
) -> alt.VConcatChart:
    """One unit's ``h`` (and ``c``) over a sample, above the inputs it read.

    Args:
        x: ``(timesteps, features)``, input order.
        states: ``{"h": (timesteps, units), "c": ...}`` in input order.
        unit: the unit to draw.
    """
    timesteps = len(x)
    frame = pd.DataFrame(
        {
            "step": np.tile(np.arange(1, timesteps + 1), len(states)),
            "state": np.repeat([f"{name} of unit {unit}" for name in states], timesteps),
            "value": np.concatenate([array[:, unit] for array in states.values()]),
        }
    )
    unit_chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=_step_axis(),
            y=alt.Y("value:Q", title="state"),
            color=alt.Color("state:N", title="state"),
            tooltip=["step:O", "state:N", alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(title=f"Unit {unit} over the sample", height=150)
    )
    inputs = _input_lines(x, feature_names, "The inputs it read")
    return alt.vconcat(unit_chart, inputs).resolve_scale(color="independent")
