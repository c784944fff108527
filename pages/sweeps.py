"""Sweeps: the Vanishing page's task, or the current experiment, over axes and seeds, run at
once on Ray."""

import streamlit as st

from lstm_core.errors import LabError
from lstm_core.model import KERAS_CLASS, KINDS
from lstm_core.sweeps import SOLVED_LOSS, aggregate, training
from ui import jobs, state, sweeps
from ui.errors import attempt, show_error
from ui.router import ensure_routed
from ui.text import escape_markdown

ensure_routed()

RESUME_ERROR = "sweeps.resume_error"  # session state: why the last Resume failed


def base_caption() -> None:
    """What the sweep starts from, in one line."""
    if sweeps.is_training():
        try:
            experiment = sweeps.training_experiment()
        except LabError:
            return  # said once, below, where the sweep is checked
        st.caption(
            escape_markdown(
                f"Base experiment (the Data, Model and Train pages' settings): "
                f"{training.describe(experiment)}. Each trial trains on its own windows "
                "and is scored on the test split beside the naive forecast; its model is "
                "kept, so it opens on the Runs and States pages. A field left empty keeps "
                "the base's value; no cell chosen keeps the model's layers."
            )
        )
        return
    base = sweeps.base_config()
    st.caption(
        escape_markdown(
            f"Base experiment (the Vanishing gradients page's settings): {base.task} problem, "
            f"{base.timesteps} steps, {base.units} units, {base.epochs} epochs, "
            f"{base.n_train} sequences, learning rate {base.learning_rate}. A field left "
            "empty keeps the base's value."
        )
    )


def axes() -> None:
    """The base, then the axes and seeds typed over it."""
    state.ensure("sweeps", sweeps.DEFAULTS)
    st.radio(
        "Base experiment",
        list(sweeps.BASES),
        key="sweeps.base",
        format_func=sweeps.BASES.get,
        horizontal=True,
        persist_state="session",
    )
    base_caption()
    st.multiselect(
        "Cells", KINDS, key="sweeps.kinds", format_func=KERAS_CLASS.get, persist_state="session"
    )
    inputs = [(field.axis, field.key) for field in sweeps.list_fields()] + [("Seeds", "seeds")]
    for start in range(0, len(inputs), 4):  # rows of four
        for column, (label, name) in zip(st.columns(4), inputs[start : start + 4], strict=False):
            column.text_input(label, key=f"sweeps.{name}", persist_state="session")


def progress(snapshot) -> None:
    """Trials done so far, the table of trials, and the aggregate of those finished."""
    ended = len(snapshot.trials) - snapshot.count("pending") - snapshot.count("running")
    st.progress(
        ended / max(1, len(snapshot.trials)),
        text=f"{snapshot.status.capitalize()} · {ended} of {len(snapshot.trials)} trials ended, "
        f"{snapshot.count('running')} running · {snapshot.elapsed_s:.0f} s",
    )
    rows = aggregate(list(snapshot.trials))
    if any(row["val_loss_median"] is not None for row in rows):
        job = sweeps.current_job()
        trains = job is not None and training.is_training(job.spec.base)
        threshold = None if trains else SOLVED_LOSS  # the adding problem's solved line
        st.altair_chart(sweeps.aggregate_chart(rows, threshold=threshold), width="stretch")
    st.dataframe(
        sweeps.trials_frame(snapshot),
        hide_index=True,
        column_config={"run": st.column_config.LinkColumn("run", display_text="open on Runs")},
    )


st.title("Sweeps")
st.markdown(
    "One experiment is one draw; a sweep runs it over **axes** (cells, lengths or lookbacks, "
    "units, learning rates) and **seeds**, as independent trials on [Ray](https://www.ray.io): at "
    "once on this machine's cores, or on a Ray cluster. Each trial is kept as a run; the "
    "aggregate is the median over seeds with its interquartile band."
)
if not sweeps.enabled():
    st.info(
        "Sweeps are off on this hosted app: they keep every core busy. Its host can turn "
        "them on with LSTM_LAB_SWEEPS=1.",
        icon=":material/block:",
    )
axes()
spec = attempt(sweeps.spec_from_state)
if spec is not None:
    st.caption(f"{len(spec.trials())} trials.")
job = sweeps.current_job()
active = jobs.is_active(job)
jobs.start_stop_buttons(
    "sweeps",
    "Run the sweep",
    "Stop the sweep",
    sweeps.start_sweep,
    sweeps.current_job,
    active=active,
    can_start=spec is not None and sweeps.enabled(),
)
if job is None:
    st.caption("Stopping cancels the trials not started and keeps the epochs of those running.")
elif active:
    jobs.follow(job, progress)
else:
    snapshot = job.snapshot()
    if snapshot.status == "failed":
        st.error(escape_markdown(f"The sweep failed: {snapshot.error}"))
    progress(snapshot)
    st.subheader("Aggregate")
    st.dataframe(sweeps.aggregate_frame(aggregate(list(snapshot.trials))), hide_index=True)


def earlier_sweeps(active: bool) -> None:
    """The stored sweeps, and a Resume that runs the chosen one's unfinished trials."""
    stored = {sweep.sweep_id: sweep for sweep in attempt(sweeps.stored_sweeps) or []}
    if not stored:
        return
    st.subheader("Earlier sweeps")
    st.caption(
        "A sweep stopped, interrupted, or with failed trials runs again from where it ended: "
        "its finished trials are kept, the others run again. Each trial is a run on the Runs "
        "page, grouped under its sweep."
    )
    chosen = st.selectbox(
        "Sweep", list(stored), format_func=lambda sweep_id: stored[sweep_id].label,
        key="_sweeps.stored",
    )  # fmt: skip
    complete = stored[chosen].finished == stored[chosen].total
    st.button(
        "Resume this sweep",
        icon=":material/replay:",
        key="_sweeps.resume",
        disabled=active or complete or not sweeps.enabled(),
        help="Every trial of this sweep has finished." if complete else None,
        on_click=jobs.start_and_keep_error,
        args=(lambda: sweeps.resume_sweep(chosen), RESUME_ERROR),
    )
    if RESUME_ERROR in st.session_state:
        show_error(st.session_state.pop(RESUME_ERROR))


earlier_sweeps(active)
