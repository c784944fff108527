"""Altair chart builders for the dashboard: losses, predictions, states and gradients.

(The Data page's series plot is a plain Vega-Lite spec, in ``ui.series_chart``, so that
the first page a visitor opens does not import Altair.)

Every builder takes NumPy arrays or DataFrames and returns an Altair chart; none draws
anything or imports Streamlit, so the pages stay thin and the charts are testable as specs.

Two rules keep the charts readable in Streamlit's light and dark themes: no text colour is set
here (the theme colours titles, labels and legends), and marks use colour schemes that hold up
on both backgrounds (Tableau 10, viridis, blue-orange). User text (column and file names) only
ever enters a chart as a data value, never as a field name, so names with dots, brackets or
markup neither break the spec nor render as anything but text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.series_chart import MAX_POINTS, thin

# A neutral mid-grey reads on white and on Streamlit's dark background alike (a text mark
# gets no colour from the theme, so the baseline's label uses it too).
RULE_COLOR = "#888888"


def _y_scale(log_scale: bool) -> alt.Scale:
    # Log axes start where the data starts: zero is not on a log axis.
    return alt.Scale(type="log") if log_scale else alt.Scale(zero=False)


def _positive(values: pd.Series) -> pd.Series:
    """``values`` with zeros and negatives as NaN, which a log axis leaves out as gaps."""
    return values.where(values > 0)


def _loss_frame(history: pd.DataFrame | Sequence[Mapping], columns: Mapping[str, str]):
    """Long ``(epoch, curve, loss)`` rows from a per-epoch history and ``{column: label}``."""
    frame = pd.DataFrame(history)
    epochs = frame["epoch"] if "epoch" in frame else pd.Series(range(1, len(frame) + 1))
    parts = [
        pd.DataFrame({"epoch": epochs.to_numpy(), "curve": label, "loss": frame[column]})
        for column, label in columns.items()
        if column in frame
    ]
    if not parts:
        return pd.DataFrame({"epoch": [], "curve": [], "loss": []})
    return pd.concat(parts, ignore_index=True)


def _color_scale(colors: Mapping[str, str] | None) -> alt.Scale | alt.UndefinedType:
    """A scale that gives each label its fixed colour (e.g. one per cell kind), or Altair's."""
    if not colors:
        return alt.Undefined
    return alt.Scale(domain=list(colors), range=list(colors.values()))


def _loss_lines(
    long: pd.DataFrame,
    *,
    color_title: str,
    y_title: str,
    log_scale: bool,
    colors: Mapping[str, str] | None = None,
):
    if log_scale:
        long = long.assign(loss=_positive(long["loss"]))
    suffix = ", log scale" if log_scale else ""
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("loss:Q", title=f"{y_title}{suffix}", scale=_y_scale(log_scale)),
            color=alt.Color("curve:N", title=color_title, scale=_color_scale(colors)),
            tooltip=["curve:N", "epoch:Q", alt.Tooltip("loss:Q", format=".4g")],
        )
    )


def loss_chart(
    history: pd.DataFrame | Sequence[Mapping],
    *,
    log_scale: bool = False,
    y_title: str = "loss (on scaled targets)",
) -> alt.Chart:
    """Training and validation loss per epoch, as they grow during training.

    Args:
        history: per-epoch records with ``loss`` and, when there is a validation split,
            ``val_loss``; an ``epoch`` column (1-based) if present, else the row order.
        log_scale: draw the loss on a log axis, where late, small improvements stay visible.
        y_title: the loss's name and units on the y axis.

    Returns:
        A line chart with one line per curve, "train" and "validation".
    """
    long = _loss_frame(history, {"loss": "train", "val_loss": "validation"})
    return _loss_lines(long, color_title="curve", y_title=y_title, log_scale=log_scale).properties(
        title="Loss per epoch"
    )


def runs_overlay_chart(
    histories: Mapping[str, pd.DataFrame | Sequence[Mapping]],
    *,
    metric: str = "val_loss",
    log_scale: bool = False,
    y_title: str | None = None,
) -> alt.Chart:
    """One metric per epoch for several runs, overlaid to compare them.

    Args:
        histories: ``{run label: per-epoch history}`` as for ``loss_chart``.
        metric: the history column to draw, e.g. ``"loss"`` or ``"val_loss"``.
        log_scale: draw the metric on a log axis.
        y_title: the y axis title; defaults to ``metric``.

    Returns:
        A line chart with one line per run, its legend below the plot (run labels are long).
    """
    parts = [_loss_frame(h, {metric: label}) for label, h in histories.items()]
    long = pd.concat(parts, ignore_index=True) if parts else _loss_frame([], {})
    lines = _loss_lines(long, color_title="run", y_title=y_title or metric, log_scale=log_scale)
    # No chart title: the page's heading names the chart, and a long title was clipped.
    return lines.encode(
        color=alt.Color("curve:N", title="run", legend=alt.Legend(orient="bottom", labelLimit=0))
    ).properties(height=320)


def prediction_chart(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    name: str,
    baseline: np.ndarray | None = None,
    baseline_name: str = "naive",
    max_points: int = MAX_POINTS,
) -> alt.Chart:
    """Predictions against the truth for one output, over the test windows in order.

    Args:
        y_true: ``(samples,)`` true values of one output, in the data's units.
        y_pred: ``(samples,)`` predicted values of the same output.
        name: the output's name (target column and horizon step), shown in the title.
        baseline: optionally ``(samples,)`` a baseline's forecast of the same output, drawn
            as a third line: a one-step forecast that only lags the truth looks convincing
            until the naive forecast is drawn beside it.
        baseline_name: the baseline line's name.
        max_points: most points per line.

    Returns:
        A line chart with lines "truth" and "prediction" (and the baseline's).
    """
    columns = {"truth": np.asarray(y_true).ravel(), "prediction": np.asarray(y_pred).ravel()}
    if baseline is not None:
        columns[baseline_name] = np.asarray(baseline).ravel()
    frame = thin(pd.DataFrame(columns), max_points)
    long = frame.reset_index(names="window").melt(
        id_vars="window", var_name="curve", value_name="value"
    )  # (curves * samples, 3)
    order = list(columns)
    return (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("window:Q", title="test window (time order)"),
            y=alt.Y("value:Q", title="value (data units)", scale=alt.Scale(zero=False)),
            color=alt.Color("curve:N", title="curve", sort=order),
            strokeDash=alt.StrokeDash("curve:N", sort=order),
            tooltip=["curve:N", "window:Q", alt.Tooltip("value:Q", format=".4g")],
        )
        .properties(title=alt.TitleParams("Test set: prediction against truth", subtitle=name))
    )


def step_error_chart(per_step: Sequence[Mapping], *, name: str) -> alt.Chart:
    """RMSE per horizon step, the model's beside the naive forecast's: the error curve.

    Args:
        per_step: one record per step ``t+1 .. t+h`` with ``step``, ``rmse`` and
            ``naive_rmse`` (``lstm_core.forecast.scores``' ``per_step``).
        name: the target's name, shown as the subtitle.

    Returns:
        A line chart with points, "model" and "naive", step on x.
    """
    frame = pd.DataFrame(per_step)
    long = pd.concat(
        [
            pd.DataFrame({"step": frame["step"], "forecast": label, "rmse": frame[column]})
            for column, label in (("rmse", "model"), ("naive_rmse", "naive"))
        ],
        ignore_index=True,
    )  # (2 * horizon, 3)
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("step:Q", title="steps ahead (t+k)", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("rmse:Q", title="test RMSE (data units)", scale=alt.Scale(zero=True)),
            color=alt.Color("forecast:N", title="forecast", sort=["model", "naive"]),
            tooltip=["forecast:N", "step:Q", alt.Tooltip("rmse:Q", format=".4g")],
        )
        .properties(title=alt.TitleParams("Test error per step ahead", subtitle=name), height=260)
    )


def heatmap_chart(
    values: np.ndarray,
    *,
    title: str,
    value_title: str,
    diverging: bool = False,
) -> alt.Chart:
    """A time x unit heatmap of one per-step tensor of one sample.

    Args:
        values: ``(timesteps, units)`` values, e.g. ``h_t``, ``c_t`` or a gate.
        title: the chart title, e.g. ``"c_t: cell state"``.
        value_title: the legend title, e.g. ``"c_t"``.
        diverging: centre the colour scale on zero (states, which are signed) instead of a
            sequential scale (gates, which lie in [0, 1]).

    Returns:
        A rect chart with time step on x and unit on y.
    """
    values = np.asarray(values, dtype=float)
    timesteps, units = values.shape
    long = pd.DataFrame(
        {
            "t": np.repeat(np.arange(timesteps), units),
            "unit": np.tile(np.arange(units), timesteps),
            "value": values.ravel(),
        }
    )  # (timesteps * units, 3)
    if diverging:
        bound = float(np.abs(values).max()) or 1.0
        scale = alt.Scale(scheme="blueorange", domain=[-bound, bound], domainMid=0)
    else:
        scale = alt.Scale(scheme="viridis")
    return (
        alt.Chart(long)
        .mark_rect()
        .encode(
            x=alt.X("t:O", title="time step t", axis=alt.Axis(labelOverlap=True)),
            y=alt.Y("unit:O", title="unit", axis=alt.Axis(labelOverlap=True)),
            color=alt.Color("value:Q", title=value_title, scale=scale),
            tooltip=["t:O", "unit:O", alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(title=title)
    )


def gradient_chart(
    profiles: Mapping[str, Mapping[str, pd.DataFrame]],
    *,
    column: str = "dL_dh",
    x_title: str = "time step t",
    colors: Mapping[str, str] | None = None,
) -> alt.Chart:
    """Gradient norm per time step on a log axis: a colour per cell, a dash per moment.

    Args:
        profiles: ``{cell: {when: profile}}``, e.g. ``{"LSTM": {"at initialisation": ...,
            "after epoch 20": ...}}``; each profile a frame with one row per time step, columns
            ``t`` and ``column`` (as ``lstm_core.experiments.gradient_profile`` returns). The
            last ``when`` of a cell is drawn solid, earlier ones dashed.
        column: which norm to draw: ``"dL_dh"``, ``"dL_dx"`` or ``"dL_dc"``.
        x_title: the x axis' title; say there which loss is differentiated.
        colors: ``{cell: colour}``, the app's palette; default Altair's.

    Returns:
        A line chart; a gradient that underflowed to zero shows as a gap, not a fake value.
    """
    parts = [
        pd.DataFrame(
            {"t": p["t"].to_numpy(), "cell": cell, "when": when, "norm": p[column].to_numpy()}
        )
        for cell, moments in profiles.items()
        for when, p in moments.items()
        if column in p
    ]
    long = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["t", "cell", "when", "norm"])
    )
    long = long.assign(norm=_positive(long["norm"].astype(float)))
    moments = list(dict.fromkeys(long["when"]))  # in order, the latest last
    dashes = [[5, 3]] * (len(moments) - 1) + [[1, 0]]
    symbol = column.replace("dL_d", "dL/d")
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("t:Q", title=x_title),
            y=alt.Y(
                "norm:Q",
                title=f"‖{symbol}_t‖, log scale",
                scale=_y_scale(True),
                axis=alt.Axis(format=".0e"),  # one notation for every decade
            ),
            color=alt.Color("cell:N", title="cell", scale=_color_scale(colors)),
            strokeDash=alt.StrokeDash(
                "when:N",
                title="when",
                scale=alt.Scale(domain=moments, range=dashes),
                legend=alt.Legend(labelLimit=0, symbolStrokeColor=RULE_COLOR),
            ),
            detail="when:N",
            tooltip=["cell:N", "when:N", "t:Q", alt.Tooltip("norm:Q", format=".3e")],
        )
        .properties(title=f"Gradient norm ‖{symbol}_t‖ per time step")
    )


def learning_curves_chart(
    curves: Mapping[str, Sequence[float]],
    *,
    baseline: float | None,
    y_title: str = "validation loss",
    baseline_label: str = "baseline",
    colors: Mapping[str, str] | None = None,
) -> alt.LayerChart:
    """Validation loss per epoch for each cell kind, with the trivial baseline as a rule.

    Args:
        curves: ``{cell kind: [loss after epoch 1, 2, ...]}``.
        baseline: the loss of the best input-blind guess (e.g. 1/6 for the adding problem);
            a curve that stays on it has learned nothing. None: no rule (no such guess is
            known, as for a user's own windows).
        y_title: the loss's name on the y axis.
        baseline_label: the rule's label.
        colors: ``{cell kind: colour}``, the app's palette; default Altair's.

    Returns:
        Lines per kind layered with a dashed horizontal rule at ``baseline``.
    """
    long = pd.concat(
        [
            pd.DataFrame(
                {"epoch": np.arange(1, len(v) + 1), "curve": k, "loss": np.asarray(v, float)}
            )
            for k, v in curves.items()
        ]
        or [pd.DataFrame(columns=["epoch", "curve", "loss"])],
        ignore_index=True,
    )
    lines = _loss_lines(long, color_title="cell", y_title=y_title, log_scale=False, colors=colors)
    if baseline is None:
        return lines.properties(title="Learning curves")
    rule_data = pd.DataFrame({"loss": [baseline], "label": [f"{baseline_label} = {baseline:.4g}"]})
    rule = alt.Chart(rule_data).mark_rule(strokeDash=[6, 4], color=RULE_COLOR).encode(y="loss:Q")
    label = (
        alt.Chart(rule_data)
        .mark_text(align="left", dx=4, dy=-6, color=RULE_COLOR)
        .encode(y="loss:Q", x=alt.value(0), text="label:N")
    )
    return alt.layer(lines, rule, label).properties(title="Learning curves against the baseline")
