"""Many visitors at once: 8 browser sessions on one hosted app, each training a small model.

Issue target: the hosted app serves at least 8 simultaneous visitors, each training; the cap on
concurrent jobs (``LSTM_LAB_MAX_CONCURRENT_JOBS``) admits some and refuses the others with its
message; every visitor ends with exactly their own run (nothing lost, nothing mixed); and the
server's peak memory stays within the documented budget: about 0.9 GB for the process itself
plus ``max_concurrent_jobs x memory_budget_mb`` (README, Deploying).

The app runs as ``streamlit run app.py`` in hosted mode (``LSTM_LAB_HOSTED=1``) with its own run
store; each visitor is a Chromium context of its own (its own cookie, so its own workspace),
opened on a link to the Train page that carries a small model (one LSTM of 4 units, airline
sample) and the visitor's own number of epochs, which tells the runs apart. All eight press
Start as close to at once as one driver clicks; a refused visitor presses it again every few
seconds until admitted, as a person would. Memory is the server's ``VmHWM`` (peak resident set)
from ``/proc``.

    python benchmarks/bench_visitors.py [--quick]
"""

from __future__ import annotations

import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ui"))

from browser import CHROMIUM, StreamlitServer, launch_chromium  # noqa: E402
from browser import main as main_area  # noqa: E402 - the page's main area, not our main()
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from benchmarks.bench_memory import new_session, status_mb  # noqa: E402
from benchmarks.common import not_measured, row, run_cli  # noqa: E402
from lstm_core.runs import RunStore  # noqa: E402
from lstm_core.settings import Limits  # noqa: E402

VISITORS = 8
PROCESS_MB = 900.0  # Python, Streamlit and TensorFlow themselves (README, Deploying)
LIMITS = Limits()  # the defaults a host starts with: the cap and the budget per job
BUDGET_MB = PROCESS_MB + LIMITS.max_concurrent_jobs * LIMITS.memory_budget_mb
REFUSED = re.compile(r"already running \(the limit is \d+, LSTM_LAB_MAX_CONCURRENT_JOBS\)")
ENDED = re.compile("Finished|Stopped|Failed")
RETRY_S = 3.0
TIMEOUT_S = 1800.0  # every visitor trained, on 2 busy cores
MEMORY_TARGET = f"visitors: server peak memory, {VISITORS} sessions training (cap applies)"
MEMORY_GOAL = f"< {BUDGET_MB:.0f} MB budget (ratio < 1)"
SERVED_TARGET = f"visitors: {VISITORS} sessions all trained, each sees only its own run"


def link(epochs: int) -> str:
    return f"train?sample=airline&layers=lstm:4&batch_size=16&epochs={epochs}"


def press_start(page) -> None:
    main_area(page).get_by_role("button", name="Start training").click()


def state_of(page) -> str:
    """``"training"``, ``"refused"`` or ``"ended"``: what the visitor's Train page shows."""
    area = main_area(page)
    progress = area.get_by_test_id("stProgress")
    if progress.count() and ENDED.search(progress.first.inner_text()):
        return "ended"
    if area.get_by_text(REFUSED).count():
        return "refused"
    return "training"


def serve_everyone(pages: list) -> int:
    """Press Start on every page, then again on each refused one until all have ended;
    return how many refusals were seen."""
    for page in pages:
        expect(main_area(page).get_by_role("button", name="Start training")).to_be_enabled()
    for page in pages:
        press_start(page)
    refusals, deadline = 0, time.monotonic() + TIMEOUT_S
    waiting = list(pages)
    while waiting and time.monotonic() < deadline:
        time.sleep(RETRY_S)
        for page in list(waiting):
            now = state_of(page)
            if now == "ended":
                waiting.remove(page)
            elif now == "refused":
                refusals += 1
                press_start(page)
    if waiting:
        raise RuntimeError(f"{len(waiting)} visitors had not trained within {TIMEOUT_S:.0f} s")
    return refusals


def runs_by_workspace(store: Path) -> dict[str, list[tuple[str, int, int]]]:
    """Each workspace's runs as ``(status, epochs asked, epochs done)``."""
    with sqlite3.connect(store / "runs.sqlite") as connection:
        workspaces = [w for (w,) in connection.execute("SELECT DISTINCT workspace FROM runs")]
    runs = RunStore(store)
    found = {}
    for workspace in workspaces:
        listed = runs.list_runs(workspace)
        found[workspace] = [
            (status, runs.get_run(run_id, workspace).train_config["epochs"], epochs)
            for run_id, status, epochs in zip(
                listed["run_id"], listed["status"], listed["epochs"], strict=True
            )
        ]
    return found


def main(quick: bool = False) -> list[dict]:
    if not Path(CHROMIUM).exists():
        return [not_measured(MEMORY_TARGET, f"needs Debian's Chromium at {CHROMIUM}")]
    epochs = [3 + i for i in range(VISITORS)] if not quick else [2] * VISITORS
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        server = StreamlitServer(Path(folder), env={"LSTM_LAB_HOSTED": "1"})
        browser = launch_chromium(playwright)
        try:
            pages = [new_session(browser, f"{server.url}/{link(n)}") for n in epochs]
            started = time.perf_counter()
            refusals = serve_everyone(pages)
            seconds = time.perf_counter() - started
            peak = status_mb(server.process.pid, "VmHWM")
            found = runs_by_workspace(server.store)
        finally:
            browser.close()
            server.stop()
    own = sorted(runs[0][1] for runs in found.values() if len(runs) == 1)
    served = (
        len(found) == VISITORS
        and own == sorted(epochs)
        and all(
            status == "finished" and asked == done for ((status, asked, done),) in found.values()
        )
    )
    print(f"peak memory {peak:.0f} MB against a budget of {BUDGET_MB:.0f} MB", file=sys.stderr)
    return [
        row(
            MEMORY_TARGET,
            f"{peak:.0f} MB peak (VmHWM); budget {PROCESS_MB:.0f} MB + "
            f"{LIMITS.max_concurrent_jobs} jobs x {LIMITS.memory_budget_mb:.0f} MB",
            peak / BUDGET_MB,
            MEMORY_GOAL,
            peak < BUDGET_MB,
        ),
        row(
            SERVED_TARGET,
            f"{len(found)} workspaces, one run each: {served}; {refusals} refusals by the cap "
            f"({LIMITS.max_concurrent_jobs}) and retries; all done in {seconds:.0f} s",
            None,
            "all finished, none lost or mixed",
            served,
        ),
    ]


if __name__ == "__main__":
    run_cli(main)
