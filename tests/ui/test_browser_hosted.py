"""Many visitors on one hosted server, in a real browser: private workspaces, the cap on
concurrent jobs under load, and a closed tab that stops its job.

One server for the module, in hosted mode (``LSTM_LAB_HOSTED=1``) with a cap of 2 concurrent
training jobs and a session timeout (``server.disconnectedSessionTTL``) of 2 s. Every visitor is
its own browser context (its own cookies and Streamlit session). Models are one LSTM of 4 units,
set through the URL as a shared link would. The load test writes the server's peak memory to
``test-output/load-test.txt``.
"""

from __future__ import annotations

import math
import re
import sqlite3
import time
from pathlib import Path

import pytest
from browser import (
    PAGE_TIMEOUT_MS,
    REPO,
    VIEWPORT,
    StreamlitServer,
    dataframe_with,
    expect_no_exception,
    grid_rows,
    open_page,
    screenshot,
)
from playwright.sync_api import Page, expect

from lstm_core.runs import RunStore

pytestmark = pytest.mark.browser

CAP = 2
SESSION_TIMEOUT_S = 2
TINY = "layers=lstm:4&batch_size=16"
SHAPES_HEADER = "x: (samples, timesteps, features)"
REFUSED = re.compile(rf"already running \(the limit is {CAP}")
LOAD_REPORT = REPO / "test-output" / "load-test.txt"
# Several jobs share 2 cores here: more patience than browser.TRAIN_TIMEOUT_MS.
TRAINING_MS = 300_000


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    env = {
        "LSTM_LAB_HOSTED": "1",
        "LSTM_LAB_MAX_CONCURRENT_JOBS": str(CAP),
        "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(SESSION_TIMEOUT_S),
    }
    app = StreamlitServer(tmp_path_factory.mktemp("hosted-store"), env=env)
    yield app
    app.stop()


def new_visitor(chromium, server: StreamlitServer, query: str = "") -> Page:
    """A new visitor: a browser context (its own Streamlit session) on the Home page, with the
    settings ``query`` in the URL. Closing it (``page.context.close()``) ends the session."""
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{server.url}/?{query}")
    return page


@pytest.fixture
def visit(chromium, hosted):
    """``visit(query)``: ``new_visitor`` on the hosted server; closed at the end of the test."""
    pages = []

    def open_visitor(query: str = "") -> Page:
        pages.append(new_visitor(chromium, hosted, query))
        return pages[-1]

    yield open_visitor
    for page in pages:
        page.context.close()


def stored_runs(store: Path) -> list[dict]:
    """Every run in the store, as ``RunStore.list_runs`` reads them, with its ``workspace``."""
    with sqlite3.connect(store / "runs.sqlite") as connection:
        workspaces = [row[0] for row in connection.execute("SELECT DISTINCT workspace FROM runs")]
    runs = RunStore(store)
    return [
        {**run, "workspace": ws}
        for ws in workspaces
        for run in runs.list_runs(ws).to_dict("records")
    ]


def upload(page: Page, csv: Path, rows: int) -> None:
    area = open_page(page, "Data")
    area.get_by_text("My CSV file", exact=True).click()
    area.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(csv)
    expect(area.get_by_text(f"{csv.name}: {rows} rows x 2 columns.")).to_be_visible()
    expect(dataframe_with(area, SHAPES_HEADER)).to_be_visible()


def window_sample(page: Page) -> None:
    """Open the Data page, which windows the sample named in the URL."""
    expect(dataframe_with(open_page(page, "Data"), SHAPES_HEADER)).to_be_visible()


def press_start(page: Page) -> None:
    area = open_page(page, "Train")
    area.get_by_role("button", name="Start training").click()


def expect_finished(page: Page, epochs: int) -> None:
    progress = page.get_by_test_id("stMain").get_by_test_id("stProgress")
    expect(progress).to_contain_text(f"Finished · epoch {epochs}/{epochs}", timeout=TRAINING_MS)
    expect(page.get_by_role("heading", name="Test set")).to_be_visible()


def runs_listed(page: Page) -> list[dict[str, str]]:
    """The Runs page's table, as ``{column: text}`` rows."""
    header, *rows = grid_rows(dataframe_with(open_page(page, "Runs"), "status"))
    return [dict(zip(header, row, strict=True)) for row in rows]


def series_csv(path: Path, column: str, rows: int, period: float) -> Path:
    lines = [f"step,{column}"] + [f"{t},{math.sin(t / period):.4f}" for t in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_two_visitors_see_only_their_own_data_and_runs(visit, hosted, tmp_path):
    files = {
        "alpha": (series_csv(tmp_path / "alpha.csv", "alpha_signal", 80, 3.0), 80),
        "beta": (series_csv(tmp_path / "beta.csv", "beta_signal", 100, 7.0), 100),
    }
    pages = {name: visit(f"{TINY}&epochs=8") for name in files}
    for name, (csv, rows) in files.items():
        upload(pages[name], csv, rows)
    for page in pages.values():  # both train at the same time
        press_start(page)
    for name, page in pages.items():
        expect_finished(page, 8)
        other = "beta" if name == "alpha" else "alpha"
        area = open_page(page, "Data")
        expect(area.get_by_text(f"{name}.csv: ", exact=False)).to_be_visible()
        expect(page.get_by_text(f"{other}.csv")).to_have_count(0)
        expect(page.get_by_text(f"{other}_signal")).to_have_count(0)
        listed = runs_listed(page)  # grouped by dataset: the visitor's one group, one run
        assert [run["status"] for run in listed] == ["finished"]
        expect(page.get_by_text(f"{other}.csv")).to_have_count(0)
        expect_no_exception(page)
        screenshot(page, f"hosted_runs_{name}")

    first, second = sorted(stored_runs(hosted.store), key=lambda run: run["created_at"])
    assert {first["dataset"], second["dataset"]} == {"alpha.csv", "beta.csv"}
    assert len({first["workspace"], second["workspace"], "local"}) == 3
    # They trained at the same time: the second started before the first had finished.
    first_finished = RunStore(hosted.store).get_run(first["run_id"], first["workspace"]).finished_at
    assert second["created_at"].timestamp() < first_finished


def vm_kb(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` memory field (``VmHWM``: peak resident memory), in kB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE).group(1))


def test_four_visitors_start_at_once_with_a_cap_of_two(visit, hosted):
    before = {run["run_id"] for run in stored_runs(hosted.store)}
    epochs = [8, 9, 10, 11]  # each visitor's own setting: their result says which was theirs
    pages = [visit(f"sample=airline&{TINY}&epochs={n}") for n in epochs]
    for page in pages:
        window_sample(page)
        open_page(page, "Train")
    started = time.monotonic()
    for page in pages:  # as close to at once as one driver clicks
        page.get_by_role("button", name="Start training").click()

    refused = []
    for page in pages:
        area = page.get_by_test_id("stMain")
        refusal = area.get_by_text(REFUSED)
        expect(area.get_by_test_id("stProgress").or_(refusal)).to_be_visible()
        if refusal.count():
            expect(refusal).to_contain_text("LSTM_LAB_MAX_CONCURRENT_JOBS")
            refused.append(page)
    assert len(refused) == len(pages) - CAP

    admitted = [page for page in pages if page not in refused]
    for page in admitted:
        expect_finished(page, epochs[pages.index(page)])
    for page in refused:  # retry once the first have finished
        page.get_by_role("button", name="Start training").click()
    for index, page in enumerate(pages):
        expect_finished(page, epochs[index])
        listed = runs_listed(page)
        assert [(run["status"], run["epochs"]) for run in listed] == [
            ("finished", str(epochs[index]))
        ]
        expect_no_exception(page)
    elapsed = time.monotonic() - started

    runs = [run for run in stored_runs(hosted.store) if run["run_id"] not in before]
    assert sorted(run["epochs"] for run in runs) == epochs  # one run per visitor
    assert len({run["workspace"] for run in runs}) == len(pages)
    assert all(run["status"] == "finished" for run in runs)

    pid = hosted.process.pid
    peak_mb, now_mb = vm_kb(pid, "VmHWM") / 1024, vm_kb(pid, "VmRSS") / 1024
    report = (
        f"load test: {len(pages)} browser sessions started training at once, cap {CAP}; "
        f"{len(refused)} refused and retried; all {len(pages)} finished in {elapsed:.0f} s\n"
        f"server process peak memory (VmHWM): {peak_mb:.0f} MB; now (VmRSS): {now_mb:.0f} MB\n"
    )
    LOAD_REPORT.parent.mkdir(parents=True, exist_ok=True)
    LOAD_REPORT.write_text(report)
    print(report)


def test_a_closed_tab_stops_its_training_job(visit, hosted):
    page = visit(f"sample=airline&{TINY}&epochs=1000")
    window_sample(page)
    press_start(page)
    expect(page.get_by_test_id("stMain").get_by_test_id("stVegaLiteChart")).to_be_visible(
        timeout=TRAINING_MS
    )  # the loss chart: at least one epoch done

    def newest_run() -> dict:
        return max(stored_runs(hosted.store), key=lambda run: run["created_at"])

    assert newest_run()["status"] == "running"
    page.context.close()
    closed = time.monotonic()
    deadline = closed + SESSION_TIMEOUT_S + 60
    while (run := newest_run())["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.25)
    assert run["status"] == "stopped" and 1 <= run["epochs"] < 1000, run
    print(f"the job stopped {time.monotonic() - closed:.1f} s after its tab was closed")
