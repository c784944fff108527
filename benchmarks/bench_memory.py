"""Memory of the app process: one visitor's whole flow, then more visitors training at once.

Issue targets: the peak resident memory of the app's server process through the browser flow
(load data, train the demo model, inspect its states) stays under 1.2 GB, and each further
browser session that trains at the same time adds under 200 MB; with the app on Keras' JAX
backend (issue 14, a fresh server with ``KERAS_BACKEND=jax``) the same flow peaks under 700 MB.

The app runs as ``streamlit run app.py`` on a free loopback port with a run store of its own;
Debian's Chromium, driven by Playwright, plays the visitors (the helpers of the browser tests,
``tests/ui/browser.py``). The flow: Home, "Run the demo" (it loads the temperatures sample,
builds two LSTM layers and trains them), wait until it finishes, then the States page's
heatmaps.
Memory is read from Linux's ``/proc/<pid>/status``: ``VmHWM`` (the peak resident set) and
``VmRSS`` (resident now), summed over the server and any child processes. After the flow the
peak is reset (``/proc/<pid>/clear_refs``), two more sessions start the demo at once, and the
peak they reach above the resident memory before them is shared out between them.

A third row, reported without a goal, compares the demo's training inside the app (its
``fit`` time, as the run store keeps it) with the same job trained alone in a fresh process
(same data, specs and seed, polled once a second), and says how much CPU the server and the
browser used while the app trained: on one machine the two share the same cores.

    python benchmarks/bench_memory.py [--quick]
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
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

from benchmarks.common import REPO, not_measured, row, run_cli  # noqa: E402
from lstm_core.runs import RunStore  # noqa: E402

PEAK_GOAL_MB = 1200.0
SESSION_GOAL_MB = 200.0
MORE_SESSIONS = 2
PEAK_TARGET = "memory: app process peak through the flow (demo data, train, States)"
SESSION_TARGET = f"memory: added per further session training at once ({MORE_SESSIONS} sessions)"
PEAK_GOAL = f"< {PEAK_GOAL_MB:.0f} MB (ratio < 1)"
# Issue 14: the same flow with the app on Keras' JAX backend (KERAS_BACKEND=jax).
JAX_PEAK_GOAL_MB = 700.0
JAX_PEAK_TARGET = f"{PEAK_TARGET}, on JAX"
JAX_PEAK_GOAL = f"< {JAX_PEAK_GOAL_MB:.0f} MB (ratio < 1)"
SESSION_GOAL = f"< {SESSION_GOAL_MB:.0f} MB (ratio < 1)"
# Generous: on 2 busy cores, two demo jobs tracing their graphs at once take minutes.
TRAIN_TIMEOUT_MS = 900_000
ENDED = re.compile("Finished|Stopped|Failed")  # the Train page's words for an ended job
IN_APP_TARGET = "training in the app vs the same job alone (demo, fit time)"
WORKSPACE = "local"  # the workspace of a server run on one's own machine
# The demo's job alone, in a fresh process, with the dashboard's once-a-second poll; argv[1]
# is the app's run as JSON. Prints the job's timings.
TRAIN_ALONE = """
import json, sys
from lstm_core import samples
from lstm_core.data import cut_windows, window_from_dict
from lstm_core.model import ModelSpec
from lstm_core.train import TrainConfig, TrainingJob
run = json.loads(sys.argv[1])
windows = cut_windows(
    samples.load_sample(run["dataset"]["sample"]), window_from_dict(run["window_spec"])
)
job = TrainingJob(
    windows, ModelSpec.from_dict(run["model_spec"]), TrainConfig.from_dict(run["train_config"])
).start()
while not job.wait(1.0).done:
    pass
assert job.snapshot().status == "finished", job.snapshot().error
print(json.dumps(job.result.timings))
"""


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


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds the processes ``pids`` have used (``/proc/<pid>/stat``)."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):  # a process that ended since the list was made
            after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(after_name[11]) + int(after_name[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_split(server_pid: int) -> tuple[float, float]:
    """CPU seconds so far of the server's process tree, and of the browser's: the rest of
    this process's tree (Playwright's driver and Chromium), this process left out."""
    server = process_tree(server_pid)
    others = [p for p in process_tree(os.getpid()) if p not in server and p != os.getpid()]
    return cpu_seconds(server), cpu_seconds(others)


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
    """States: the cell's first step, as the page opens, then the first layer's heatmaps for
    the first sample ("The whole sample"), as the browser tests see them."""
    area = open_page(page, "States")
    expect(area.get_by_text("Step 1 of", exact=False)).to_be_visible()
    area.get_by_role("tab", name="The whole sample").click()
    expect(area.get_by_test_id("stTabs").get_by_test_id("stVegaLiteChart").first).to_be_visible()


def first_flow(
    browser, server, target: str = PEAK_TARGET, goal_mb: float = PEAK_GOAL_MB
) -> tuple[dict, dict]:
    """The peak row (``target`` under ``goal_mb``), and the training's run id, wall seconds
    from the click to the end, and the CPU seconds the server and the browser used meanwhile."""
    start = time.perf_counter()
    page = new_session(browser, server.url)
    server_cpu, browser_cpu = cpu_split(server.process.pid)
    clicked = time.perf_counter()
    start_demo(page)
    wait_trained(page)
    server_after, browser_after = cpu_split(server.process.pid)
    training = {
        "run_id": RunStore(server.store).list_runs(WORKSPACE)["run_id"].iloc[0],  # the newest
        "wall_s": time.perf_counter() - clicked,
        "server_cpu_s": server_after - server_cpu,
        "browser_cpu_s": browser_after - browser_cpu,
    }
    inspect_states(page)
    peak = status_mb(server.process.pid, "VmHWM")
    seconds = time.perf_counter() - start
    peak_row = row(
        target,
        f"{peak:.0f} MB (the flow took {seconds:.0f} s)",
        peak / goal_mb,
        f"< {goal_mb:.0f} MB (ratio < 1)",
        peak < goal_mb,
    )
    return peak_row, training


def in_app_against_alone(server, training: dict) -> dict:
    """The first flow's demo run against the same job trained alone."""
    run = RunStore(server.store).get_run(training["run_id"], WORKSPACE)
    settings = {
        "dataset": run.dataset,
        "window_spec": run.window_spec,
        "model_spec": run.model_spec,
        "train_config": run.train_config,
    }
    done = subprocess.run(
        [sys.executable, "-c", TRAIN_ALONE, json.dumps(settings)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the job alone failed: {done.stderr.strip().splitlines()[-1:]}")
    alone = json.loads(done.stdout.strip().splitlines()[-1])
    app_s, alone_s = run.timings["train_s"], alone["train_s"]
    cores = os.cpu_count()
    return row(
        IN_APP_TARGET,
        f"app {app_s:.1f}s, alone {alone_s:.1f}s; while the app trained ({training['wall_s']:.0f} s "
        f"from the click, {cores} cores) the server used {training['server_cpu_s']:.0f} CPU-s "
        f"and the browser {training['browser_cpu_s']:.0f} CPU-s",
        app_s / alone_s,
        "reported (app / alone)",
        None,
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


def none_measured(reason: str, jax: bool = True) -> list[dict]:
    """The four rows (the JAX row only with ``jax``), each "not measured" for ``reason``."""
    rows = [
        not_measured(PEAK_TARGET, reason, PEAK_GOAL),
        not_measured(SESSION_TARGET, reason, SESSION_GOAL),
        not_measured(IN_APP_TARGET, reason),
    ]
    return rows + [not_measured(JAX_PEAK_TARGET, reason, JAX_PEAK_GOAL)] if jax else rows


def measure(browser, server) -> list[dict]:
    """The three rows; a step that fails gives a "not measured" row instead of its figure."""
    try:
        peak_row, training = first_flow(browser, server)
    except Exception as error:  # noqa: BLE001 - the table says why, the run goes on
        # The JAX flow runs after this one, in its own app, and gives its own row.
        return none_measured(f"the browser flow failed: {why(error)}", jax=False)
    rows = [peak_row]
    try:
        rows.append(more_sessions(browser, server))
    except Exception as error:  # noqa: BLE001
        reason = f"the further sessions failed: {why(error)}"
        rows.append(not_measured(SESSION_TARGET, reason, SESSION_GOAL))
    try:
        rows.append(in_app_against_alone(server, training))
    except Exception as error:  # noqa: BLE001
        rows.append(not_measured(IN_APP_TARGET, why(error)))
    return rows


def main(quick: bool = False) -> list[dict]:
    """The same flow with or without ``quick``: it is one run already."""
    if not Path(CHROMIUM).exists():
        return none_measured(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # As the browser tests do (tests/ui/conftest.py): Playwright's default of 5 s is less than
    # a page that first runs TensorFlow (States) takes on 2 busy cores.
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    with tempfile.TemporaryDirectory() as store, sync_playwright() as playwright:
        try:
            server = StreamlitServer(Path(store))
        except RuntimeError as error:
            return none_measured(f"the app did not start: {why(error)}")
        browser = launch_chromium(playwright)
        try:
            rows = measure(browser, server)
        finally:
            server.stop()
        try:
            return rows + [jax_peak(browser, Path(store) / "jax")]
        finally:
            browser.close()


def jax_peak(browser, store: Path) -> dict:
    """The peak row of the same flow in a fresh app on Keras' JAX backend."""
    store.mkdir()
    try:
        server = StreamlitServer(store, {"KERAS_BACKEND": "jax"})
    except RuntimeError as error:
        return not_measured(JAX_PEAK_TARGET, f"the app did not start: {why(error)}", JAX_PEAK_GOAL)
    try:
        return first_flow(browser, server, JAX_PEAK_TARGET, JAX_PEAK_GOAL_MB)[0]
    except Exception as error:  # noqa: BLE001 - the table says why, the run goes on
        return not_measured(
            JAX_PEAK_TARGET, f"the browser flow failed: {why(error)}", JAX_PEAK_GOAL
        )
    finally:
        server.stop()


if __name__ == "__main__":
    run_cli(main)
