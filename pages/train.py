"""Train: settings, Start and Stop, live progress and loss, then test metrics and downloads."""

import streamlit as st

from lstm_core.fields import TRAIN
from lstm_core.forecast.verdict import range_warnings, result_warnings, skill_words, verdict
from ui import dataset, diagnosis_view, fields, jobs, stack, state, tables, training
from ui.charts import loss_chart, prediction_chart, step_error_chart
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
    """The training settings: the first five in a row, the rest (optimizer, loss, clipping and
    any added) in an expander; every widget from its row of ``lstm_core.fields.TRAIN``."""
    fields.ensure_defaults("train", TRAIN)
    state.ensure("train", {"log_scale": False})
    fields.grid("train", TRAIN.fields[:5], columns=5)
    with st.expander("Optimizer, loss and clipping"):
        fields.grid("train", TRAIN.fields[5:], columns=3)


def before_start(windows) -> None:
    """What can be told before Start: test targets outside the scaler's range, and the time."""
    if windows.task == "regression":
        for warning in range_warnings(windows):
            st.warning(
                f"{escape_markdown(warning.text)}  \n**Fix:** {warning.fix}",
                icon=":material/lightbulb:",
            )
    if st.button(
        "Estimate the time",
        key="_train.estimate",
        icon=":material/timer:",
        help="Builds the model and times a few training batches on this machine.",
    ):
        estimate = attempt(training.estimate_time)
        if estimate is not None:
            state.put("train", "estimate", (training.estimate_key(), estimate.words()))
    kept = state.get("train", "estimate")
    if kept is not None and kept[0] == training.estimate_key():
        st.caption(f"This run will take {kept[1]}.")


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
    st.caption(f"Backend and device: {snapshot.device}")
    if len(snapshot.history):
        st.toggle("Log scale", key="train.log_scale", persist_state="session")
        st.altair_chart(
            loss_chart(snapshot.history, log_scale=state.get("train", "log_scale")), width="stretch"
        )


def results(job, snapshot) -> None:
    """Test metrics beside their yardsticks, the verdict and warnings, charts, downloads."""
    if snapshot.status == "failed":
        st.error(escape_markdown(f"Training failed: {snapshot.error}"), icon=":material/error:")
        return
    result = job.result
    if result is None:
        return
    st.subheader("Test set")
    metrics = result.test_metrics
    windows = job.windows
    sentence = verdict(metrics)
    found = result_warnings(
        metrics, result.y_true, result.y_pred, windows.target_names, windows.horizon
    )
    if sentence:
        losing = any(warning.kind == "loses" for warning in found)
        show = st.warning if losing else st.success
        show(escape_markdown(sentence), icon=":material/warning:" if losing else ":material/check:")
    for warning in found:
        st.warning(
            f"{escape_markdown(warning.text)}  \n**Fix:** {warning.fix}",
            icon=":material/lightbulb:",
        )
    if windows.task == "classification":
        classification_results(metrics)
    else:
        regression_results(result, windows)
    if result.diagnosis is not None:
        st.subheader("Inside the model")
        diagnosis_view.show(result.diagnosis, windows.timesteps)
    downloads(snapshot)


def classification_results(metrics: dict) -> None:
    majority = metrics["baselines"]["majority"]
    left, right = st.columns(2)
    left.metric("Accuracy", tables.percent(metrics["accuracy"]))
    right.metric(
        f"Majority class ({majority['class']})",
        tables.percent(majority["accuracy"]),
        help="Always predicting the most common class of the training split.",
    )
    st.dataframe(tables.confusion_table(metrics), width="content")


def regression_results(result, windows) -> None:
    """Per target: the model's score beside each baseline, skill in words, per-step errors."""
    metrics = result.test_metrics
    season = metrics.get("season", {}).get("note", "none")
    for name, scores in metrics["per_target"].items():
        if len(metrics["per_target"]) > 1:
            st.markdown(f"**{escape_markdown(name)}** (its own units)")
        target_scores(scores, season)
    left_out = metrics.get("left_out", {}).get("test")
    st.caption(
        f"{metrics['test_samples']} test windows, scored in the data's units"
        + (f"; {left_out} left out because a target was filled in" if left_out else "")
        + f". Season: {escape_markdown(season)}."
    )
    if not len(result.y_true):
        return
    names = list(windows.y_columns)
    state.keep_choice("train", "output", list(range(len(names))))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    chosen = left.selectbox(
        "Output to plot",
        range(len(names)),
        key="train.output",
        format_func=names.__getitem__,
        persist_state="session",
    )
    right.toggle(
        "Draw the naive forecast",
        disabled=not result.baselines,
        key="train.show_naive",
        help="The last value before each window, repeated: a forecast that only lags the "
        "truth looks like this line.",
        persist_state="session",
    )
    show_naive = result.baselines and state.get("train", "show_naive")
    naive = result.baselines["naive"][:, chosen] if show_naive else None
    st.altair_chart(
        prediction_chart(
            result.y_true[:, chosen], result.y_pred[:, chosen], name=names[chosen], baseline=naive
        ),
        width="stretch",
    )


def target_scores(scores: dict, season_note: str) -> None:
    """One target: RMSE, MAE and MASE, the skill in words, the yardstick table, per step."""
    columns = st.columns(4)
    columns[0].metric("RMSE (data units)", tables.number(scores["rmse"]))
    columns[1].metric("MAE (data units)", tables.number(scores["mae"]))
    columns[2].metric(
        "MASE",
        tables.number(scores.get("mase")),
        help="Test MAE over the in-sample MAE of the seasonal naive forecast (naive without a "
        "season) on the training rows (Hyndman & Koehler 2006): below 1 beats it.",
    )
    skill = skill_words(scores.get("skill_vs_naive"), "naive")
    if skill:
        colour = "green" if scores["skill_vs_naive"] >= 0 else "orange"
        columns[3].markdown(f"**Against naive**  \n:{colour}[{skill}]")
    if "baselines" in scores:
        st.dataframe(tables.yardstick_table(scores, season_note), hide_index=True, width="content")
    if len(scores.get("per_step", [])) > 1:
        st.altair_chart(
            step_error_chart(scores["per_step"], name="RMSE per step ahead"), width="stretch"
        )


def downloads(snapshot) -> None:
    """The stored run's files."""
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
if windows is not None and not active:
    before_start(windows)
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
        if windows is not None:  # without data, Start is off and the info above says why
            st.caption("Press Start to train the model from the Model page on this data.")
    elif active:
        jobs.follow(job, progress)
    else:
        snapshot = job.snapshot()
        progress(snapshot)
        results(job, snapshot)
except Exception as error:  # drawing must never show a traceback
    show_error(error)
