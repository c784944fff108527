"""Vanishing gradients: real gradient norms per step, and a task one cell learns and one does not."""

import streamlit as st

from lstm_core.experiments import differentiated_loss
from lstm_core.model import KERAS_CLASS, KINDS
from ui import breaking_length, comparison, jobs, state
from ui.charts import gradient_chart, learning_curves_chart
from ui.errors import attempt
from ui.palette import cell_colors
from ui.router import ensure_routed
from ui.text import escape_markdown

ensure_routed()

TASKS = {
    "adding": "Adding problem: add the two marked values (MSE)",
    "copy": "Copy memory: recall 10 symbols after a delay (cross-entropy)",
}
NORMS = {
    "dL_dh": "‖dL/dh_t‖: hidden state",
    "dL_dx": "‖dL/dx_t‖: input",
    "dL_dc": "‖dL/dc_t‖: cell state (LSTM; through h_t and c_t+1)",
}
STATUS = {
    "pending": "Starting",
    "running": "Training",
    "finished": "Finished",
    "stopped": "Stopped",
    "failed": "Failed",
}


def use_quick_setting() -> None:
    for name, value in comparison.quick().items():
        state.put("vanishing", name, value)


def settings() -> None:
    state.ensure(
        "vanishing", {**comparison.defaults(), "norm_untrained": "dL_dh", "norm_trained": "dL_dh"}
    )
    st.selectbox(
        "Task", list(TASKS), key="vanishing.task", format_func=TASKS.get, persist_state="session"
    )
    st.multiselect(
        "Cells", KINDS, key="vanishing.kinds", format_func=KERAS_CLASS.get, persist_state="session"
    )
    comparison.settings_grid("vanishing", (*comparison.GRID, "seed"))
    st.button(
        "Quick setting",
        key="_vanishing.quick",
        on_click=use_quick_setting,
        help="The story in under a minute on 2 cores: the adding problem over 50 steps, 3000 "
        "sequences, 8 epochs, Adam 0.01, batch 32. The SimpleRNN stays at the baseline, the "
        "LSTM learns the task.",
    )


def gradients(result, which: str) -> None:
    """The gradient-norm chart of ``result``'s profiles, with its own choice of norm."""
    key = f"vanishing.norm_{which}"
    st.radio(
        "Gradient of the loss with respect to",
        list(NORMS),
        key=key,
        format_func=NORMS.get,
        horizontal=True,
        persist_state="session",
    )
    chart = gradient_chart(
        comparison.profiles(result),
        column=st.session_state[key],
        x_title=f"time step t ({differentiated_loss(result.config.task)})",
        colors=cell_colors(result.results),
    )
    st.altair_chart(chart, width="stretch")


def mark_if_old(config, names=comparison.FIELDS) -> None:
    """Say so when the settings changed since ``config`` ran: the result shown is old."""
    changed = comparison.changed_settings(config, names)
    if changed:
        st.warning(
            escape_markdown(
                "Old result: it ran with " + "; ".join(changed) + ". Run again to see the "
                "current settings."
            ),
            icon=":material/history:",
        )


def progress(snapshot) -> None:
    running = f", training {KERAS_CLASS[snapshot.kind]}" if snapshot.kind else ""
    st.progress(
        snapshot.progress,
        text=f"{STATUS[snapshot.status]}{running} · "
        f"{snapshot.progress:.0%} of {snapshot.epochs} epochs x {len(snapshot.kinds)} cells",
    )
    if any(snapshot.val_loss.values()):
        curves = {KERAS_CLASS[k]: v for k, v in snapshot.val_loss.items() if v}
        st.altair_chart(
            learning_curves_chart(
                curves,
                baseline=snapshot.baseline,
                baseline_label="remember-nothing baseline",
                colors=cell_colors(snapshot.kinds),
            ),
            width="stretch",
        )


st.title("Vanishing gradients")
st.markdown(
    "Why LSTMs exist, measured rather than drawn. Backpropagation through time multiplies one "
    "factor per step, so in a plain RNN the gradient reaching early steps can shrink "
    "geometrically; the LSTM's cell state carries it along, scaled by the forget gate. Be fair "
    "to the SimpleRNN: **at initialisation** its orthogonal recurrent weights often pass "
    "gradients back as well as an LSTM's; the LSTM's advantage appears **after training**, "
    "when it has learned to hold its forget gates open. The comparison below shows both."
)
settings()

st.subheader("1. Gradient flow at initialisation")
if st.button("Measure the untrained cells", key="_vanishing.profile"):
    with st.spinner("Building the models and running one backward pass each..."):
        state.put("vanishing", "untrained", attempt(comparison.profile_untrained))
untrained = state.get("vanishing", "untrained")
if untrained is not None:
    mark_if_old(untrained.config, comparison.UNTRAINED_FIELDS)
    gradients(untrained, "untrained")
else:
    st.caption("One backward pass per cell, on 100 validation sequences: a few seconds.")

st.subheader("2. Learn the task, side by side")
job = comparison.current_job()
active = jobs.is_active(job)
jobs.start_stop_buttons(
    "vanishing",
    "Run the comparison",
    "Stop the comparison",
    comparison.start_comparison,
    comparison.current_job,
    active=active,
)
if job is None:
    st.caption(
        "Every cell trains on the same data with the same optimizer, clipping and seed; "
        "the dashed line is the loss of a guess that remembers nothing."
    )
elif active:
    jobs.follow(job, progress)
else:
    mark_if_old(job.config)
    snapshot = job.snapshot()
    progress(snapshot)
    if snapshot.status == "failed":
        st.error(escape_markdown(f"The comparison failed: {snapshot.error}"))
    elif snapshot.result is not None:
        st.dataframe(comparison.summary_frame(snapshot.result), hide_index=True)
        st.caption(
            "Gradient reach: ‖dL/dh‖ at the first step read over ‖dL/dh‖ at the last, near 1 "
            "when the gradient gets back undiminished. Gradient flow before (dashed) and after "
            "training (solid):"
        )
        gradients(snapshot.result, "trained")

st.subheader("3. The breaking length: the longest dependency each cell learns")
breaking_length.section(progress)
