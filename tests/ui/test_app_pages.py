"""AppTests of every page: fresh, and in a session with data, a model and a finished run.

The training is done once per module through the pages themselves (Data, Model, Train), so
these tests also check that moving between pages loses nothing. Each test then gets a session
of its own with that data, model and finished job, over a copy of the store: what one test
changes, no other test sees, whatever the order.
"""

import re
import shutil
import time

import numpy as np
import pandas as pd
import pytest
from app_session import (
    TINY_LAYERS,
    add_run,
    charts,
    errors,
    layer_ids,
    new_app,
    open_page,
    plain,
    set_tiny_model,
    shell,
    trained_run,
    trained_session,
)

from lstm_core.cli import build_parser
from lstm_core.cli.train import experiment_of
from lstm_core.samples import load_sample
from ui.jobs import JobRegistry


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    """Each test's runs go to its own store folder."""
    monkeypatch.setenv("LSTM_LAB_STORE", str(tmp_path / "store"))
    return tmp_path / "store"


@pytest.fixture(scope="module")
def trained_once(tmp_path_factory):
    """``(job, store folder)``: one finished training through the pages, and its store."""
    folder = tmp_path_factory.mktemp("trained") / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LSTM_LAB_STORE", str(folder))
        at = trained_session()
    return at.session_state["app.jobs"].get("train"), folder


@pytest.fixture
def trained(trained_once, store):
    """A new session with the trained session's data, model and finished job, over a copy of
    its store."""
    job, folder = trained_once
    shutil.copytree(folder, store)
    at = new_app()
    open_page(at, "data")
    set_tiny_model(at)
    registry = JobRegistry()
    registry.put("train", job)
    at.session_state["app.jobs"] = registry
    return at.run()


def dataframe_containing(at, column: str):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def markdown_table_containing(at, column: str) -> pd.DataFrame:
    """The first Markdown table on the page with ``column``, its cells as the user reads them."""

    def cells(line: str) -> list[str]:  # split on the pipes that are not escaped
        parts = [part.strip() for part in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        return [shape_or_plain(part) for part in parts]

    def shape_or_plain(cell: str) -> str:  # shapes are code spans with no-break spaces
        return cell.strip("`").replace("\u00a0", " ") if cell.startswith("`") else plain(cell)

    for element in at.markdown:
        lines = element.value.splitlines()
        if lines and lines[0].startswith("|") and column in cells(lines[0]):
            return pd.DataFrame([cells(line) for line in lines[2:]], columns=cells(lines[0]))
    raise AssertionError(f"no Markdown table with the column {column!r}")


PAGES = {
    "home": "LSTM Lab",
    "data": "Data",
    "model": "Model",
    "train": "Train",
    "states": "States",
    "vanishing": "Vanishing gradients",
    "ablation": "Ablation lab",
    "sweeps": "Sweeps",
    "runs": "Runs",
}


@pytest.mark.quick
def test_every_page_runs_on_a_fresh_session():
    at = new_app()
    for page, title in PAGES.items():
        open_page(at, page)
        assert at.title[0].value == title
        assert not errors(at), page


@pytest.mark.quick
def test_every_page_runs_on_a_trained_session(trained):
    for page, title in PAGES.items():
        open_page(trained, page)
        assert trained.title[0].value == title
        assert not errors(trained), page


# Home.


def test_home_explains_the_cell_and_offers_the_demo():
    at = new_app()
    text = " ".join(m.value for m in at.markdown)
    assert "three inputs" in text and "three outputs" in text and "zero states" in text
    assert at.button(key="_home.demo").label == "Run the demo"
    assert len(at.get("graphviz_chart")) == 1


def test_the_demo_loads_data_and_model_and_trains_on_the_train_page():
    at = new_app()
    at.button(key="_home.demo").click().run()
    job = at.session_state["app.jobs"].get("train")
    try:
        assert at.title[0].value == "Train"
        assert at.session_state["data.origin"] == ("sample", "temperatures")
        assert job.model_spec.layers[0].return_sequences
        assert job.snapshot().status in {"pending", "running"}
    finally:
        job.stop()
        job.wait(60)


def test_sidebar_summarises_dataset_model_jobs_and_runs(trained):
    open_page(trained, "home")
    text = plain(" ".join(c.value for c in trained.sidebar.caption))
    assert "Airline passengers · x_train (89, 12, 1)" in text  # 143 monthly changes
    assert "lstm:4:seq:state,lstm:3" in text
    assert "Training: finished, epoch 1/1" in text
    assert "1 in this workspace, kept on disk." in text


def test_sidebar_of_a_fresh_session():
    at = new_app()
    text = " ".join(c.value for c in at.sidebar.caption)
    assert "None yet" in text and "No job yet" in text


# Data.


def test_data_page_shows_a_sample_and_its_window_shapes():
    at = open_page(new_app(), "data")
    assert at.dataframe[0].value.shape == (144, 2)
    shapes = dataframe_containing(at, "split")
    assert shapes["x: (samples, timesteps, features)"].tolist() == [
        "(89, 12, 1)",
        "(21, 12, 1)",
        "(21, 12, 1)",
    ]
    assert charts(at)[0]["encoding"]["x"]["type"] == "temporal"


def test_changing_lookback_and_sample_changes_the_shapes():
    at = open_page(new_app(), "data")
    at.number_input(key="data.lookback").set_value(24).run()
    assert (
        dataframe_containing(at, "split")["x: (samples, timesteps, features)"][0] == "(77, 24, 1)"
    )
    at.selectbox(key="data.sample").set_value("sine").run()
    assert at.multiselect(key="data.features").value == ["driver", "slow", "response"]
    assert dataframe_containing(at, "split")["x: (samples, timesteps, features)"][0].endswith(
        ", 20, 3)"
    )


def test_a_fresh_session_trains_airline_as_the_command_line_does():
    """What the Data and Model pages set up for airline is what ``python -m lstm_core train
    --sample airline`` trains with no other flags: 150 epochs of 16, the default stack."""
    at = open_page(open_page(new_app(), "data"), "model")
    fields = ("kind", "units", "return_sequences")
    app_layers = [
        tuple(at.session_state[f"model.layer{i}.{field}"] for field in fields)
        for i in layer_ids(at)
    ]
    assert app_layers == [("lstm", 32, True), ("lstm", 16, False)]
    app_train = (at.session_state["train.epochs"], at.session_state["train.batch_size"])
    assert app_train == (150, 16)
    cli = experiment_of(build_parser().parse_args(["train", "--sample", "airline"])).experiment
    cli_layers = [tuple(getattr(layer, field) for field in fields) for layer in cli.model.layers]
    assert cli_layers == app_layers
    assert (cli.train.epochs, cli.train.batch_size) == app_train
    assert cli.window == at.session_state["data.spec"]


def test_a_windowing_error_is_shown_beside_the_control_that_caused_it():
    at = open_page(new_app(), "data")
    at.number_input(key="data.lookback").set_value(200).run()
    assert any("lookback 200" in message for message in errors(at))
    column = next(c for c in at.columns if any(n.key == "data.lookback" for n in c.number_input))
    assert any("lookback 200" in e.value for e in column.error)
    assert not any(f.value.columns.tolist() == ["split"] for f in at.dataframe)


def test_a_target_refused_as_a_feature_is_said_beside_its_toggle_and_reaches_the_spec():
    at = open_page(new_app(), "data")
    at.selectbox(key="data.sample").set_value("sine").run()  # response: feature and target
    at.toggle(key="data.allow_target_as_feature").set_value(False).run()
    toggle = "data.allow_target_as_feature"
    column = next(c for c in at.columns if any(t.key == toggle for t in c.toggle))
    assert any("allow_target_as_feature=False forbids" in plain(e.value) for e in column.error)
    assert "data.spec" not in at.session_state
    at.multiselect(key="data.features").set_value(["driver", "slow"]).run()
    assert not errors(at)
    spec = at.session_state["data.spec"]
    assert spec.features == ("driver", "slow") and spec.allow_target_as_feature is False


def test_long_format_sample_has_one_sample_per_sequence():
    at = open_page(new_app(), "data")
    at.selectbox(key="data.sample").set_value("shapes").run()
    assert at.selectbox(key="data.id_column").value == "sequence_id"
    shapes = dataframe_containing(at, "split")
    assert sum(int(s.strip("()").split(", ")[0]) for s in shapes["y"]) == 300
    assert "classification" in " ".join(c.value for c in at.caption)


def test_an_uploaded_csv_is_previewed_and_windowed():
    csv = "t,a,b\n" + "\n".join(f"{i},{i % 7},{i % 5}" for i in range(60))
    at = open_page(new_app(), "data")
    at.radio(key="data.source").set_value("My CSV file").run()
    at.file_uploader(key="_data.upload").set_value(("mine.csv", csv.encode(), "text/csv")).run()
    assert at.dataframe[0].value.shape == (60, 3)
    assert at.session_state["data.title"] == "mine.csv"
    # The first guess: every numeric column in, the last out, a tenth of the rows as lookback;
    # 60 rows: validation and test 9 rows each, 42 training rows, 42 - 6 training windows.
    assert at.multiselect(key="data.features").value == ["t", "a", "b"]
    assert at.multiselect(key="data.targets").value == ["b"]
    assert at.number_input(key="data.lookback").value == 6
    shapes = dataframe_containing(at, "split")
    assert shapes["x: (samples, timesteps, features)"].tolist()[0] == "(36, 6, 3)"
    assert not errors(at)


def test_a_bad_upload_gets_its_message_not_a_traceback():
    at = open_page(new_app(), "data")
    at.radio(key="data.source").set_value("My CSV file").run()
    at.file_uploader(key="_data.upload").set_value(("bad.csv", b"\x00\x01\x02", "text/csv")).run()
    assert any("binary" in message for message in errors(at))


# Model.


def describe_rows(at):
    return markdown_table_containing(at, "returns")


def test_model_page_describes_every_returned_tensor():
    at = open_page(new_app(), "model")
    rows = describe_rows(at)
    assert rows["shape"].tolist() == ["(batch, 24, 32)", "(batch, 16)"]
    first = layer_ids(at)[0]
    at.toggle(key=f"model.layer{first}.return_state").set_value(True).run()
    rows = describe_rows(at)
    assert rows["returns"].tolist() == ["[0] output", "[1] h", "[2] c", "[0] output"]
    assert rows["Keras name"].tolist()[1:3] == ["final_memory_state", "final_carry_state"]


def test_an_impossible_stack_is_explained_and_fixed_in_one_click():
    at = open_page(new_app(), "model")
    first = layer_ids(at)[0]
    at.toggle(key=f"model.layer{first}.return_sequences").set_value(False).run()
    assert any("set return_sequences=True on layer 1" in m for m in errors(at))
    at.button(key="_model.fix").click().run()
    assert not errors(at)
    assert at.toggle(key=f"model.layer{layer_ids(at)[0]}.return_sequences").value is True


def test_layers_can_be_added_moved_and_removed():
    at = open_page(new_app(), "model")
    at.button(key="_model.add").click().run()
    assert describe_rows(at)["layer"].str.startswith("layer_3").any()
    third = layer_ids(at)[2]
    at.selectbox(key=f"model.layer{third}.kind").set_value("gru").run()
    at.button(key=f"_model.up{layer_ids(at)[2]}").click().run()
    kinds = [at.selectbox(key=f"model.layer{i}.kind").value for i in layer_ids(at)]
    assert kinds == ["lstm", "gru", "lstm"]
    at.button(key=f"_model.remove{layer_ids(at)[0]}").click().run()
    assert at.code[0].value == "gru:16,lstm:16:seq"  # options move with their layer
    assert any("set return_sequences=True on layer 1" in m for m in errors(at))
    at.button(key="_model.fix").click().run()
    assert at.code[0].value == "gru:16:seq,lstm:16:seq"


def test_a_preset_replaces_the_stack():
    at = open_page(new_app(), "model")
    at.selectbox(key="model.preset").set_value("One GRU")
    at.button(key="_model.apply_preset").click().run()
    assert at.code[0].value == "gru:32"
    assert "yes" in markdown_table_containing(at, "cuDNN on a GPU")["cuDNN on a GPU"].tolist()


def test_model_page_uses_the_shapes_of_the_loaded_data(trained):
    open_page(trained, "model")
    assert "(batch, 12, 1)" in trained.caption[0].value
    assert describe_rows(trained)["shape"].tolist()[0] == "(batch, 12, 4)"


# Train.


def test_train_page_without_data_cannot_start():
    at = open_page(new_app(), "train")
    assert at.button(key="_train.start").disabled
    assert "No data yet" in at.info[0].value


def test_a_finished_run_shows_metrics_predictions_and_downloads(trained):
    open_page(trained, "train")
    assert [m.label for m in trained.metric] == ["RMSE (data units)", "MAE (data units)", "MASE"]
    assert "Finished" in trained.get("progress")[0].proto.text
    loss, prediction = charts(trained)
    assert loss["encoding"]["y"]["scale"] == {"zero": False}
    assert prediction["encoding"]["y"]["title"] == "value (data units)"
    # the score beside each yardstick, and the verdict in words
    yardsticks = dataframe_containing(trained, "forecast")
    assert yardsticks["forecast"].tolist() == [
        "this model",
        "naive: the last value, repeated",
        "seasonal naive: 12 rows earlier",
        "mean of the training split",
    ]
    job = trained.session_state["app.jobs"].get("train")
    naive_rmse = job.result.test_metrics["baselines"]["naive"]["rmse"]
    assert yardsticks["RMSE"][1] == naive_rmse
    boxes = [plain(box.value) for box in [*trained.success, *trained.warning]]
    assert any(box.startswith("Test RMSE") and f"({naive_rmse:.3g})" in box for box in boxes)
    trained.toggle(key="train.show_naive").set_value(True).run()
    assert "naive" in charts(trained)[1]["encoding"]["color"]["sort"]
    trained.toggle(key="train.show_naive").set_value(False).run()
    labels = [b.label for b in trained.main.get("download_button")]
    assert labels == [
        "Download the model (.keras)",
        "Download the config (JSON)",
        "Download the history (CSV)",
    ]
    trained.toggle(key="train.log_scale").set_value(True).run()
    assert charts(trained)[0]["encoding"]["y"]["scale"] == {"type": "log"}
    trained.toggle(key="train.log_scale").set_value(False).run()


def test_stop_ends_a_long_run_and_keeps_what_was_learned(trained):
    open_page(trained, "train")
    trained.number_input(key="train.epochs").set_value(500).run()
    trained.button(key="_train.start").click().run()
    job = trained.session_state["app.jobs"].get("train")
    assert trained.button(key="_train.stop").disabled is False
    while job.snapshot().epoch < 1:  # stop once it trains, not while TensorFlow builds
        time.sleep(0.1)
    trained.button(key="_train.stop").click().run()
    snapshot = job.wait(120)
    assert snapshot.status == "stopped"
    trained.run()
    assert "Stopped" in trained.get("progress")[0].proto.text
    trained.number_input(key="train.epochs").set_value(2).run()


# States.


def open_tab(at, tab: str):
    at.session_state["states.tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_states_page_shows_the_whole_sample_and_what_the_layer_returned(trained):
    open_tab(open_page(trained, "states"), "The whole sample")
    over_time = charts(trained)[0]
    titles = [row["layer"][0]["title"] for row in over_time["vconcat"]]
    assert titles == [
        "x_t: the input at each step",
        "h_t: hidden state, the step's output",
        "c_t: cell state, the long-term memory",
        "i: input gate, how much of g is written into c",
        "f: forget gate, how much of c_t-1 is kept",
        "g: candidate values to write",
        "o: output gate, how much of tanh(c_t) is shown as h",
    ]
    returned = markdown_table_containing(trained, "tensor")
    assert returned.to_dict("list") == {
        "tensor": ["output", "h", "c"],
        "shape": ["(1, 12, 4)", "(1, 4)", "(1, 4)"],
    }
    options = markdown_table_containing(trained, "as built")
    assert options["as built"].tolist() == ["", "", "", "yes"]
    assert options["returns"].tolist()[-1] == "output (batch, 12, 4), h (batch, 4), c (batch, 4)"
    trained.selectbox(key="states.layer").set_value(2).run()
    assert markdown_table_containing(trained, "tensor")["tensor"].tolist() == ["output"]
    trained.selectbox(key="states.layer").set_value(1).run()
    open_tab(trained, "Step through the cell")


def test_an_initial_state_what_if_is_compared_with_the_zeros(trained):
    open_tab(open_page(trained, "states"), "The whole sample")
    zeros = dataframe_containing(trained, "h_T")
    assert zeros.columns.tolist() == ["h_T", "c_T"]
    trained.radio(key="states.init").set_value("value").run()
    trained.slider(key="states.value").set_value(0.9).run()
    both = dataframe_containing(trained, "h_T (zeros)")
    assert both.columns.tolist() == ["h_T (zeros)", "h_T (what-if)", "c_T (zeros)", "c_T (what-if)"]
    np.testing.assert_array_equal(both["h_T (zeros)"], zeros["h_T"])
    assert not np.allclose(both["h_T (zeros)"], both["h_T (what-if)"])
    rows = charts(trained)[0]["vconcat"]
    assert rows[-1]["layer"][0]["title"].startswith("change of h_t: what-if minus zeros")
    trained.radio(key="states.init").set_value("zeros").run()
    open_tab(trained, "Step through the cell")


def test_states_page_opens_a_stored_run_without_training_in_this_session(store):
    run_id = trained_run(store)
    at = open_page(new_app(), "states")
    picker = at.selectbox(key="states.model")
    assert picker.value == run_id and picker.options == [
        f"Stored run {run_id} · airline, {TINY_LAYERS}"
    ]
    assert not errors(at)
    assert at.code[0].value.startswith("i_t[0] = σ(pre-activation")  # a step, written out
    # The airline sample windowed as the run was: 22 test windows of 12 steps.
    assert (
        at.number_input(key="states.sample").max == 20
    )  # 21 test windows of the differenced airline sample


def test_states_page_offers_this_sessions_model_first_then_other_stored_runs(store):
    other = trained_run(store)
    at = trained_session()
    own = at.session_state["app.jobs"].get("train").run_id
    open_page(at, "states")
    picker = at.selectbox(key="states.model")
    assert picker.value == "session"
    assert picker.options == [  # the session's own run is not listed twice
        f"This session's last training (run {own})",
        f"Stored run {other} · airline, {TINY_LAYERS}",
    ]
    picker.set_value(other).run()
    assert not errors(at)
    assert at.session_state["_states.loaded"].run_id == other
    assert at.code[0].value.startswith("i_t[0] = σ(pre-activation")


def test_a_stored_run_on_a_file_not_loaded_says_which_file_to_load(store):
    run_id = trained_run(store, file="my_sales.csv")
    at = open_page(new_app(), "states")
    assert at.selectbox(key="states.model").value == run_id
    assert errors(at) == [
        f"Run {run_id} was trained on 'my_sales.csv', which is not loaded now; load that file "
        "on the Data page to look inside this run's model."
    ]


def test_a_stored_run_on_a_file_opens_when_that_file_is_loaded(store):
    run_id = trained_run(store, file="my_sales.csv")
    code = f"from ui import inspection\nst.session_state['opened'] = inspection.open_choice({run_id!r})"
    loaded = {"data.title": "my_sales.csv", "data.frame": load_sample("airline")}
    opened = shell(code, loaded).session_state["opened"]
    assert opened.run_id == run_id and opened.windows.x_test.shape == (21, 12, 1)
    assert opened.model.input_shape == (None, 12, 1)


def test_states_offer_npz_and_csv_exports(trained):
    open_tab(open_page(trained, "states"), "The whole sample")
    buttons = trained.main.get("download_button")
    assert [b.label for b in buttons] == ["Download states (.npz)", "Download layer_1 trace (CSV)"]
    assert all(b.proto.url for b in buttons)
    open_tab(trained, "Step through the cell")


# Vanishing gradients.


def tiny_comparison(at):
    open_page(at, "vanishing")
    for key, value in {
        "timesteps": 8,
        "units": 4,
        "epochs": 1,
        "n_train": 60,
        "batch_size": 30,
    }.items():
        at.number_input(key=f"vanishing.{key}").set_value(value)
    at.run()


def test_gradient_profile_of_untrained_cells_is_drawn_on_a_log_scale():
    at = new_app()
    tiny_comparison(at)
    at.button(key="_vanishing.profile").click().run()
    assert not errors(at)
    spec = charts(at)[0]
    assert spec["encoding"]["y"]["scale"] == {"type": "log"}
    untrained = at.session_state["vanishing.untrained"]
    assert set(untrained.results) == {"rnn", "lstm"}


def test_the_comparison_runs_in_the_background_with_its_baseline():
    at = new_app()
    tiny_comparison(at)
    at.button(key="_vanishing.start").click().run()
    job = at.session_state["app.jobs"].get("vanishing")
    assert job.wait(120).status == "finished"
    at.run()
    curves, gradients, _breaking_length = charts(at)
    rule = next(layer for layer in curves["layer"] if layer["mark"]["type"] == "rule")
    assert rule["mark"]["strokeDash"] == [6, 4]
    assert gradients["encoding"]["y"]["scale"] == {"type": "log"}


# Runs.


def test_runs_page_without_runs_says_so():
    at = open_page(new_app(), "runs")
    assert "No runs yet" in at.info[0].value


def test_runs_are_listed_overlaid_and_deleted(store):
    first = add_run(store, "airline", [1.0, 0.5, 0.25])  # stored the old way: no yardsticks
    second = add_run(store, "airline", [2.0, 1.0])
    at = open_page(new_app(), "runs")
    table = dataframe_containing(at, "layers")
    assert sorted(table["run"]) == sorted([first, second])
    assert table.set_index("run").loc[first, "val_loss"] == 0.25
    assert table.set_index("run").loc[first, "test RMSE"] == 1.5
    assert "skill vs naive %" not in table.columns  # no run has a yardstick
    overlay = charts(at)[0]
    assert overlay["encoding"]["color"]["title"] == "run"
    at.selectbox(key="runs.detail").set_value(first).run()
    assert at.button(key="_runs.delete").disabled
    at.checkbox(key="_runs.confirm").check().run()
    at.button(key="_runs.delete").click().run()
    assert dataframe_containing(at, "layers")["run"].tolist() == [second]


def test_a_run_can_be_reopened_to_train_again(store):
    run_id = add_run(store, "again", [1.0])
    at = open_page(new_app(), "runs")
    at.selectbox(key="runs.detail").set_value(run_id).run()
    at.button(key="_runs.reopen").click().run()
    assert "are loaded" in at.success[0].value
    assert at.session_state["data.lookback"] == 6
    open_page(at, "model")
    assert at.code[0].value == "lstm:8"
    open_page(at, "train")
    assert at.number_input(key="train.batch_size").value == 16


def test_the_trained_run_is_in_the_store(trained):
    open_page(trained, "runs")
    table = dataframe_containing(trained, "layers")
    assert "lstm:4:seq:state,lstm:3" in table["layers"].tolist()
    assert {"finished"} <= set(table["status"])
    job = trained.session_state["app.jobs"].get("train")
    row = table.set_index("run").loc[job.run_id]
    metrics = job.result.test_metrics
    assert row["naive RMSE"] == metrics["baselines"]["naive"]["rmse"]
    assert row["skill vs naive %"] == round(100 * metrics["skill_vs_naive"], 1)
    assert not trained.get("json")  # details are tables, not JSON


def test_a_run_stored_before_the_yardsticks_still_lists_and_opens(store):
    run_id = add_run(store, "airline", [1.0, 0.5])  # test_metrics: rmse and mae only
    at = open_page(new_app(), "runs")
    assert dataframe_containing(at, "layers")["run"].tolist() == [run_id]
    assert any("No yardsticks kept with this run" in c.value for c in at.caption)
    assert dataframe_containing(at, "forecast")["forecast"].tolist() == ["this model"]


def test_the_train_page_estimates_the_time_before_start(trained):
    open_page(trained, "train")
    trained.button(key="_train.estimate").click().run()
    assert not trained.exception
    assert any(c.value.startswith("This run will take about ") for c in trained.caption)


def test_a_stored_run_opens_on_the_states_page_from_the_runs_page(store):
    run_id = trained_run(store)
    add_run(store, "airline", [0.5])  # newer, but it saved no model
    at = open_page(new_app(), "runs")
    at.selectbox(key="runs.group").set_value("airline · Passengers · minmax · differenced").run()
    at.selectbox(key="runs.detail").set_value(run_id).run()
    at.button(key="_runs.inspect").click().run()
    assert [title.value for title in at.title] == ["States"]
    picker = at.selectbox(key="states.model")
    assert picker.value == run_id and len(picker.options) == 1  # only runs with a model
    assert not errors(at)
