"""AppTests of the Sweeps page: axes over the Vanishing page's experiment, the trial count,
errors, the hosted switch, and a tiny sweep on Ray to its aggregate."""

import os
import time

import pytest
from app_session import (
    charts,
    errors,
    new_app,
    open_page,
    plain,
    set_tiny_model,
    shell,
    state_of,
)

from lstm_core.sweeps import SweepJob

TINY = {"timesteps": 8, "units": 4, "epochs": 1, "n_train": 32, "batch_size": 16}


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_LAB_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("LSTM_LAB_SWEEPS", raising=False)
    monkeypatch.delenv("LSTM_LAB_HOSTED", raising=False)


def sweeps_page(**inputs):
    at = open_page(new_app(), "vanishing")
    for key, value in TINY.items():
        at.number_input(key=f"vanishing.{key}").set_value(value)
    at = open_page(at.run(), "sweeps")
    for key, value in inputs.items():
        at.text_input(key=f"sweeps.{key}").set_value(value)
    return at.run()


def captions(at) -> list[str]:
    return [plain(caption.value) for caption in at.caption]


def test_the_page_counts_the_trials_of_the_axes_over_the_current_experiment():
    at = sweeps_page()
    assert not errors(at)
    assert "8 trials." in captions(at)  # SimpleRNN, LSTM x 25, 50 steps x seeds 0, 1
    assert any("8 steps, 4 units, 1 epochs, 32 sequences" in text for text in captions(at))
    at.text_input(key="sweeps.units").set_value("4, 8, 16").run()
    assert "24 trials." in captions(at)
    assert not at.button(key="_sweeps.start").disabled


def test_a_bad_list_is_shown_as_its_message_and_run_is_off():
    at = sweeps_page(timesteps="25, x")
    (error,) = errors(at)
    assert "Timesteps (comma-separated) must be int values separated by commas, got '25, x'" in (
        error
    )
    assert at.button(key="_sweeps.start").disabled


def test_an_out_of_range_axis_names_the_field():
    at = sweeps_page(units="4, 0")
    (error,) = errors(at)
    assert "CompareConfig units must be between 1 and 512, got 0" in error


def test_hosted_sweeps_are_off_unless_the_host_turns_them_on(monkeypatch):
    monkeypatch.setenv("LSTM_LAB_HOSTED", "1")
    at = sweeps_page()
    assert "LSTM_LAB_SWEEPS=1" in at.info[0].value
    assert at.button(key="_sweeps.start").disabled
    monkeypatch.setenv("LSTM_LAB_SWEEPS", "1")
    at = sweeps_page()
    assert not at.info and not at.button(key="_sweeps.start").disabled


# A double click's two Start callbacks: the second runs before the page has drawn Start
# disabled (Streamlit skips the callback of a widget drawn disabled, not of one still enabled).
DOUBLE_START = (
    "from ui import jobs, sweeps\nfrom ui.errors import attempt\n"
    "first = sweeps.start_sweep()\nattempt(sweeps.start_sweep)\n"
    "st.session_state['kept'] = jobs.registry().get('sweeps') is first\n"
    "first.stop()\nst.session_state['first'] = first.wait(60).status\n"
)


def test_a_second_start_while_the_sweep_runs_is_refused(monkeypatch):
    def until_stopped(job) -> str:  # the driver, without Ray: it runs until Stop
        while not job.stopping:
            time.sleep(0.01)
        return "stopped"

    monkeypatch.setattr(SweepJob, "_work", until_stopped)
    at = shell(DOUBLE_START, state_of(sweeps_page()))
    assert errors(at) == [
        "A sweep is running already (Sweep: running, 0/8 trials); stop it, or wait for it to "
        "end, before starting another sweep."
    ]
    assert at.session_state["kept"] and at.session_state["first"] == "stopped"


@pytest.mark.slow
def test_a_tiny_sweep_runs_to_its_aggregate_chart_and_table(ray_node):
    at = sweeps_page(timesteps="6, 8", seeds="0")
    at.button(key="_sweeps.start").click().run()
    job = at.session_state["app.jobs"].get("sweeps")
    final = job.wait(600)
    assert final.status == "finished", final.error
    at.run()
    assert not errors(at)
    trials, table = at.dataframe[0].value, at.dataframe[1].value
    assert list(trials["status"]) == ["finished"] * 4
    assert list(trials["cell"]) == ["SimpleRNN", "SimpleRNN", "LSTM", "LSTM"]  # as the table
    assert all(link.startswith("runs?run=") for link in trials["run"])
    assert list(zip(table["cell"], table["timesteps"], strict=True)) == [
        ("SimpleRNN", 6), ("SimpleRNN", 8), ("LSTM", 6), ("LSTM", 8)
    ]  # fmt: skip
    assert table["val loss median"].tolist() == trials["validation loss"].tolist()  # one seed
    (chart,) = charts(at)
    band, line, rule = chart["layer"]
    assert band["encoding"]["y2"]["field"] == "val_loss_q75"
    assert line["encoding"]["x"]["field"] == "timesteps"
    assert line["encoding"]["x"]["axis"]["values"] == [6, 8]  # ticks at the swept lengths
    assert line["encoding"]["x"]["axis"]["format"] == "d"  # 100, not 1e+2
    # A trial opens on the States page: its model, stepped through the task's own sequences.
    lstm = next(t for t in final.trials if t["trial"] == "kind=lstm,timesteps=8,seed=0")
    at = open_page(at, "states")
    at.selectbox(key="states.model").set_value(lstm["run_id"]).run()
    assert not at.exception and not errors(at), errors(at)
    assert at.selectbox(key="states.layer").options == ["layer_1 (LSTM, 4 units)"]
    assert [split.value for split in [at.selectbox(key="states.split")]] == ["val"]  # no test
    text = " ".join(plain(m.value) for m in at.markdown)
    assert "This sample's prediction: sum" in text

    # A trial lost (as a stopped or failed one is run again): Resume runs it alone.
    from lstm_core.runs import RunStore

    store = RunStore(os.environ["LSTM_LAB_STORE"])
    store.delete_run(lstm["run_id"])
    at = open_page(at, "sweeps")
    sweep = at.selectbox(key="_sweeps.stored")
    assert sweep.value == final.sweep_id
    assert sweep.options[0].endswith(" · 3 of 4 trials finished")
    at.button(key="_sweeps.resume").click().run()
    job = at.session_state["app.jobs"].get("sweeps")
    resumed = job.wait(600)
    assert resumed.status == "finished", resumed.error
    kept = {t["trial"]: t["run_id"] for t in final.trials if t["trial"] != lstm["trial"]}
    assert {t["trial"]: t["run_id"] for t in resumed.trials if t["trial"] in kept} == kept
    again = next(t for t in resumed.trials if t["trial"] == lstm["trial"])
    assert again["status"] == "finished" and again["run_id"] != lstm["run_id"]
    assert again["val_loss"] == pytest.approx(lstm["val_loss"], rel=1e-5)  # seeded: the same
    at.run()
    assert at.button(key="_sweeps.resume").disabled  # 4 of 4 finished: nothing to resume


def experiment_sweeps_page(**inputs):
    """The Sweeps page over the current experiment: airline, ``TINY_LAYERS``, 1 epoch of 32."""
    at = new_app()
    open_page(at, "data")
    set_tiny_model(at)
    open_page(at, "train")
    at.number_input(key="train.epochs").set_value(1)
    at.number_input(key="train.batch_size").set_value(32).run()
    at = open_page(at, "sweeps")
    at.radio(key="sweeps.base").set_value("experiment").run()
    for key, value in inputs.items():
        at.text_input(key=f"sweeps.{key}").set_value(value)
    return at.run()


def test_the_current_experiment_as_base_counts_its_trials_over_lookbacks():
    at = experiment_sweeps_page(lookback="6, 12", seeds="0")
    assert not errors(at)
    (base,) = [text for text in captions(at) if text.startswith("Base experiment")]
    assert "airline, lookback 12, layers lstm:4:seq:state,lstm:3, 1 epochs, batch 32" in base
    assert "4 trials." in captions(at)  # SimpleRNN, LSTM x lookbacks 6, 12
    assert [field.label for field in at.text_input][:3] == [
        "Lookbacks (comma-separated)", "Units (every layer)", "Learning rates"
    ]  # fmt: skip
    at.multiselect(key="sweeps.kinds").set_value([]).run()
    assert "2 trials." in captions(at)  # no cell chosen: the model's own layers


@pytest.mark.slow
def test_a_trial_of_a_training_sweep_opens_on_the_states_page(ray_node):
    at = experiment_sweeps_page(seeds="0")
    at.multiselect(key="sweeps.kinds").set_value(["lstm", "gru"]).run()
    at.button(key="_sweeps.start").click().run()
    job = at.session_state["app.jobs"].get("sweeps")
    final = job.wait(600)
    assert final.status == "finished", final.error
    at.run()
    assert not errors(at)
    trials, table = at.dataframe[0].value, at.dataframe[1].value
    assert list(trials["status"]) == ["finished"] * 2
    assert trials["test skill vs naive"].notna().all()
    assert list(table["cell"]) == ["LSTM", "GRU"]
    assert table["skill median"].notna().all()
    gru = next(t for t in final.trials if t["settings"]["kind"] == "gru")
    at = open_page(at, "states")
    at.selectbox(key="states.model").set_value(gru["run_id"]).run()
    assert not at.exception and not errors(at), errors(at)
    assert at.selectbox(key="states.layer").options == [
        "layer_1 (GRU, 4 units)", "layer_2 (GRU, 3 units)"
    ]  # fmt: skip
    # And on the Runs page, its test score beside the yardsticks, like any training run.
    at.session_state["runs.wanted"] = gru["run_id"]
    at = open_page(at, "runs")
    assert not errors(at), errors(at)
    assert f"Trial kind=gru,seed=0 of sweep {final.sweep_id}." in captions(at)
    assert any("naive" in frame.value.to_string() for frame in at.dataframe)
