"""Runs: stored runs grouped by dataset, scored beside their yardstick, compared within a group."""

import streamlit as st

from lstm_core.forecast.stored import read_test_metrics
from lstm_core.forecast.verdict import verdict
from lstm_core.run_groups import group_of, group_runs
from ui import share, state, tables
from ui.charts import runs_overlay_chart
from ui.errors import attempt, show_error
from ui.router import ensure_routed
from ui.text import escape_markdown
from ui.workspace import run_store, workspace_id, your_runs_note

ensure_routed()

METRICS = {
    "val_loss": "validation loss (scaled targets)",
    "loss": "training loss (scaled targets)",
}


def reopen(run) -> None:
    """Load a run's data, windowing, layers and training settings, for the Train page."""
    try:
        note = share.apply_experiment(share.experiment_of_run(run))
    except Exception as error:  # shown on the Runs page by the run that follows
        st.session_state["runs.error"] = error
        return
    st.session_state["runs.reopened"] = note or f"The settings of run {run.run_id} are loaded."


def delete(run_id: str) -> None:
    try:
        run_store().delete_run(run_id, workspace_id())
    except Exception as error:  # shown on the Runs page by the run that follows
        st.session_state["runs.error"] = error


def results(run) -> None:
    """The run's verdict and each target's score beside its yardsticks, as tables."""
    results = read_test_metrics(run.test_metrics)
    if results is None:
        st.caption("No test results: the run did not finish.")
        return
    if run.sweep_id:
        st.caption(escape_markdown(f"Trial {run.trial} of sweep {run.sweep_id}."))
    if results.kind == "comparison":  # a task trial's figures, beside its baseline
        st.dataframe(tables.settings_table(tables.rounded(results.metrics)), hide_index=True)
        return
    sentence = verdict(results.metrics)
    if sentence:
        st.markdown(escape_markdown(sentence))
    if results.kind == "classification":
        st.dataframe(tables.confusion_table(results.metrics), width="content")
        return
    if not results.yardsticks:
        st.caption("No yardsticks kept with this run (stored before they were): its errors alone.")
    for name, scores in results.per_target.items():
        if name:
            st.caption(escape_markdown(f"{name} (its own units)"))
        table = tables.yardstick_table(scores, results.season)
        st.dataframe(table, hide_index=True, width="content")


def details(run) -> None:
    st.caption(escape_markdown(f"Run {run.run_id} · {run.name} · {run.status}"))
    if run.error:
        st.text(f"Error: {run.error}")
    results_tab, data_tab, model_tab = st.tabs(
        ["Results", "Data and windowing", "Model and training"]
    )
    with results_tab:
        results(run)
        if run.timings:
            st.caption("Timings, in seconds")
            st.dataframe(tables.settings_table(tables.rounded(run.timings)), hide_index=True)
    with data_tab:
        st.dataframe(
            tables.settings_table({"dataset": run.dataset.get("name", "")}), hide_index=True
        )
        st.dataframe(tables.settings_table(run.window_spec), hide_index=True)
    with model_tab:
        st.dataframe(tables.layers_table(run.model_spec), hide_index=True)
        st.dataframe(tables.settings_table(run.train_config), hide_index=True)
    actions(run)


def actions(run) -> None:
    columns = st.columns([2, 2, 2, 1.3, 1.7], vertical_alignment="center")
    columns[0].button(
        "Train it again",
        key="_runs.reopen",
        help="Loads its data, windowing, layers and training settings, for the Train page.",
        icon=":material/replay:",
        on_click=reopen,
        args=(run,),
    )
    has_model = run.model_path is not None and run.model_path.exists()
    if has_model and columns[1].button(
        "Look inside its model", key="_runs.inspect", icon=":material/grid_on:"
    ):
        state.put("states", "model", run.run_id)
        st.switch_page("pages/states.py")
    archive = attempt(run_store().export_zip, run.run_id, workspace_id())
    if archive is not None:
        columns[2].download_button(
            "Download the run (.zip)", archive, file_name=f"run_{run.run_id}.zip", key="_runs.zip"
        )
    confirm = columns[4].checkbox("Yes, delete it", key="_runs.confirm")
    columns[3].button(
        "Delete",
        key="_runs.delete",
        icon=":material/delete:",
        disabled=not confirm,
        on_click=delete,
        args=(run.run_id,),
    )


def stored_runs() -> list | None:
    """The workspace's runs, newest first; ``None`` (the error shown) if unreadable."""
    store, workspace = run_store(), workspace_id()
    listed = attempt(store.list_runs, workspace)
    if listed is None:
        return None
    return attempt(lambda: [store.get_run(run_id, workspace) for run_id in listed["run_id"]])


def label(by_id: dict, run_id: str) -> str:
    return f"{run_id} · {by_id[run_id].name}"


def compare(by_id: dict) -> None:
    """Overlay the chosen runs' loss curves: runs of one group, on the same scaled targets."""
    st.subheader("Loss curves")
    state.ensure("runs", {"metric": "val_loss", "log_scale": False})
    state.keep_choices("runs", "chosen", list(by_id), fallback=list(by_id)[:3])
    st.multiselect(
        "Runs to overlay",
        list(by_id),
        key="runs.chosen",
        persist_state="session",
        format_func=lambda run_id: label(by_id, run_id),
    )
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.radio(
        "Curve",
        list(METRICS),
        key="runs.metric",
        format_func=METRICS.get,
        horizontal=True,
        persist_state="session",
    )
    right.toggle("Log scale", key="runs.log_scale", persist_state="session")
    chosen, metric = state.get("runs", "chosen"), state.get("runs", "metric")
    if chosen:
        histories = {run_id: by_id[run_id].history for run_id in chosen}
        chart = runs_overlay_chart(
            histories,
            metric=metric,
            log_scale=state.get("runs", "log_scale"),
            y_title=METRICS[metric],
        )
        st.altair_chart(chart, width="stretch")


def linked_run(runs: list) -> None:
    """Open the run of a ``?run=ID`` link once; one of another workspace is not there."""
    wanted = state.get("runs", "wanted")
    state.drop("runs", "wanted")
    if not wanted:
        return
    group = group_of(runs, wanted)
    if group is not None:
        state.put("runs", "group", group)
        state.put("runs", "detail", wanted)
    else:  # the store's own message: no such run in this workspace
        attempt(run_store().get_run, wanted, workspace_id())


def runs_page(runs: list) -> None:
    groups = group_runs(runs)
    state.keep_choice("runs", "group", list(groups))
    st.selectbox(
        "Dataset and windowing",
        list(groups),
        key="runs.group",
        persist_state="session",
        format_func=lambda name: f"{name} ({len(groups[name])} runs)",
        help="Runs are compared only with runs on the same data, targets, scaler, "
        "differencing and horizon: their losses and scores measure the same thing.",
    )
    members = groups[state.get("runs", "group")]
    by_id = {run.run_id: run for run in members}
    st.caption(
        "Test scores in the data's units beside the naive yardstick. Click a header to sort."
    )
    st.dataframe(tables.runs_table(members), hide_index=True, width="stretch")
    compare(by_id)
    st.subheader("Details")
    state.keep_choice("runs", "detail", list(by_id))
    st.selectbox(
        "Run",
        list(by_id),
        key="runs.detail",
        persist_state="session",
        format_func=lambda run_id: label(by_id, run_id),
    )
    details(by_id[state.get("runs", "detail")])


st.title("Runs")
if "runs.error" in st.session_state:
    show_error(st.session_state.pop("runs.error"))
if "runs.reopened" in st.session_state:
    st.success(escape_markdown(st.session_state.pop("runs.reopened")), icon=":material/check:")
    st.page_link("pages/train.py", label="Go to the Train page", icon=":material/monitoring:")

your_runs_note()
runs = stored_runs()  # None when the store could not be read: its error is shown
if runs is not None:
    linked_run(runs)
if runs:
    runs_page(runs)
elif runs is not None:
    st.info("No runs yet: every training job is kept here, with its settings and results.")
