"""A visitor's workspace: the key of a link, a run of another workspace, the store the command
line shares with the app, and what the page says about how long runs are kept."""

import os
import re
import subprocess
import sys

import pytest
from app_session import APP, add_run, errors, new_app, open_page, plain, trained_session

KEY = "0123456789abcdef" * 2


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_LAB_STORE", str(tmp_path / "store"))
    return tmp_path / "store"


@pytest.fixture
def hosted(store, monkeypatch):
    monkeypatch.setenv("LSTM_LAB_HOSTED", "1")
    return store


def test_a_hosted_visitor_gets_a_128_bit_key(hosted):
    first, second = new_app(), new_app()
    keys = [at.session_state["app.workspace"] for at in (first, second)]
    assert all(re.fullmatch("[0-9a-f]{32}", key) for key in keys) and keys[0] != keys[1]


def test_a_your_runs_link_opens_that_workspace_and_leaves_the_address(hosted):
    add_run(hosted, "mine", [1.0], workspace=KEY)
    at = open_page(new_app(workspace=KEY), "runs")
    assert at.session_state["app.workspace"] == KEY
    assert "workspace" not in at.query_params  # the key is not shared with the settings
    assert len(at.dataframe[0].value) == 1
    assert f"/runs?workspace={KEY}" in at.code[0].value
    assert "kept for 30 days after your last training run" in plain(at.caption[0].value)


def test_a_link_with_a_broken_key_opens_a_new_workspace_and_says_so(hosted):
    at = new_app(workspace="not-a-key")
    assert re.fullmatch("[0-9a-f]{32}", at.session_state["app.workspace"])
    warnings = [plain(w.value) for w in at.sidebar.warning]
    assert any("not one this app makes" in w for w in warnings), warnings


def test_a_run_of_another_workspace_cannot_be_opened_by_its_id(hosted):
    theirs = add_run(hosted, "theirs", [1.0], workspace=KEY)
    mine = add_run(hosted, "mine", [1.0], workspace="f" * 32)
    at = open_page(new_app(run=theirs, workspace="f" * 32), "runs")
    assert any(f"There is no run '{theirs}' in this workspace" in e for e in errors(at))
    assert at.session_state["runs.detail"] == mine
    assert "theirs" not in str(at.dataframe[0].value)


def test_a_run_link_opens_that_run(store):
    first = add_run(store, "first", [1.0])
    add_run(store, "second", [1.0])
    at = open_page(new_app(run=first), "runs")
    assert at.session_state["runs.detail"] == first
    assert not errors(at)


def test_locally_the_command_line_lists_the_runs_made_in_the_app(store):
    at = trained_session()
    run_id = at.session_state["app.jobs"].get("train").run_id
    assert at.session_state.get("app.workspace") is None  # local: no key of its own
    listing = subprocess.run(
        [sys.executable, "-m", "lstm_core", "runs", "list"],  # no --store, no --workspace
        capture_output=True,
        text=True,
        cwd=APP.parent,
        env={**os.environ, "PYTHONPATH": str(APP.parent)},
        timeout=120,
    )
    assert listing.returncode == 0, listing.stderr
    assert run_id in listing.stdout and "finished" in listing.stdout
