"""Faults, in a real browser: the server killed or stopped mid-training, a damaged run store.

Each test starts its own server (local mode) on a run store in a temporary folder: one is
killed with SIGKILL halfway through a run and started again on the same store; the other finds
a damaged ``runs.sqlite``. Models are one LSTM of 4 units, set through the URL.
"""

from __future__ import annotations

import math
import re
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import (
    StreamlitServer,
    dataframe_with,
    expect_no_exception,
    open_page,
    screenshot,
    set_number,
)
from playwright.sync_api import Page, expect
from test_browser_hosted import TRAINING_MS, expect_finished, new_visitor, runs_listed

from lstm_core.runs import RunStore

pytestmark = pytest.mark.browser

TINY = "sample=airline&layers=lstm:4&batch_size=16"
KILL_AFTER_EPOCHS = 2
STOP_EPOCHS = 60  # more than a stop leaves time for; few enough that Keras skips XLA's compile


@contextmanager
def serving(chromium, store: Path, query: str = ""):
    """A server on ``store`` and a visitor on it, as ``(server, page)``; both closed after."""
    server = StreamlitServer(store)
    try:
        page = new_visitor(chromium, server, query)
        try:
            yield server, page
        finally:
            page.context.close()
    finally:
        server.stop()


def train(page: Page, epochs: int) -> None:
    """Window the sample on the Data page, then start ``epochs`` epochs on the Train page."""
    expect(
        dataframe_with(open_page(page, "Data"), "x: (samples, timesteps, features)")
    ).to_be_visible()
    area = open_page(page, "Train")
    set_number(area, "Epochs", epochs)
    area.get_by_role("button", name="Start training").click()


def wait_for_new_run(store: Path, known: set[str], epochs: int) -> None:
    """Poll the store until a run not in ``known`` has ``epochs`` completed epochs."""
    runs = RunStore(store)
    deadline = time.monotonic() + TRAINING_MS / 1000
    while time.monotonic() < deadline:
        listed = runs.list_runs("local")
        if (listed[~listed["run_id"].isin(known)]["epochs"] >= epochs).any():
            return
        time.sleep(0.25)
    raise AssertionError(f"no new run reached {epochs} epochs within {TRAINING_MS / 1000:.0f} s")


def test_a_server_killed_mid_training_leaves_an_interrupted_run(chromium, tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    with serving(chromium, store, TINY) as (first, page):
        train(page, 2)
        expect_finished(page, 2)
        known = set(RunStore(store).list_runs("local")["run_id"])
        train(page, 1000)
        wait_for_new_run(store, known, KILL_AFTER_EPOCHS)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=30)

    runs = RunStore(store)
    killed, finished = runs.list_runs("local").to_dict("records")  # newest first
    assert (finished["status"], finished["epochs"]) == ("finished", 2)
    assert killed["status"] == "interrupted" and KILL_AFTER_EPOCHS <= killed["epochs"] < 1000
    history = runs.get_run(killed["run_id"], "local").history
    assert history["epoch"].tolist() == list(range(1, killed["epochs"] + 1))
    assert all(math.isfinite(loss) for loss in history["loss"])
    kept = runs.get_run(finished["run_id"], "local")
    assert kept.model_path.exists() and kept.test_metrics["rmse"] is not None

    with serving(chromium, store) as (_, page):  # the restart, on the same store
        listed = runs_listed(page)
        assert [(run["run"], run["status"], run["epochs"]) for run in listed] == [
            (killed["run_id"], "interrupted", str(killed["epochs"])),
            (finished["run_id"], "finished", "2"),
        ]
        details = page.get_by_test_id("stMain")
        caption = re.compile(rf"^Run {killed['run_id']} · .* · interrupted$")
        expect(details.get_by_text(caption)).to_be_visible()
        expect_no_exception(page)
        screenshot(page, "faults_after_sigkill")


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_server_stopped_mid_training_exits_0_and_keeps_the_run(chromium, tmp_path, number):
    store = tmp_path / "store"
    store.mkdir()
    with serving(chromium, store, TINY) as (server, page):
        train(page, STOP_EPOCHS)
        wait_for_new_run(store, set(), KILL_AFTER_EPOCHS)
        sent = time.monotonic()
        server.process.send_signal(number)
        assert server.process.wait(timeout=30) == 0
        took = time.monotonic() - sent
    assert took < 10, f"the server took {took:.1f} s to stop"
    (stopped,) = RunStore(store).list_runs().to_dict("records")
    assert stopped["status"] == "interrupted"
    assert KILL_AFTER_EPOCHS <= stopped["epochs"] < STOP_EPOCHS
    log = (store / "server.log").read_text()
    assert "Segmentation fault" not in log and "Traceback" not in log, log[-2000:]


def test_a_damaged_store_is_reported_left_alone_and_replaced_in_memory(chromium, tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    damaged = b"this is not a SQLite database" * 100
    (store / "runs.sqlite").write_bytes(damaged)
    with serving(chromium, store, TINY) as (_, page):
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text(re.compile("damaged and was left untouched"))).to_be_visible()
        expect(sidebar.get_by_text(re.compile("in memory only"))).to_be_visible()
        train(page, 2)  # the app still works: the run is kept in memory
        expect_finished(page, 2)
        assert [run["status"] for run in runs_listed(page)] == ["finished"]
        expect_no_exception(page)
        screenshot(page, "faults_damaged_store")
    assert (store / "runs.sqlite").read_bytes() == damaged
    assert not (store / "models").exists() or not any((store / "models").iterdir())
