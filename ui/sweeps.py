"""The Sweeps page's glue: axes typed as lists over a base experiment, the job, and the
aggregate drawn as medians with interquartile bands.

The base experiment is either the Vanishing-gradients page's current settings (task, length,
units, training; axes: cells, lengths, units, learning rates) or the current experiment of the
Data, Model and Train pages (a training run on the user's windows; axes: cells, units,
lookbacks, learning rates); the page adds the seeds. The sweep runs as a ``SweepJob``
(``lstm_core.sweeps``) in this session's job registry. The workspace's stored sweeps are
listed with how many of their trials finished, and one can be resumed (``SweepJob.resume``).
"""

from __future__ import annotations

import dataclasses

import altair as alt
import pandas as pd

from lstm_core.errors import ConfigError, LabError
from lstm_core.experiments import CompareConfig
from lstm_core.model import KERAS_CLASS
from lstm_core.settings import sweeps_enabled
from lstm_core.sweeps import KIND_AXIS, SweepJob, SweepSpec, check_sweep
from lstm_core.sweeps import training as training_base
from ui import comparison, dataset, jobs, share, state
from ui.palette import cell_colors
from ui.workspace import is_hosted, limits, run_store, streamlit_secrets, workspace_id

# The bases a sweep can start from: page value -> label.
BASES = {
    "task": "The Vanishing gradients page's task",
    "experiment": "The current experiment (Data, Model and Train pages)",
}
# Page field -> (CompareConfig field, type of its values, label).
LIST_FIELDS = {
    "timesteps": ("timesteps", int, "Timesteps (comma-separated)"),
    "units": ("units", int, "Units"),
    "learning_rate": ("learning_rate", float, "Learning rates"),
}
# The same for a training base: page field -> (axis of sweeps.training, type, label).
TRAINING_FIELDS = {
    "lookback": ("lookback", int, "Lookbacks (comma-separated)"),
    "units": ("units", int, "Units (every layer)"),
    "learning_rate": ("learning_rate", float, "Learning rates"),
}
# The page's inputs at first: SimpleRNN and LSTM over 25 and 50 steps, seeds 0 and 1.
DEFAULTS = {
    "base": "task",
    "kinds": ["rnn", "lstm"],
    "timesteps": "25, 50",
    "lookback": "",
    "units": "",
    "learning_rate": "",
    "seeds": "0, 1",
}
# Swept settings that can be an x axis, in order of preference.
NUMERIC_AXES = ("timesteps", "lookback", "units", "learning_rate", "epochs", "n_train")
NUMERIC_AXES += ("batch_size",)
ALL_TRIALS = "all trials"  # the chart's one line when no cell kind is swept


def enabled() -> bool:
    """Whether this app may run sweeps (hosted: only when the host turned them on)."""
    return sweeps_enabled(is_hosted(), streamlit_secrets())


def check_enabled() -> None:
    """Raise ``ConfigError`` when this app may not run sweeps, saying who can turn them on."""
    if not enabled():
        raise ConfigError(
            "Sweeps are off on this hosted app (they keep every core busy); its host can turn "
            "them on with LSTM_LAB_SWEEPS=1."
        )


def base_config() -> CompareConfig:
    """The Vanishing page's settings (its defaults if never opened), kinds aside."""
    state.ensure("vanishing", comparison.defaults())
    values = {name: state.get("vanishing", name) for name in comparison.FIELDS}
    values["kinds"] = tuple(values["kinds"] or ("lstm",))
    return CompareConfig(**values)


def is_training() -> bool:
    """Whether the page sweeps the current experiment (else the Vanishing page's task)."""
    state.ensure("sweeps", DEFAULTS)
    return state.get("sweeps", "base") == "experiment"


def list_fields() -> dict:
    """The list inputs of the chosen base: ``TRAINING_FIELDS`` or ``LIST_FIELDS``."""
    return TRAINING_FIELDS if is_training() else LIST_FIELDS


def training_experiment():
    """The Data, Model and Train pages' experiment, every part set; ``ConfigError`` naming the
    page to visit otherwise."""
    return training_base.check_base(share.current_experiment())


def spec_from_state() -> SweepSpec:
    """The page's sweep, validated; ``ConfigError`` naming the field otherwise."""
    state.ensure("sweeps", DEFAULTS)
    if is_training():
        return _training_spec()
    axes = [(KIND_AXIS, tuple(state.get("sweeps", "kinds") or ()))]
    for name, (field, kind, label) in LIST_FIELDS.items():
        values = parse_list(state.get("sweeps", name), label, kind)
        if values:
            axes.append((field, values))
    seeds = parse_list(state.get("sweeps", "seeds"), "Seeds", int)
    base = base_config()
    spec = SweepSpec(base=dataclasses.replace(base, kinds=axes[0][1] or base.kinds),
                     axes=tuple(axes), seeds=seeds)  # fmt: skip
    return check_sweep(spec, limits())


def _training_spec() -> SweepSpec:
    """A sweep of the current experiment: the cells chosen (none: the model's own), the
    lists typed, the seeds."""
    kinds = tuple(state.get("sweeps", "kinds") or ())
    axes = [(KIND_AXIS, kinds)] if kinds else []
    for name, (field, kind, label) in TRAINING_FIELDS.items():
        values = parse_list(state.get("sweeps", name), label, kind)
        if values:
            axes.append((field, values))
    seeds = parse_list(state.get("sweeps", "seeds"), "Seeds", int)
    spec = SweepSpec(base=training_experiment(), axes=tuple(axes), seeds=seeds)
    return check_sweep(spec, limits())


def parse_list(text: str, label: str, kind: type) -> tuple:
    """``"25, 50"`` -> ``(25, 50)``; an empty text is no axis (the base's value)."""
    parts = [part.strip() for part in str(text or "").split(",") if part.strip()]
    try:
        return tuple(kind(part) for part in parts)
    except ValueError:
        raise ConfigError(
            f"{label} must be {kind.__name__} values separated by commas, got {text!r}; "
            "e.g. 25, 50, 100."
        ) from None


def current_job() -> SweepJob | None:
    return jobs.registry().get("sweeps")


def start_sweep() -> SweepJob:
    """Start the page's sweep in the background; return the job."""
    check_enabled()
    spec = spec_from_state()
    rows = dataset.frame() if training_base.is_training(spec.base) else None  # a file's rows
    job = SweepJob(spec, run_store(), workspace=workspace_id(), rows=rows, limits=limits())
    return jobs.registry().start_alone("sweeps", job)


@dataclasses.dataclass(frozen=True)
class StoredSweep:
    """A sweep of the run store, as the page lists it."""

    sweep_id: str
    name: str  # its label, may be empty
    finished: int  # trials with a finished run
    total: int  # trials of its spec

    @property
    def label(self) -> str:
        """E.g. ``"Sweep 1a2b3c4d5e6f · breaking length · 3 of 4 trials finished"``."""
        name = f" · {self.name}" if self.name else ""
        return f"Sweep {self.sweep_id}{name} · {self.finished} of {self.total} trials finished"


def stored_sweeps() -> list[StoredSweep]:
    """The workspace's stored sweeps, newest first (those beyond today's limits left out:
    they cannot run again here)."""
    store, workspace = run_store(), workspace_id()
    listed = []
    for sweep in store.list_sweeps(workspace):
        try:
            total = len(SweepSpec.from_dict(sweep["spec"], limits()).trials())
        except LabError:
            continue
        runs = store.sweep_trials(sweep["sweep_id"], workspace).values()
        finished = sum(run.status == "finished" for run in runs)
        listed.append(StoredSweep(sweep["sweep_id"], sweep["name"], finished, total))
    return listed


def resume_sweep(sweep_id: str) -> SweepJob:
    """Run the trials of stored sweep ``sweep_id`` that have not finished; return the job.

    Raises:
        LabError: sweeps are off here, or the sweep trains on a file that is not loaded now.
    """
    check_enabled()
    store, workspace = run_store(), workspace_id()
    data = (store.get_sweep(sweep_id, workspace)["spec"]["base"].get("data")) or {}
    # A file's rows are not kept with the sweep: the file loaded now, if it is that one.
    rows = dataset.frame() if "file" in data and dataset.title() == data["file"] else None
    job = SweepJob.resume(store, sweep_id, workspace=workspace, rows=rows, limits=limits())
    return jobs.registry().start_alone("sweeps", job)


def trials_frame(snapshot) -> pd.DataFrame:
    """One row per trial: its settings, status, epochs, final loss, and a link to its run."""
    rows = []
    for trial in snapshot.trials:
        rows.append(
            {
                **trial["settings"],
                "status": trial["status"],
                "epochs": trial["epochs"],
                "validation loss": trial["val_loss"],
                "test skill vs naive": trial["skill"],  # training trials only
                "run": f"runs?run={trial['run_id']}" if trial["run_id"] else None,
                "error": trial["error"],
            }
        )
    return with_cell_names(pd.DataFrame(rows).dropna(axis="columns", how="all"))


def with_cell_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its cell-kind column, if any, as a "cell" column of class names."""
    if KIND_AXIS not in frame.columns:
        return frame
    return frame.assign(**{KIND_AXIS: frame[KIND_AXIS].map(KERAS_CLASS)}).rename(
        columns={KIND_AXIS: "cell"}
    )


# The aggregate's figures and quartiles as a reader names them (lstm_core.sweeps.aggregate).
FIGURE_LABELS = {
    "val_loss": "val loss",
    "skill": "skill",
    "solved": "solved",
    "reach_after": "gradient reach (trained)",
}
QUARTILE_LABELS = {"q25": "25th pct", "median": "median", "q75": "75th pct"}


def aggregate_frame(rows: list[dict]) -> pd.DataFrame:
    """The aggregate as a table for reading: settings, seeds, and each figure's median and
    interquartile range, named in words ("val loss median"), the cell by its class."""
    frame = with_cell_names(pd.DataFrame(rows).dropna(axis="columns", how="all"))
    names = {}
    for figure, figure_label in FIGURE_LABELS.items():
        for quartile, quartile_label in QUARTILE_LABELS.items():
            names[f"{figure}_{quartile}"] = f"{figure_label} {quartile_label}"
    return frame.rename(columns=names)


def aggregate_chart(rows: list[dict], *, threshold: float | None = None) -> alt.LayerChart:
    """Median validation loss per point with its interquartile band, a line per cell kind.

    The x axis is the first numeric swept setting (e.g. timesteps); the y axis is logarithmic,
    since losses span orders of magnitude across lengths. ``threshold`` draws a rule (the
    breaking length's 0.05).
    """
    frame = pd.DataFrame(rows)
    frame = frame[frame["val_loss_median"].notna()]
    numeric = [name for name in NUMERIC_AXES if name in frame.columns]
    x_name = numeric[0] if numeric else "cell"
    if KIND_AXIS in frame.columns:
        frame = frame.assign(cell=frame[KIND_AXIS].map(KERAS_CLASS))
        colors = cell_colors(frame[KIND_AXIS].unique())
    else:  # a training sweep over other settings than the cell: one line
        frame = frame.assign(cell=ALL_TRIALS)
        colors = {ALL_TRIALS: "gray"}
    scale = alt.Scale(domain=list(colors), range=list(colors.values()))
    if numeric:  # ticks at the swept values only (not 6.1, 6.2, ... between 6 and 8 steps)
        ticks = sorted(frame[x_name].unique().tolist())
        integer = x_name != "learning_rate"  # "d": 100, not Vega's "~g" 1e+2
        axis = alt.Axis(values=ticks, format="d" if integer else "~g")
        x = alt.X(f"{x_name}:Q", title=x_name, axis=axis)
    else:
        x = alt.X(f"{x_name}:N", title=x_name)
    y_scale = alt.Scale(type="log")
    band = (
        alt.Chart(frame)
        .mark_area(opacity=0.25)
        .encode(
            x=x,
            y=alt.Y("val_loss_q25:Q", scale=y_scale, title="validation loss (median, IQR band)"),
            y2="val_loss_q75:Q",
            color=alt.Color("cell:N", scale=scale, title="cell"),
        )
    )
    line = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("val_loss_median:Q", scale=y_scale),
            color=alt.Color("cell:N", scale=scale),
            tooltip=[x_name, "cell", "seeds", "val_loss_median", "val_loss_q25", "val_loss_q75"],
        )
    )
    layers = [band, line]
    if threshold is not None:
        rule = alt.Chart(pd.DataFrame({"y": [threshold]})).mark_rule(strokeDash=[4, 4])
        layers.append(rule.encode(y="y:Q"))
    return alt.layer(*layers).properties(height=320)
