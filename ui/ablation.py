"""The Ablation page's glue: its settings as an ``AblationConfig``, its job, its table and charts.

The engine is ``lstm_core.experiments.ablation``; this module turns the page's session state
into a config (the task "windows" takes the Data page's windows, ``ui.dataset``), starts the
``AblationJob`` in the session's job registry (or, when the reader chose Ray, the
``AblationSweepJob`` of ``lstm_core.sweeps.ablation``: every variant and seed a trial
on Ray, each kept as a run of one sweep), and draws a result
(a finished job's, or the shipped reference ablation) as a ranked table, the final losses over
seeds and the median learning curves.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from lstm_core.data import window_to_dict
from lstm_core.experiments.ablation import AblationConfig, AblationJob, check_ablation
from lstm_core.forecast.verdict import skill_words
from lstm_core.model import KERAS_CLASS
from lstm_core.sweeps.ablation import AblationSweepJob
from ui import dataset, jobs, state, sweeps
from ui.charts import learning_curves_chart
from ui.palette import cell_colors
from ui.workspace import limits, run_store, workspace_id

PAGE = "ablation"
# Where the trainings run: one after the other in this process, or as trials on Ray.
RUN_ON = {"process": "this process", "ray": "Ray (parallel)"}
# The page's fields: the config's, with the seeds as a count (seeds 0 .. n - 1).
FIELDS = ("task", "timesteps", "variants", "units", "epochs", "n_train", "batch_size",
          "learning_rate", "forget_bias")  # fmt: skip


def defaults() -> dict:
    """The page's defaults: ``AblationConfig()``'s fields and its number of seeds."""
    values = AblationConfig().to_dict()
    return {
        **{name: values[name] for name in FIELDS},
        "seeds": len(values["seeds"]),
        "run_on": "process",
    }


def config_from_state() -> AblationConfig:
    """The page's settings as a validated ``AblationConfig``; ``ConfigError`` if invalid."""
    values = {name: state.get(PAGE, name) for name in FIELDS}
    values["variants"] = tuple(values["variants"] or ())
    seeds = state.get(PAGE, "seeds")
    values["seeds"] = tuple(range(seeds)) if isinstance(seeds, int) and seeds > 0 else ()
    if values["task"] == "windows" and dataset.spec() is not None:  # to repeat it later
        values["data"] = {**(dataset.summary() or {}), "window": window_to_dict(dataset.spec())}
    return check_ablation(AblationConfig(**values), limits())


def current_job() -> AblationJob | AblationSweepJob | None:
    return jobs.registry().get(PAGE)


def ray_offered() -> bool:
    """Whether the page offers Ray: sweeps are enabled (hosted: only when the host turned
    them on), and the task is a generated one (a sweep does not train on the user's windows)."""
    return sweeps.enabled() and state.get(PAGE, "task") != "windows"


def start_ablation() -> AblationJob | AblationSweepJob:
    """Start the ablation in the background (stopping a previous one); return the job: on Ray
    when the reader chose it and it is offered, else in this process."""
    previous = current_job()
    if jobs.is_active(previous):
        previous.stop()
    config = config_from_state()
    if ray_offered() and state.get(PAGE, "run_on") == "ray":
        job = AblationSweepJob(config, run_store(), workspace=workspace_id(), limits=limits())
    else:
        job = AblationJob(config, windows=dataset.windows(), limits=limits())
    job.start()
    jobs.registry().put(PAGE, job)
    return job


def summary_frame(result) -> pd.DataFrame:
    """The ranked table a reader sees: one row per variant, each number beside its yardstick.

    On the user's windows the yardstick of the validation loss (in scaled units) is the test
    score's: the model's beside the naive forecast's (or the majority class's) on the same
    windows, and the skill against it; the share solved does not apply and is not shown.
    """
    rows = []
    for row in result.summary():
        shown = {
            "rank": row["rank"],
            "cell": KERAS_CLASS[row["variant"]],
            "median val loss": row["median_val_loss"],
            "spread (min - max)": f"{row['min_val_loss']:.4f} - {row['max_val_loss']:.4f}",
        }
        if result.baseline is None:  # the user's windows
            shown.update(_test_columns(row))
        else:
            shown["remember-nothing loss"] = row["baseline"]
            shown["solved (|error| < 0.04)"] = _percent(row["median_solved"])
        shown["gradient reach before"] = _scientific(row["reach_before"])
        shown["gradient reach after"] = _scientific(row["reach_after"])
        shown["seeds"], shown["params"] = row["seeds"], row["params"]
        rows.append(shown)
    return pd.DataFrame(rows)


def _test_columns(row: dict) -> dict:
    """The test score (median over seeds) beside its yardstick's, and the skill in words."""
    metric = row["test_metric"] or "test score"
    yardstick = row["yardstick"]
    return {
        f"test {metric}": row["median_test_score"],
        f"{yardstick or 'naive'} {metric}": row["yardstick_score"],
        # long-format sequences have no series to repeat the last value of
        "skill": skill_words(row["median_skill"], yardstick)
        if yardstick
        else "no naive forecast of sequences",
    }


def _scientific(value) -> str:
    return "-" if value is None else f"{value:.1e}"


def _percent(value) -> str:
    return "-" if value is None else f"{value:.1%}"


def final_loss_chart(result) -> alt.LayerChart:
    """Each seed's final validation loss per variant (points), the median (a tick), ranked, with
    the remember-nothing loss as a dashed rule."""
    order = [KERAS_CLASS[row["variant"]] for row in result.summary()]
    points = pd.DataFrame(
        [
            {"cell": KERAS_CLASS[variant], "seed": seed, "val_loss": run.val_loss[-1]}
            for variant, runs in result.runs.items()
            for seed, run in runs.items()
            if run.val_loss
        ]
    )
    colors = cell_colors(row["variant"] for row in result.summary())
    color = alt.Color(
        "cell:N", scale=alt.Scale(domain=list(colors), range=list(colors.values())), legend=None
    )
    y = alt.Y("cell:N", sort=order, title=None)
    x = alt.X("val_loss:Q", title="final validation loss (each seed; tick: median)")
    dots = (
        alt.Chart(points)
        .mark_circle(size=60, opacity=0.8)
        .encode(
            x=x, y=y, color=color, tooltip=["cell", "seed", alt.Tooltip("val_loss:Q", format=".4f")]
        )
    )
    medians = points.groupby("cell", as_index=False)["val_loss"].median()
    ticks = alt.Chart(medians).mark_tick(thickness=3, size=18, color="black").encode(x=x, y=y)
    layers = [dots, ticks]
    if result.baseline is not None:  # the user's windows have no remember-nothing loss
        layers.append(
            alt.Chart(pd.DataFrame({"baseline": [result.baseline]}))
            .mark_rule(strokeDash=[4, 4], color="gray")
            .encode(x="baseline:Q")
        )
    return alt.layer(*layers).properties(height=max(120, 28 * len(order) + 20))


def median_curves_chart(result) -> alt.LayerChart:
    """The median over seeds of each variant's validation loss per epoch."""
    curves = {}
    for variant, runs in result.runs.items():
        losses = [run.val_loss for run in runs.values() if run.val_loss]
        epochs = min(len(loss) for loss in losses) if losses else 0
        if epochs:
            curves[KERAS_CLASS[variant]] = np.median([loss[:epochs] for loss in losses], axis=0)
    return learning_curves_chart(
        curves,
        baseline=result.baseline,
        baseline_label="remember-nothing baseline",
        colors=cell_colors(result.runs),
    )
