"""Train: settings, Start and Stop, live progress and loss, then test metrics and downloads."""

import streamlit as st

from lstm_core.charts import loss_chart, prediction_chart
from lstm_core.train import LOSSES, OPTIMIZERS, TrainConfig
from ui import dataset, jobs, stack, state, tables, training
from ui.errors import attempt, show_error
from ui.router import ensure_routed
from ui.text import escape_markdown, shape_text
from ui.workspace import run_store, workspace_id

ensure_routed()

STATUS_TEXT = {
    "pending": "Starting",
    "running": "Training",
    "finished": "Finished",
    "stopped": "Stopped: the weights and history so far are kept",
    "failed": "Failed",
    "interrupted": "Interrupted: the server shut down; the epochs so far are kept",
}


def settings() -> None:
    state.ensure_fields("train", TrainConfig())
    state.ensure("train", {"log_scale": False})
    columns = st.columns(5)
    columns[0].number_input(
        "Epochs", min_value=1, step=1, key="train.epochs", persist_state="session"
    )
    columns[1].number_input(
        "Batch size", min_value=1, step=1, key="train.batch_size", persist_state="session"
    )
    columns[2].number_input(
        "Learning rate",
        min_value=0.0,
        step=0.0005,
        format="%.5f",
        key="train.learning_rate",
        help="The optimizer's step size.",
        persist_state="session",
    )
    columns[3].number_input(
        "Seed",
        min_value=0,
        step=1,
        key="train.seed",
        help="The same seed, data and model give the same run.",
        persist_state="session",
    )
    columns[4].number_input(
        "Early stopping: patience",
        min_value=0,
        step=1,
        key="train.patience",
        help="Epochs without a better validation loss before stopping and "
        "restoring the best weights; 0 trains every epoch.",
        persist_state="session",
    )
    with st.expander("Optimizer, loss and clipping"):
        columns = st.columns(3)
        columns[0].selectbox(
            "Optimizer", OPTIMIZERS, key="train.optimizer", persist_state="session"
        )
        columns[1].selectbox(
            "Loss",
            LOSSES,
            key="train.loss",
            help="auto: mean squared error, or cross-entropy for classes.",
            persist_state="session",
        )
        columns[2].number_input(
            "Gradient clipping (clipnorm, 0 = off)",
            min_value=0.0,
            step=0.5,
            key="train.clipnorm",
            help="Largest gradient norm per weight tensor: keeps exploding gradients in check "
            "(Pascanu et al. 2013).",
            persist_state="session",
        )


def progress(snapshot) -> None:
    """The progress bar, its line of text, and the loss chart so far."""
    total = max(1, snapshot.epochs * snapshot.batches_per_epoch)
    # Early stopping finishes before the last epoch: a finished job fills the bar.
    done = total if snapshot.status == "finished" else snapshot.steps_done
    left = "" if snapshot.eta_s is None else f" · about {snapshot.eta_s:.0f} s left"
    st.progress(
        min(1.0, done / total),
        text=f"{STATUS_TEXT[snapshot.status]} · epoch {snapshot.epoch}/{snapshot.epochs}, batch "
        f"{snapshot.batch}/{snapshot.batches_per_epoch} · {snapshot.elapsed_s:.0f} s{left}",
    )
    st.caption(f"Device: {snapshot.device}")
    if len(snapshot.history):
        st.toggle("Log scale", key="train.log_scale", persist_state="session")
        st.altair_chart(
            loss_chart(snapshot.history, log_scale=state.get("train", "log_scale")), width="stretch"
        )


def output_name(index: int, windows) -> str:
    """The name of column ``index`` of y: targets repeat within each of ``horizon`` steps."""
    targets = windows.target_names
    step = index // len(targets) + 1
    return f"{targets[index % len(targets)]}, t+{step}"


def results(job, snapshot) -> None:
    """Test metrics in the data's units, predictions against truth, downloads."""
    if snapshot.status == "failed":
        st.error(escape_markdown(f"Training failed: {snapshot.error}"), icon=":material/error:")
        return
    result = job.result
    if result is None:
        return
    st.subheader("Test set")
    metrics = result.test_metrics
    if job.windows.task == "classification":
        st.metric(
            "Accuracy", "n/a" if metrics["accuracy"] is None else f"{metrics['accuracy']:.1%}"
        )
        st.dataframe(tables.confusion_table(metrics), width="content")
    else:
        left, right = st.columns(2)
        left.metric("RMSE (data units)", tables.number(metrics["rmse"]))
        right.metric("MAE (data units)", tables.number(metrics["mae"]))
        st.dataframe(tables.per_target_table(metrics), hide_index=True, width="content")
        if len(result.y_true):
            names = [output_name(i, job.windows) for i in range(result.y_true.shape[1])]
            state.keep_choice("train", "output", list(range(len(names))))
            chosen = st.selectbox(
                "Output to plot",
                range(len(names)),
                key="train.output",
                format_func=names.__getitem__,
                persist_state="session",
            )
            st.altair_chart(
                prediction_chart(
                    result.y_true[:, chosen], result.y_pred[:, chosen], name=names[chosen]
                ),
                width="stretch",
            )
    if snapshot.run_id is None:
        return
    files = attempt(run_store().export_files, snapshot.run_id, workspace_id())
    if files:
        st.caption(f"Saved in the run store as run {snapshot.run_id}.")
        columns = st.columns(len(files))
        for column, (name, content) in zip(columns, sorted(files.items()), strict=True):
            column.download_button(
                tables.download_label(name),
                content,
                file_name=name,
                key=f"_train.download.{name.rsplit('.', 1)[-1]}",
            )


st.title("Train")
windows = dataset.windows()
if windows is None:
    st.info("No data yet: pick a sample or upload a CSV on the Data page first.")
else:
    st.caption(
        escape_markdown(
            f"Data: {dataset.title()}, x_train {shape_text(windows.x_train.shape)}. "
            f"Model: {stack.layer_string()}."
        )
    )
settings()
job = training.current_job()
active = jobs.is_active(job)
jobs.start_stop_buttons(
    "train",
    "Start training",
    "Stop training",
    training.start_training,
    training.current_job,
    active=active,
    can_start=windows is not None,
)
try:
    if job is None:
        st.caption("Press Start to train the model from the Model page on this data.")
    elif active:
        jobs.follow(job, progress)
    else:
        snapshot = job.snapshot()
        progress(snapshot)
        results(job, snapshot)
except Exception as error:  # drawing must never show a traceback
    show_error(error)
