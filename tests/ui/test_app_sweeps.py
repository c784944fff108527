"""AppTests of the Sweeps page: axes over the Vanishing page's experiment, the trial count,
errors, the hosted switch, and a tiny sweep on Ray to its aggregate."""

import pytest
from app_session import charts, errors, new_app, open_page, plain

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


@pytest.mark.slow
def test_a_tiny_sweep_runs_to_its_aggregate_chart_and_table():
    at = sweeps_page(timesteps="6, 8", seeds="0")
    at.button(key="_sweeps.start").click().run()
    job = at.session_state["app.jobs"].get("sweeps")
    try:
        final = job.wait(600)
    finally:
        import ray

        ray.shutdown()
    assert final.status == "finished", final.error
    at.run()
    assert not errors(at)
    trials, table = at.dataframe[0].value, at.dataframe[1].value
    assert list(trials["status"]) == ["finished"] * 4
    assert all(link.startswith("runs?run=") for link in trials["run"])
    assert list(zip(table["kind"], table["timesteps"], strict=True)) == [
        ("rnn", 6), ("rnn", 8), ("lstm", 6), ("lstm", 8)
    ]  # fmt: skip
    (chart,) = charts(at)
    band, line, rule = chart["layer"]
    assert band["encoding"]["y2"]["field"] == "val_loss_q75"
    assert line["encoding"]["x"]["field"] == "timesteps"
