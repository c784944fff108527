"""The app set up as the README says, in a real browser: an idle server rests, and the demo
never blanks the page.

Each test starts a fresh server the README's way (``StreamlitServer(as_readme=True)``: nothing
but the repository's own ``.streamlit/config.toml``, its file watcher setting included) with a
large folder inside the project folder, as the README's ``.venv`` is (in CI that ``.venv`` is
there as well; on a developer's machine it may be a link, which a watcher does not follow).
Streamlit's default file watcher follows every folder under the project recursively: with such
a folder it overflowed the kernel's inotify queue, kept an idle server at 60-100 % of a core,
and slowed the demo's page switch enough for a stale rerun to blank the Train page.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from browser import (
    PAGE_TIMEOUT_MS,
    REPO,
    StreamlitServer,
    expect_chart_drawn,
    expect_no_exception,
    main,
    screenshot,
    settle,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Inside the project folder and git-ignored (test-output/); removed after the module.
LARGE_FOLDER = REPO / "test-output" / "large-folder"
FOLDERS, FILES_PER_FOLDER = 8000, 5  # about the size of the README's .venv (8,600 folders)
TALL = {"width": 1400, "height": 1266}  # the window the demo blanked in
IDLE_S = 20
IDLE_CPU_MAX = 0.10  # of one core
DEMO_TIMEOUT_S = 600  # 20 epochs, TensorFlow's import included: 35 s on 2 idle cores
POLL_S = 0.2


@pytest.fixture(scope="module")
def large_folder():
    """Thousands of folders and files inside the project folder, as a ``.venv`` there is."""
    for index in range(FOLDERS):
        folder = LARGE_FOLDER / f"package_{index // 100}" / f"module_{index}"
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(FILES_PER_FOLDER):
            (folder / f"part_{number}.py").write_text("VALUE = 1\n")
    yield LARGE_FOLDER
    shutil.rmtree(LARGE_FOLDER, ignore_errors=True)


@pytest.fixture
def readme_server(tmp_path, large_folder):
    """A fresh server started as the README does, with the large folder in place."""
    server = StreamlitServer(tmp_path, as_readme=True)
    yield server
    server.stop()


@pytest.fixture
def tall_page(chromium, readme_server):
    """Home in a 1400x1266 window on the README-way server; console errors are collected in
    ``page.console_errors``."""
    context = chromium.new_context(viewport=TALL)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else 0)
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.goto(readme_server.url)
    expect(main(page).get_by_role("button", name="Run the demo")).to_be_enabled()
    settle(page)
    yield page
    context.close()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process ``pid`` has used, from ``/proc/<pid>/stat``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main_now(page) -> tuple[str, int]:
    """The main area's text, and how many charts it holds, now (without waiting)."""
    return page.evaluate(
        """() => {
            const area = document.querySelector('[data-testid=stMain]');
            return [area?.innerText.trim() ?? '',
                    area?.querySelectorAll('[data-testid=stVegaLiteChart]').length ?? 0];
        }"""
    )


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_an_idle_server_rests(tall_page, readme_server):
    """With Home open and nothing to do, the server uses under 10 % of a core over 20 s."""
    screenshot(tall_page, "setup-home-1400x1266")
    pid = readme_server.process.pid
    before, start = cpu_seconds(pid), time.monotonic()
    time.sleep(IDLE_S)
    share = (cpu_seconds(pid) - before) / (time.monotonic() - start)
    log = readme_server.log.read_text(errors="replace")
    assert share < IDLE_CPU_MAX, f"the idle server used {share:.0%} of a core:\n{log[-2000:]}"
    assert "Inotify" not in log
    assert not tall_page.console_errors


@pytest.mark.parametrize("scrolled", [False, True], ids=["home-at-top", "home-scrolled"])
def test_the_demo_trains_on_a_page_that_never_blanks(tall_page, scrolled):
    """Click "Run the demo" in a tall window: the Train page shows, stays drawn at every poll
    while it trains, draws the loss chart and ends with the test results and their verdict; no
    console error."""
    page = tall_page
    area = main(page)
    button = area.get_by_role("button", name="Run the demo")
    if scrolled:
        area.evaluate("element => element.scrollTo(0, element.scrollHeight)")
        expect(button).to_be_in_viewport()
    button.click()
    expect(area.get_by_role("heading", name="Train", exact=True)).to_be_visible()
    blank_at, chart_seen, finished = [], False, False
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < DEMO_TIMEOUT_S:
        text, charts = main_now(page)
        if not text.startswith("Train"):
            if not blank_at:
                screenshot(page, f"setup-demo-blank-{'scrolled' if scrolled else 'top'}")
            blank_at.append(f"{elapsed:.1f} s: {text[:60]!r}")
        chart_seen = chart_seen or charts > 0
        if "Test set" in text:
            finished = True
            break
        time.sleep(POLL_S)
    assert not blank_at, f"the Train page was blank or gone at {blank_at}"
    assert finished, f"the demo did not finish in {DEMO_TIMEOUT_S} s; the page: {text[:300]!r}"
    assert chart_seen, "no loss chart while the demo trained"
    expect(area.get_by_test_id("stProgress")).to_contain_text("Finished · epoch 20/20")
    expect(area.get_by_role("heading", name="Test set")).to_be_visible()
    # The verdict: the score beside its yardsticks, in one sentence.
    verdict = re.compile(r"Test RMSE [\d.]+: .*(better than|worse than|as good as) ")
    expect(area.get_by_test_id("stAlert").filter(has_text=verdict)).to_be_visible()
    expect_chart_drawn(area.get_by_test_id("stVegaLiteChart").first)  # the loss per epoch
    expect_no_exception(page)
    screenshot(page, f"setup-demo-finished-{'scrolled' if scrolled else 'top'}")
    assert not page.console_errors


def test_the_home_diagram_reads_at_100_percent(tall_page):
    """Every label of the cell diagram is drawn at 12 px or more (Streamlit shrank them to 8)."""
    chart = main(tall_page).get_by_test_id("stGraphVizChart")
    expect(chart.locator("svg text").first).to_be_visible()
    sizes = chart.evaluate(
        """chart => {
            const svg = chart.querySelector('svg');
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')].map(text =>
                [text.textContent, parseFloat(getComputedStyle(text).fontSize) * scale]);
        }"""
    )
    assert len(sizes) >= 15
    assert all(size >= 12 for _, size in sizes), sizes
