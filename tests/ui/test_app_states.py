"""AppTests of the States page's views: step through the cell, which unit does what, diagnosis.

One trained session for the module (airline sample, ``TINY_LAYERS``), and stored runs of other
cell kinds, so every label is checked against the kind it names.
"""

import pytest
from app_session import charts, errors, new_app, open_page, trained_run, trained_session

from lstm_core.inspect import cell_step


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LSTM_LAB_STORE", str(tmp_path_factory.mktemp("trained-store")))
        yield trained_session()


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_LAB_STORE", str(tmp_path / "store"))
    return tmp_path / "store"


def open_tab(at, tab: str):
    at.session_state["states.tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at), errors(at)
    return at


def shown_step(at) -> int:
    return at.slider(key="states.step").value


def written_out(at) -> dict[str, str]:
    """The arithmetic block as ``{left side: right side}``."""
    lines = at.code[0].value.splitlines()
    return {line.split(" = ", 1)[0]: line.split(" = ", 1)[1] for line in lines}


def test_step_through_shows_one_call_with_the_engines_numbers(trained):
    open_tab(open_page(trained, "states"), "Step through the cell")
    at = trained
    at.selectbox(key="states.unit").set_value(2).run()
    at.button(key="_states.next").click().run()
    at.button(key="_states.next").click().run()
    assert shown_step(at) == 3
    markdown = [m.value for m in at.markdown]
    assert "**Step 3 of 12**: the cell reads x_3, the input at time step 3" in "".join(markdown)
    # The numbers written out are cell_step's for step t = 3 (index 2), unit 2.
    job = at.session_state["app.jobs"].get("train")
    x = job.windows.x_test[:1]
    step = cell_step(job.model, x, 1, 2)
    lines = written_out(at)
    assert lines["f_t[2]"] == f"σ(pre-activation {step['pre_f'][2]:.3f}) = {step['f'][2]:.3f}"
    assert lines["c_t[2]"] == (
        f"f × c_t-1 + i × g = {step['f'][2]:.3f} × {step['c_prev'][2]:.3f} + "
        f"{step['i'][2]:.3f} × {step['g'][2]:.3f} = {step['c'][2]:.3f}"
    )
    assert lines["h_t[2]"].endswith(f"= {step['h'][2]:.3f}")
    # The bars: the inputs x_t, h_t-1, c_t-1; the pre-activations; the gates; c_t and h_t.
    bar_titles = [[panel["title"] for panel in chart["hconcat"]] for chart in charts(at)]
    assert bar_titles == [
        ["x_t (scaled)", "h_t-1", "c_t-1"],
        [f"{g}: pre-activation" for g in "ifgo"],
        ["i: input gate", "f: forget gate", "g: candidate", "o: output gate"],
        ["h_t", "c_t"],
    ]
    diagram = at.get("graphviz_chart")[0].proto.spec
    assert 'cell3 [label="step 3", fillcolor="#f5b041"' in diagram  # step t is highlighted
    assert 'up3 [label="h_3 → layer_2"' in diagram  # return_sequences hands every h up
    at.button(key="_states.previous").click().run()
    assert shown_step(at) == 2


def test_play_advances_one_step_per_tick_and_pause_stops(trained):
    open_tab(open_page(trained, "states"), "Step through the cell")
    at = trained
    at.slider(key="states.step").set_value(5).run()
    at.selectbox(key="states.speed").set_value(4.0).run()
    at.button(key="_states.play").click().run()
    assert at.session_state["states.playing"] and shown_step(at) == 6
    for expected in (7, 8):  # each rerun of the fragment is one tick
        at.run()
        assert shown_step(at) == expected
    assert at.slider(key="states.step").disabled
    at.button(key="_states.pause").click().run()
    assert not at.session_state["states.playing"]
    at.run()
    assert shown_step(at) == 8 and not at.slider(key="states.step").disabled


def test_play_stops_at_the_last_step(trained):
    open_tab(open_page(trained, "states"), "Step through the cell")
    at = trained
    at.slider(key="states.step").set_value(11).run()
    at.button(key="_states.play").click().run()
    at.run()
    assert shown_step(at) == 12 and not at.session_state["states.playing"]


def test_the_chosen_tab_is_kept_when_the_sample_changes(trained):
    open_tab(open_page(trained, "states"), "Diagnosis")
    trained.number_input(key="states.sample").set_value(4).run()
    assert trained.session_state["states.tab"] == "Diagnosis"
    assert trained.dataframe[0].value.columns[0] == "layer"  # the diagnosis table, not a step
    open_tab(trained, "Step through the cell")


def test_the_prediction_of_the_sample_stands_beside_its_target(trained):
    open_page(trained, "states")
    job = trained.session_state["app.jobs"].get("train")
    trained.number_input(key="states.sample").set_value(3).run()
    windows = job.windows  # the airline sample is differenced: levels come back per split
    predicted = windows.inverse_targets(job.model.predict(windows.x_test, verbose=0), "test")
    target = windows.inverse_targets(windows.y_test, "test")
    sentence = next(m.value for m in trained.markdown if m.value.startswith("This sample's"))
    assert f"**{predicted[3, 0]:.4g}** against a target of **{target[3, 0]:.4g}**" in sentence
    trained.number_input(key="states.sample").set_value(0).run()


def test_which_unit_does_what_lists_units_in_words_and_draws_one(trained):
    open_tab(open_page(trained, "states"), "Which unit does what")
    sentences = next(m.value for m in trained.markdown if m.value.startswith("- unit "))
    assert len(sentences.splitlines()) == 4  # the 4 units of layer 1, strongest first
    report = trained.dataframe[0].value
    assert report.columns[:5].tolist() == ["layer", "unit", "state", "signal", "r"]
    assert "h: Passengers 3 steps earlier" in report.columns
    trained.selectbox(key="states.trace_unit").set_value(1).run()
    unit_chart = charts(trained)[0]["vconcat"][0]
    assert unit_chart["title"] == "Unit 1 over the sample"
    open_tab(trained, "Step through the cell")


def test_diagnosis_after_training_and_on_the_states_page(trained):
    open_tab(open_page(trained, "states"), "Diagnosis")
    table = trained.dataframe[0].value
    assert table["layer"].tolist() == ["layer_1 (lstm, 4 units)", "layer_2 (lstm, 3 units)"]
    assert {"gates saturated", "mean forget gate", "memory (steps)", "constant units"} <= set(
        table.columns
    )
    verdicts = [box.value for box in trained.warning] + [box.value for box in trained.success]
    assert len(verdicts) == 1 and "as much as the target" in verdicts[0]
    open_page(trained, "train")
    assert "Inside the model" in [header.value for header in trained.subheader]
    open_page(trained, "runs")
    runs = trained.dataframe[0].value
    assert runs[["flat", "constant units"]].notna().all().all()
    open_tab(open_page(trained, "states"), "Step through the cell")


def test_a_gru_is_labelled_without_a_cell_state(store):
    run_id = trained_run(store, layers="gru:3:seq,gru:2")
    at = open_page(new_app(), "states")
    assert at.selectbox(key="states.model").value == run_id
    assert at.radio(key="states.init").label.startswith("What if this layer started from other")
    assert "(h_0, the states before step 1)" in at.radio(key="states.init").label
    markdown = "".join(m.value for m in at.markdown)
    assert "**Its two inputs**" in markdown and "c_t" not in markdown
    assert "To the next step: h_t, which the same cell reads at step t+1." in markdown
    assert set(written_out(at)) == {"z_t[0]", "r_t[0]", "candidate_t[0]", "h_t[0]"}
    bar_titles = [[panel["title"] for panel in chart["hconcat"]] for chart in charts(at)]
    assert bar_titles[0] == ["x_t (scaled)", "h_t-1"] and bar_titles[-1] == ["h_t"]
    assert at.selectbox(key="states.layer").options == [
        "layer_1 (GRU, 3 units)",
        "layer_2 (GRU, 2 units)",
    ]


def test_a_run_stored_without_a_diagnosis_still_opens_and_gets_one(store):
    from lstm_core.runs import RunStore

    run_id = trained_run(store)
    opened = RunStore(store)
    with opened.database.transaction() as connection:  # as stored before diagnoses were kept
        connection.execute("DELETE FROM diagnoses")
    assert opened.get_run(run_id, "local").diagnosis is None
    at = open_tab(open_page(new_app(), "states"), "Diagnosis")
    assert any("stored before diagnoses were kept" in c.value for c in at.caption)
    assert at.dataframe[0].value["layer"].tolist()[0] == "layer_1 (lstm, 4 units)"
