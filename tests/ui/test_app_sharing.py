"""Sharing settings: the page URL's query parameters and the experiment JSON."""

import json
import re

import pytest
from app_session import errors, new_app, open_page, plain, shell, state_of

from lstm_core.data import WindowSpec
from lstm_core.experiment_io import Experiment, export_experiment, import_experiment
from lstm_core.experiment_url import FIELDS
from lstm_core.model import ModelSpec, parse_layers
from lstm_core.train import TrainConfig

EXPORT = (
    "from lstm_core.experiment_io import export_experiment\nfrom ui import share\n"
    "st.session_state['exported'] = export_experiment(share.current_experiment())\n"
)


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_LAB_STORE", str(tmp_path / "store"))


def test_settings_in_the_url_are_applied_when_a_session_starts():
    at = new_app(sample="sine", lookback="10", layers="gru:8", epochs="3")
    assert at.session_state["data.origin"] == ("sample", "sine")
    assert at.session_state["data.lookback"] == 10
    assert at.session_state["train.epochs"] == 3
    open_page(at, "model")
    assert at.code[0].value == "gru:8"


def test_the_url_follows_the_current_settings():
    at = open_page(new_app(), "data")
    at.number_input(key="data.lookback").set_value(24).run()
    at.selectbox(key="data.scaler").set_value("standard").run()
    open_page(at, "model")
    params = dict(at.query_params)
    chosen = {
        "v": "2",
        "sample": "airline",
        "kind": "series",
        "lookback": "24",
        "scaler": "standard",
    }
    assert {name: params.get(name) for name in chosen} == chosen
    assert params["layers"] == "lstm:32:seq,lstm:16"
    written = {field.key for field in FIELDS if field.part != "data" and not field.derived}
    written -= {"id_column", "target", "step_column", "task", "length", "max_length", "split_seed"}
    assert written <= set(params), written - set(params)  # every setting of a series table


def test_a_link_to_the_train_page_opens_with_its_data():
    at = open_page(new_app(sample="airline", lookback="6", patience="4"), "train")
    assert not [i.value for i in at.info if "No data yet" in i.value]
    assert re.search(r"x_train \(\d+, 6, 1\)", plain(at.caption[0].value))
    assert at.number_input(key="train.patience").value == 4


def test_an_old_link_opens_and_names_what_it_cannot_restore():
    at = new_app(sample="sine", lookback="10", epochs="3", colour="blue")
    assert at.session_state["data.lookback"] == 10
    notes = [plain(i.value) for i in at.sidebar.info]
    assert any("colour are not known" in note for note in notes), notes


def test_a_link_too_long_is_a_stored_experiment_id(monkeypatch):
    monkeypatch.setattr("lstm_core.experiment_url.MAX_QUERY_CHARS", 50)
    at = open_page(new_app(sample="airline", patience="5"), "train")
    assert set(at.query_params) == {"v", "experiment"}
    again = open_page(new_app(**at.query_params), "train")
    assert again.number_input(key="train.patience").value == 5
    assert again.session_state["data.origin"] == ("sample", "airline")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"layers": "lstm:abc"}, "Cannot read layer 'lstm:abc'"),
        ({"epochs": "many"}, "epochs='many' must be a whole number"),
        ({"sample": "nope"}, "No sample named 'nope'"),
        ({"epochs": "0"}, "TrainConfig epochs must be"),
    ],
)
def test_bad_url_settings_are_reported_and_skipped(query, message):
    at = new_app(**query)
    warnings = [plain(w.value) for w in at.sidebar.warning]
    assert any(message in w and "were not applied" in w for w in warnings), warnings
    assert "data.origin" not in at.session_state


def test_export_holds_data_windowing_layers_and_training():
    at = open_page(new_app(), "data")
    at.number_input(key="data.lookback").set_value(6).run()
    open_page(at, "model")
    open_page(at, "train")
    at.number_input(key="train.epochs").set_value(7).run()
    experiment = import_experiment(shell(EXPORT, state_of(at)).session_state["exported"])
    assert experiment.data == {"sample": "airline"}
    assert experiment.window.lookback == 6
    assert [layer.units for layer in experiment.model.layers] == [32, 16]
    assert experiment.train.epochs == 7


def sidebar_import(content: bytes, at=None):
    """Import ``content`` from the sidebar of ``at``'s page (a new session's Home page)."""
    at = at or new_app()
    at.file_uploader(key="_app.import").set_value(("shared.json", content, "application/json"))
    return at.run()


SHARED_ON_SINE = Experiment(
    data={"sample": "sine"},
    window=WindowSpec(features=("driver", "response"), targets=("response",), lookback=7),
    model=ModelSpec(layers=parse_layers("gru:12:seq,rnn:6")),
    train=TrainConfig(epochs=4, batch_size=8),
)


def shown_setting(at, page: str):
    """The imported setting the page itself shows: its own widget's value (the Model page's
    layer syntax)."""
    if page == "data":
        return at.number_input(key="data.lookback").value
    if page == "train":
        return at.number_input(key="train.epochs").value
    return at.code[0].value


@pytest.mark.parametrize(
    ("page", "expected"), [("data", 7), ("model", "gru:12:seq,rnn:6"), ("train", 4)]
)
def test_settings_imported_on_a_page_with_their_widgets_apply_wholly(page, expected):
    at = sidebar_import(export_experiment(SHARED_ON_SINE).encode(), open_page(new_app(), page))
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert [s.value for s in at.success] == ["Settings imported\\."]
    assert shown_setting(at, page) == expected
    assert at.session_state["data.origin"] == ("sample", "sine")
    assert at.session_state["data.features"] == ["driver", "response"]
    assert at.session_state["data.windows"].x_train.shape[1:] == (7, 2)  # windowed at once
    assert at.session_state["train.batch_size"] == 8
    kinds = [at.session_state[f"model.layer{i}.kind"] for i in at.session_state["model.layer_ids"]]
    assert kinds == ["gru", "rnn"]


def test_the_same_file_imported_again_applies_again():
    content = export_experiment(SHARED_ON_SINE).encode()
    at = sidebar_import(content, open_page(new_app(), "data"))
    at.number_input(key="data.lookback").set_value(9).run()
    assert at.session_state["data.lookback"] == 9
    at = sidebar_import(content, at)
    assert not at.exception and not at.error
    assert at.number_input(key="data.lookback").value == 7


def test_an_import_that_cannot_apply_changes_nothing_and_says_why():
    at = open_page(open_page(new_app(), "data"), "train")  # airline, windowed
    before = {
        key: at.session_state[key] for key in ("data.origin", "data.lookback", "train.epochs")
    }
    layer_keys = {key for key in at.session_state if key.startswith("model.")}
    misfit = Experiment(  # each part valid alone, but sine has no column "nope"
        data={"sample": "sine"},
        window=WindowSpec(features=("nope",), targets=("response",), lookback=3),
        model=ModelSpec(layers=parse_layers("gru:5")),
        train=TrainConfig(epochs=2),
    )
    at = sidebar_import(export_experiment(misfit).encode(), at)
    assert not at.exception
    message = " ".join(errors(at))
    assert "shared.json was not imported, nothing changed" in message and "nope" in message
    assert {key: at.session_state[key] for key in before} == before
    assert {key for key in at.session_state if key.startswith("model.")} == layer_keys
    assert at.number_input(key="train.epochs").value == before["train.epochs"]


def test_an_imported_experiment_sets_data_model_and_training():
    shared = Experiment(
        data={"sample": "temperatures"},
        model=ModelSpec(layers=parse_layers("gru:12:seq,rnn:6")),
        train=TrainConfig(epochs=4, batch_size=8),
    )
    at = sidebar_import(export_experiment(shared).encode())
    assert [s.value for s in at.success] == ["Settings imported\\."]
    assert at.session_state["data.origin"] == ("sample", "temperatures")
    assert at.session_state["train.batch_size"] == 8
    kinds = [at.session_state[f"model.layer{i}.kind"] for i in at.session_state["model.layer_ids"]]
    assert kinds == ["gru", "rnn"]


def test_an_experiment_on_an_uploaded_file_waits_for_that_file():
    shared = {
        "lstm_lab": 1,
        "data": {"file": "mine.csv"},
        "window": {"kind": "series", "features": ["a"], "targets": ["a"], "lookback": 3},
    }
    at = sidebar_import(json.dumps(shared).encode())
    assert "Upload mine.csv on the Data page" in plain(at.success[0].value)
    assert at.session_state["data.pending"][0] == "mine.csv"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"lstm_lab": 1, "model": {"layers": [{"kind": "lstm", "units": -3}]}}', "units"),
        (b'{"lstm_lab": 1, "surprise": 1}', "Unknown Experiment JSON key(s) ['surprise']"),
        (b"[" * 5000 + b"]" * 5000, "JSON"),
    ],
)
def test_a_bad_experiment_file_is_refused_with_its_reason(content, message):
    at = sidebar_import(content)
    assert not at.exception
    assert any(message in plain(e.value) for e in at.error), [e.value for e in at.error]
    assert "data.origin" not in at.session_state and "model.layer_ids" not in at.session_state
