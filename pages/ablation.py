"""Ablation lab: which part of the LSTM does the work? Greff et al.'s variants, side by side."""

import streamlit as st

from lstm_core.experiments.ablation import load_reference
from lstm_core.model import KERAS_CLASS, KINDS
from ui import ablation, comparison, dataset, jobs, state
from ui.router import ensure_routed
from ui.text import escape_markdown, shape_text

ensure_routed()

TASKS = {
    "adding": "Adding problem: add the two marked values (MSE)",
    "copy": "Copy memory: recall 10 symbols after a delay (cross-entropy)",
    "windows": "Your data (the Data page's windows)",
}
STATUS = {
    "pending": "Starting",
    "running": "Training",
    "finished": "Finished",
    "stopped": "Stopped",
    "failed": "Failed",
    "interrupted": "Interrupted",
}


def settings() -> None:
    state.ensure(ablation.PAGE, ablation.defaults())
    windows = dataset.windows()
    tasks = [task for task in TASKS if task != "windows" or windows is not None]
    state.keep_choice(ablation.PAGE, "task", tasks)
    st.selectbox("Task", tasks, key="ablation.task", format_func=TASKS.get, persist_state="session")
    own = state.get(ablation.PAGE, "task") == "windows"
    if windows is None:
        st.caption(
            "To compare the cells on your own data, pick a sample or upload a CSV on the Data "
            "page: once it has cut windows, this list offers them."
        )
    elif own:
        st.caption(
            escape_markdown(
                f"Every cell trains on the windows of {dataset.title()}: x_train "
                f"{shape_text(windows.x_train.shape)}, x_val {shape_text(windows.x_val.shape)}, "
                f"x_test {shape_text(windows.x_test.shape)}. Timesteps and sequences are theirs."
            )
        )
    st.multiselect(
        "Cells: Keras' LSTM and the variants (nig: no input gate, nfg: no forget gate, nog: no "
        "output gate, niaf/noaf: no input/output activation, cifg: i = 1 - f, ph: peepholes)",
        KINDS,
        key="ablation.variants",
        format_func=KERAS_CLASS.get,
        persist_state="session",
    )
    st.number_input(
        "Seeds (0, 1, ...)", min_value=1, step=1, key="ablation.seeds", persist_state="session"
    )
    comparison.settings_grid(
        ablation.PAGE,
        timesteps={"disabled": own},
        n_train={"disabled": own},
        epochs={"min_value": 1},  # an ablation compares trained cells
    )
    if ablation.ray_offered():
        st.radio(
            "Run on",
            list(ablation.RUN_ON),
            key="ablation.run_on",
            format_func=ablation.RUN_ON.get,
            horizontal=True,
            persist_state="session",
            help="Ray runs every cell and seed as a trial of a sweep, at once on this "
            "machine's cores (or on the Ray cluster of RAY_ADDRESS); each is kept as a run.",
        )


def show_result(result) -> None:
    """The ranked table, each seed's final loss, and the median learning curves."""
    st.dataframe(ablation.summary_frame(result), hide_index=True)
    if result.baseline is None:  # the user's windows
        yardstick = (
            "the test score (median over seeds, in the data's units) stands beside the naive "
            "forecast's on the same windows (the majority class's for classes), with the skill "
            "against it. The validation loss is in scaled units, and no guess that remembers "
            "nothing is known for it. Share solved does not apply: it is the adding problem's "
            "criterion (|error| < 0.04)."
        )
        if all(row["reach_before"] is None for row in result.summary()):
            yardstick += (
                " Gradient reach does not apply to padded sequences (shown as -): their "
                "first steps are padding."
            )
    else:
        yardstick = "the dashed line is the loss of a guess that remembers nothing."
    st.caption(
        f"Ranked by the median over seeds of the final validation loss; {yardstick} Gradient "
        "reach: ‖dL/dh‖ at the first step over ‖dL/dh‖ at the last, at initialisation and "
        "after training (medians)."
    )
    left, right = st.columns(2)
    left.altair_chart(ablation.final_loss_chart(result), width="stretch")
    right.altair_chart(ablation.median_curves_chart(result), width="stretch")


def progress(snapshot) -> None:
    st.progress(
        snapshot.progress,
        text=f"{STATUS[snapshot.status]} · {snapshot.progress:.0%} of "
        f"{snapshot.total_epochs} epochs (every cell, every seed)",
    )


st.title("Ablation lab")
st.markdown(
    "Which part of the LSTM does the work? Greff et al. (2017, *LSTM: A Search Space Odyssey*) "
    "removed one part at a time and trained each variant many times: the forget gate and the "
    "output activation mattered most; coupling the input and forget gates (CIFG) or dropping "
    "the peepholes cost little. Here every chosen cell trains on the same data, once per seed, "
    "with the same seeds and optimizer."
)
settings()
job = ablation.current_job()
active = jobs.is_active(job)
jobs.start_stop_buttons(
    ablation.PAGE,
    "Run the ablation",
    "Stop the ablation",
    ablation.start_ablation,
    ablation.current_job,
    active=active,
)
if active:
    jobs.follow(job, progress)
elif job is not None:
    snapshot = job.snapshot()
    progress(snapshot)
    if snapshot.status == "failed":
        st.error(escape_markdown(f"The ablation failed: {snapshot.error}"))
    elif snapshot.result is not None:
        show_result(snapshot.result)
    if snapshot.sweep_id is not None:
        st.caption(
            f"Ran on Ray as sweep {snapshot.sweep_id}: each cell and seed is a run of it on "
            "the Runs page."
        )

reference = load_reference()
if reference is not None:
    st.subheader("The reference ablation")
    config = reference.config
    st.caption(
        f"Shipped with LSTM Lab (scripts/reference_ablation.py, {reference.wall_s / 60:.0f} "
        f"minutes on 2 shared cores): the {config.task} problem over {config.compare.timesteps} steps, "
        f"{config.compare.units} units, {config.compare.n_train} sequences, {config.compare.epochs} epochs, "
        f"{len(config.seeds)} seeds. docs/reference-ablation.md compares it with Greff et al."
    )
    show_result(reference)
