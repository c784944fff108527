"""Memory of the app process: one visitor's whole flow, then more visitors training at once.

Issue targets: the peak resident memory of the app's server process through the browser flow
(load data, train the demo model, inspect its states) stays under 1.2 GB, and each further
browser session that trains at the same time adds under 200 MB.

The app runs as ``streamlit run app.py`` on a free loopback port with a run store of its own;
Debian's Chromium, driven by Playwright, plays the visitors (the helpers of the browser tests,
``tests/ui/browser.py``). The flow: Home, "Run the demo" (it loads the airline sample, builds
two LSTM layers and trains them), wait until it finishes, then the States page's heatmaps.
Memory is read from Linux's ``/proc/<pid>/status``: ``VmHWM`` (the peak resident set) and
``VmRSS`` (resident now), summed over the server and any child processes. After the flow the
peak is reset (``/proc/<pid>/clear_refs``), two more sessions start the demo at once, and the
peak they reach above the resident memory before them is shared out between them.

    python benchmarks/bench_memory.py [--quick]
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ui"))

from browser import (  # noqa: E402 - tests/ui/browser.py: the browser tests' helpers
    CHROMIUM,
    PAGE_TIMEOUT_MS,
    VIEWPORT,
    StreamlitServer,
    launch_chromium,
    open_page,
)
from browser import main as main_area  # noqa: E402 - the page's main area, not our main()
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from benchmarks.common import not_measured, row, run_cli  # noqa: E402

PEAK_GOAL_MB = 1200.0
SESSION_GOAL_MB = 200.0
MORE_SESSIONS = 2
PEAK_TARGET = "memory: app process peak through the flow (demo data, train, States)"
SESSION_TARGET = f"memory: added per further session training at once ({MORE_SESSIONS} sessions)"
PEAK_GOAL = f"< {PEAK_GOAL_MB:.0f} MB (ratio < 1)"
SESSION_GOAL = f"< {SESSION_GOAL_MB:.0f} MB (ratio < 1)"
# Generous: on 2 busy cores, two demo jobs tracing their graphs at once take minutes.
TRAIN_TIMEOUT_MS = 900_000
ENDED = re.compile("Finished|Stopped|Failed")  # the Train page's words for an ended job


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from ``/proc/<pid>/task/<tid>/children``."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            pids += process_tree(int(child))
    return pids


def status_mb(pid: int, field: str) -> float:
    """``field`` (``"VmHWM"`` or ``"VmRSS"``) of ``/proc/<pid>/status``, summed over the
    process tree, in MB (the file gives kB)."""
    total_kb = 0
    for member in process_tree(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


def reset_peak(pid: int) -> None:
    """Set each process's ``VmHWM`` back to its ``VmRSS`` (Linux: ``5`` to ``clear_refs``)."""
    for member in process_tree(pid):
        Path(f"/proc/{member}/clear_refs").write_text("5")


def new_session(browser, url: str):
    """A new browser context (its own Streamlit session) on the app's Home page."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    return page


def start_demo(page) -> None:
    """Home: click "Run the demo"; the app switches to the Train page and starts training."""
    main_area(page).get_by_role("button", name="Run the demo").click()


def wait_trained(page) -> None:
    """Wait until the Train page says the job ended; ``RuntimeError`` unless it finished."""
    progress = main_area(page).get_by_test_id("stProgress")
    expect(progress).to_contain_text(ENDED, timeout=TRAIN_TIMEOUT_MS)
    if "Finished" not in progress.inner_text():
        raise RuntimeError(f"the demo's training ended as: {progress.inner_text()}")


def inspect_states(page) -> None:
    """States: the first layer's heatmaps for the first sample, as the page opens."""
    area = open_page(page, "States")
    expect(area.get_by_role("heading", name="layer_1, step by step")).to_be_visible()
    expect(area.get_by_test_id("stTabs").get_by_test_id("stVegaLiteChart").first).to_be_visible()


def first_flow(browser, server) -> dict:
    start = time.perf_counter()
    page = new_session(browser, server.url)
    start_demo(page)
    wait_trained(page)
    inspect_states(page)
    peak = status_mb(server.process.pid, "VmHWM")
    seconds = time.perf_counter() - start
    return row(
        PEAK_TARGET,
        f"{peak:.0f} MB (the flow took {seconds:.0f} s)",
        peak / PEAK_GOAL_MB,
        PEAK_GOAL,
        peak < PEAK_GOAL_MB,
    )


def more_sessions(browser, server) -> dict:
    pid = server.process.pid
    before = status_mb(pid, "VmRSS")
    reset_peak(pid)
    start = time.perf_counter()
    pages = [new_session(browser, server.url) for _ in range(MORE_SESSIONS)]
    for page in pages:  # both jobs train at the same time
        start_demo(page)
    try:
        for page in pages:
            wait_trained(page)
    except PlaywrightTimeoutError:
        added = (status_mb(pid, "VmHWM") - before) / MORE_SESSIONS
        return not_measured(
            SESSION_TARGET,
            f"the {MORE_SESSIONS} demo jobs had not finished after {TRAIN_TIMEOUT_MS / 1000:.0f} s "
            f"(peak so far: {added:.0f} MB each)",
            SESSION_GOAL,
        )
    seconds = time.perf_counter() - start
    added = (status_mb(pid, "VmHWM") - before) / MORE_SESSIONS
    return row(
        SESSION_TARGET,
        f"{added:.0f} MB each (resident before: {before:.0f} MB; both trained in {seconds:.0f} s)",
        added / SESSION_GOAL_MB,
        SESSION_GOAL,
        added < SESSION_GOAL_MB,
    )


def why(error: Exception) -> str:
    """The first line of ``error``'s message, with its type, at most 200 characters."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0] if lines else ''}"
    return text if len(text) <= 200 else text[:197] + "..."


def measure(browser, server) -> list[dict]:
    """Both rows; a step that fails gives a "not measured" row instead of its figure."""
    try:
        rows = [first_flow(browser, server)]
    except Exception as error:  # noqa: BLE001 - the table says why, the run goes on
        return [
            not_measured(PEAK_TARGET, f"the browser flow failed: {why(error)}", PEAK_GOAL),
            not_measured(SESSION_TARGET, "the first session's flow failed", SESSION_GOAL),
        ]
    try:
        rows.append(more_sessions(browser, server))
    except Exception as error:  # noqa: BLE001
        reason = f"the further sessions failed: {why(error)}"
        rows.append(not_measured(SESSION_TARGET, reason, SESSION_GOAL))
    return rows


def main(quick: bool = False) -> list[dict]:
    """The same flow with or without ``quick``: it is one run already."""
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        return [
            not_measured(PEAK_TARGET, reason, PEAK_GOAL),
            not_measured(SESSION_TARGET, reason, SESSION_GOAL),
        ]
    with tempfile.TemporaryDirectory() as store, sync_playwright() as playwright:
        try:
            server = StreamlitServer(Path(store))
        except RuntimeError as error:
            reason = f"the app did not start: {why(error)}"
            return [
                not_measured(PEAK_TARGET, reason, PEAK_GOAL),
                not_measured(SESSION_TARGET, reason, SESSION_GOAL),
            ]
        browser = launch_chromium(playwright)
        try:
            return measure(browser, server)
        finally:
            browser.close()
            server.stop()


if __name__ == "__main__":
    run_cli(main)
