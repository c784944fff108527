"""AppTests of the Vanishing gradients page: the quick setting, old results, labels, colours."""

import pytest
from app_session import charts, errors, new_app, open_page, plain

from lstm_core.experiments import QUICK
from ui.comparison import FIELDS
from ui.palette import cell_color

TINY = {"timesteps": 8, "units": 4, "epochs": 1, "n_train": 60, "batch_size": 30}


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    """Each test's runs go to its own store folder."""
    monkeypatch.setenv("LSTM_LAB_STORE", str(tmp_path / "store"))


def tiny_page():
    at = open_page(new_app(), "vanishing")
    for key, value in TINY.items():
        at.number_input(key=f"vanishing.{key}").set_value(value)
    return at.run()


def warnings_of(at) -> list[str]:
    return [plain(element.value) for element in at.warning]


def test_quick_setting_sets_every_field_to_the_tested_quick_config():
    at = tiny_page()
    at.selectbox(key="vanishing.task").set_value("copy").run()
    at.button(key="_vanishing.quick").click().run()
    quick = QUICK.to_dict()
    for name in FIELDS:
        assert at.session_state[f"vanishing.{name}"] == quick[name], name


def test_an_untrained_profile_is_marked_old_after_a_settings_change():
    at = tiny_page()
    at.button(key="_vanishing.profile").click().run()
    assert not errors(at) and not warnings_of(at)
    at.number_input(key="vanishing.timesteps").set_value(9).run()
    (warning,) = warnings_of(at)
    assert "Old result: it ran with timesteps 8 (now 9)" in warning
    assert charts(at)  # the old chart stays, marked
    at.number_input(key="vanishing.epochs").set_value(2).run()  # training only: not relevant
    assert "epochs" not in warnings_of(at)[0]
    at.button(key="_vanishing.profile").click().run()
    assert not warnings_of(at)


def test_copy_task_profile_says_which_loss_is_differentiated():
    at = tiny_page()
    at.selectbox(key="vanishing.task").set_value("copy").run()
    at.button(key="_vanishing.profile").click().run()
    assert not errors(at)
    spec, _breaking_length = charts(at)
    assert spec["encoding"]["x"]["title"] == (
        "time step t (loss: cross-entropy of the 10 recall steps only)"
    )


def test_finished_comparison_shows_its_table_and_every_chart_uses_the_palette():
    at = tiny_page()
    at.button(key="_vanishing.profile").click().run()
    at.button(key="_vanishing.start").click().run()
    job = at.session_state["app.jobs"].get("vanishing")
    assert job.wait(180).status == "finished"
    at.run()
    assert not errors(at) and not warnings_of(at)
    table = at.dataframe[0].value
    assert list(table["cell"]) == ["SimpleRNN", "LSTM"]
    solved = table["solved (|error| < 0.04)"]
    assert all(value.endswith("%") for value in solved)
    assert table["remember-nothing MSE"].tolist() == [1 / 6, 1 / 6]
    expected = {"domain": ["SimpleRNN", "LSTM"], "range": [cell_color("rnn"), cell_color("lstm")]}
    untrained, curves, trained, _breaking_length = charts(at)
    lines = next(layer for layer in curves["layer"] if layer["mark"]["type"] == "line")
    for encoding in (untrained["encoding"], lines["encoding"], trained["encoding"]):
        assert encoding["color"]["scale"] == expected
    assert "MSE of the sum" in trained["encoding"]["x"]["title"]
    at.number_input(key="vanishing.learning_rate").set_value(0.01).run()
    assert "learning_rate 0.005 (now 0.01)" in warnings_of(at)[0]


def test_the_breaking_length_is_drawn_at_once_from_the_shipped_sweep():
    from lstm_core.sweeps.breaking import load_shipped

    shipped = load_shipped()
    at = open_page(new_app(), "vanishing")
    assert not errors(at)
    text = " ".join(plain(m.value) for m in at.markdown)
    for kind, length in shipped["breaking_length"].items():
        name = {"rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}[kind]
        reach = "none of the lengths" if length is None else f"up to {length} steps"
        assert f"{name} solves {reach}" in text
    (chart,) = charts(at)  # nothing measured yet: the shipped chart alone
    band, line, rule = chart["layer"]
    assert line["encoding"]["x"]["field"] == "timesteps"
    assert (rule["mark"]["type"], rule["encoding"]["y"]["field"]) == ("rule", "y")
    seeds = len(shipped["spec"]["seeds"])
    assert f"median validation MSE over {seeds} seeds is below 0.05" in text
    assert any(shipped["command"] in plain(c.value) for c in at.caption)


@pytest.mark.slow
def test_reproduce_trains_the_chosen_point_with_exactly_its_settings():
    from lstm_core.sweeps.breaking import load_shipped, point_config

    shipped = load_shipped()
    at = open_page(new_app(), "vanishing")
    kind, length = shipped["spec"]["axes"]["kind"][-1], shipped["spec"]["axes"]["timesteps"][0]
    at.selectbox(key="vanishing.point_kind").set_value(kind)
    at.selectbox(key="vanishing.point_length").set_value(length).run()
    at.button(key="_vanishing_point.start").click().run()
    job = at.session_state["app.jobs"].get("breaking")
    assert job.config == point_config(shipped, kind, length, shipped["spec"]["seeds"][0])
    job.stop()
    assert job.wait(300).status == "stopped"
    at.run()
    assert not errors(at)
