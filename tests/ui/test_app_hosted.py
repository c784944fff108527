"""Hosted use: private workspaces, a damaged or unwritable store, the job cap, ended sessions."""

import gc
import time

import pytest
from app_session import (
    APP,
    TIMEOUT,
    add_run,
    errors,
    new_app,
    open_page,
    plain,
    set_tiny_model,
)
from streamlit.testing.v1 import AppTest

from lstm_core import samples
from lstm_core.data import make_windows
from lstm_core.model import ModelSpec, parse_layers
from lstm_core.train import TrainConfig, TrainingJob
from ui.jobs import JobRegistry


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_LAB_STORE", str(tmp_path / "store"))
    return tmp_path / "store"


def runs_shown(at) -> int:
    open_page(at, "runs")
    return 0 if at.info and "No runs yet" in at.info[0].value else len(at.dataframe[0].value)


def test_locally_every_session_shares_the_workspace(store):
    first, second = new_app(), new_app()
    add_run(store, "shared", [1.0], workspace="local")
    assert runs_shown(first) == runs_shown(second) == 1


def test_hosted_sessions_each_see_only_their_own_runs(store, monkeypatch):
    monkeypatch.setenv("LSTM_LAB_HOSTED", "1")
    mine, theirs = new_app(), new_app()
    workspace = mine.session_state["app.workspace"]
    assert workspace not in {"local", theirs.session_state["app.workspace"]}
    add_run(store, "private", [1.0], workspace=workspace)
    assert runs_shown(mine) == 1
    assert runs_shown(theirs) == 0


def test_hosted_mode_can_come_from_streamlit_secrets(store):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.secrets["LSTM_LAB_HOSTED"] = "true"
    at.run()
    assert at.session_state["app.workspace"] != "local"


def test_a_damaged_store_is_reported_left_alone_and_replaced_in_memory(tmp_path, monkeypatch):
    folder = tmp_path / "store"
    folder.mkdir()
    damaged = b"this is not a SQLite database" * 100
    (folder / "runs.sqlite").write_bytes(damaged)
    monkeypatch.setenv("LSTM_LAB_STORE", str(folder))
    at = new_app()
    warning = plain(at.sidebar.warning[0].value)
    assert "damaged and was left untouched" in warning and "in memory only" in warning
    assert "0 in this workspace, in memory." in plain(" ".join(c.value for c in at.sidebar.caption))
    assert runs_shown(at) == 0
    assert (folder / "runs.sqlite").read_bytes() == damaged


def test_an_unwritable_store_folder_falls_back_to_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the store's parent folder should be")
    monkeypatch.setenv("LSTM_LAB_STORE", str(blocker / "store"))
    at = new_app()
    assert "cannot be created" in plain(at.sidebar.warning[0].value)
    assert runs_shown(at) == 0


def test_a_job_over_the_cap_is_refused_with_a_message(store, monkeypatch):
    monkeypatch.setenv("LSTM_LAB_MAX_CONCURRENT_JOBS", "1")
    first = open_page(new_app(), "data")
    set_tiny_model(first)
    open_page(first, "train")
    first.number_input(key="train.epochs").set_value(500).run()
    second = open_page(open_page(new_app(), "data"), "train")  # refused before it builds
    first.button(key="_train.start").click().run()
    job = first.session_state["app.jobs"].get("train")
    try:
        second.button(key="_train.start").click().run()
        assert any("already running (the limit is 1" in m for m in errors(second))
        assert not second.exception
    finally:
        job.stop()
        job.wait(60)


def test_a_session_that_ends_stops_its_jobs(store):
    df = samples.load_sample("airline")
    windows = make_windows(df, samples.SAMPLES["airline"].spec)
    spec = ModelSpec(layers=parse_layers("lstm:4"), outputs=1)
    job = TrainingJob(windows, spec, TrainConfig(epochs=500, batch_size=32)).start()
    registry = JobRegistry()
    registry.put("train", job)
    while job.snapshot().epoch < 1:
        time.sleep(0.05)
    del registry  # Streamlit drops an ended session's state, and with it the registry
    gc.collect()
    assert job.wait(60).status == "stopped"
