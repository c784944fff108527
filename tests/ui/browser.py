"""Shared pieces of the real-browser tests: a Streamlit server on a free port, Chromium, and
helpers that read a Streamlit page the way a visitor sees it.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright; Playwright's own browser
downloads are never used. Screenshots go to ``test-output/screenshots/``.

Streamlit draws ``st.dataframe`` on a canvas (glide-data-grid) but keeps an accessible copy of
the visible cells as a ``role="grid"`` table, which ``grid_rows`` reads.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "test-output" / "screenshots"
VIEWPORT = {"width": 1400, "height": 900}
# Generous, because 2 shared cores may be busy: the first training run imports TensorFlow.
PAGE_TIMEOUT_MS = 60_000
TRAIN_TIMEOUT_MS = 120_000
CHOOSE_ATTEMPTS, CHOOSE_TIMEOUT_MS = 3, 15_000  # choose(): a list opened off-screen is reopened


def require_chromium() -> None:
    """Skip when Chromium is missing on a developer's machine; CI must have it."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run should have installed Debian's chromium")
    pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    """``streamlit run app.py`` in a child process, on a free loopback port.

    Args:
        store: the run store's folder (``LSTM_LAB_STORE``); the server's log goes there too.
        env: more environment variables for the server.
        as_readme: start it as the README does, with nothing but the repository's own
            ``.streamlit/config.toml`` (its file watcher setting included); only the port and
            the loopback address are given. Otherwise the test harness's settings also apply:
            headless, no usage statistics, no file watcher, whatever the config file says.
    """

    def __init__(self, store: Path, env: dict[str, str] | None = None, *, as_readme=False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.store = store
        self.log = store / "server.log"
        child_env = {**os.environ, "LSTM_LAB_STORE": str(store), **(env or {})}
        options = {"server.port": self.port, "server.address": "127.0.0.1"}
        if not as_readme:
            options.update(
                {
                    "server.headless": "true",
                    "browser.gatherUsageStats": "false",
                    "server.fileWatcherType": "none",
                }
            )
        self._output = self.log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py"]
            + [f"--{name}={value}" for name, value in options.items()],
            cwd=REPO,
            env=child_env,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_healthy(timeout=60)
        except RuntimeError:
            self.stop()  # no orphan server when it never answered
            raise

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log.read_text()}")
            health = f"{self.url}/_stcore/health"
            with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2) as reply:
                if reply.status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"streamlit did not answer in {timeout}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._output.close()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``test-output/screenshots/<name>.png``.

    Streamlit scrolls inside ``stMain`` rather than the document, so Playwright's
    ``full_page`` would stop at the viewport: the viewport is stretched to the content's
    height for the shot, then restored.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    viewport = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...['stMain', 'stSidebarContent'].map(id =>
            document.querySelector(`[data-testid="${id}"]`)?.scrollHeight ?? 0))"""
    )
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    try:
        page.screenshot(path=str(path), animations="disabled")
    finally:
        page.set_viewport_size(viewport)
    return path


def settle(page: Page) -> None:
    """Wait until the script run in progress, if any, has finished.

    A run started by an action may not have begun yet when this returns: wait first for
    something the action's run draws, then settle before the next action, so that widgets are
    not redrawn under the pointer.
    """
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=PAGE_TIMEOUT_MS
    )


def main(page: Page) -> Locator:
    """The page's main area, without the sidebar (which has widgets of its own)."""
    return page.get_by_test_id("stMain")


def open_page(page: Page, title: str) -> Locator:
    """Go to a page through the sidebar navigation, as a visitor does (the session is kept);
    wait for its title and return its main area.

    ``title`` is both the navigation entry and the page's ``st.title``, as on every page but
    Home (titled "LSTM Lab"), which the tests start on.
    """
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    area = main(page)
    expect(area.get_by_role("heading", name=title, exact=True)).to_be_visible(
        timeout=PAGE_TIMEOUT_MS
    )
    settle(page)
    return area


def expect_no_exception(page: Page) -> None:
    """No traceback anywhere on the page (Streamlit shows one as ``stException``)."""
    expect(page.get_by_test_id("stException")).to_have_count(0)


def expect_chart_drawn(chart: Locator) -> None:
    """A Vega-Lite chart that has drawn something (Vega renders to a canvas or an svg)."""
    drawing = chart.locator("canvas, svg").first
    expect(drawing).to_be_visible()
    # A live chart is redrawn every second, so the element measured may just have been
    # replaced (bounding_box() is then None): measure again, a bounded number of times.
    box = None
    for _ in range(20):
        box = drawing.bounding_box()
        if box is not None:
            break
        drawing.page.wait_for_timeout(250)
    assert box is not None and box["width"] > 100 and box["height"] > 100, box


def grid_rows(dataframe: Locator) -> list[list[str]]:
    """The text of the rows of an ``st.dataframe`` (header first), from its accessible grid.

    Only the rows the grid has drawn are there: keep the tables read this way short.
    """
    rows = dataframe.locator("[role=grid] [role=row]")
    expect(rows.first).to_be_attached(timeout=PAGE_TIMEOUT_MS)
    return [row.locator("th, td").all_text_contents() for row in rows.all()]


def grid_cell(dataframe: Locator, text: str) -> Locator:
    """The cells of an ``st.dataframe`` that read exactly ``text``.

    The grid sits inside the canvas, outside the accessibility tree, so it is found by CSS.
    """
    return dataframe.locator("[role=gridcell]").filter(has_text=re.compile(f"^{re.escape(text)}$"))


def dataframe_with(area: Locator, header: str) -> Locator:
    """The ``st.dataframe`` in ``area`` that has a column called ``header``."""
    heading = area.page.locator("[role=columnheader]").filter(
        has_text=re.compile(f"^{re.escape(header)}$")
    )
    return area.get_by_test_id("stDataFrame").filter(has=heading)


def markdown_table_with(area: Locator, header: str) -> Locator:
    """The Markdown table (an HTML ``table``) in ``area`` that has a column called ``header``."""
    heading = area.page.get_by_role("columnheader", name=header, exact=True)
    return area.get_by_role("table").filter(has=heading)


def table_records(table: Locator) -> list[dict[str, str]]:
    """The rows of an HTML table as ``{column: text}``, its header row first read for names."""
    expect(table).to_be_visible()
    header = table.locator("thead th").all_text_contents()
    rows = [row.locator("td").all_text_contents() for row in table.locator("tbody tr").all()]
    # Shapes keep to one line with no-break spaces; read them as plain spaces.
    return [dict(zip(header, [c.replace("\xa0", " ") for c in row], strict=True)) for row in rows]


def set_number(area: Locator, label: str | re.Pattern, value: float, nth: int = 0) -> None:
    """Type ``value`` into a ``st.number_input`` and commit it (Streamlit commits on Enter)."""
    settle(area.page)
    box = area.get_by_role("spinbutton", name=label).nth(nth)
    box.fill(str(value))
    box.press("Enter")
    expect(box).to_have_value(str(value))


def switch_on(area: Locator, label: str, nth: int = 0) -> None:
    """Turn a ``st.toggle`` on: its switch is a visually hidden input, so click its label."""
    settle(area.page)
    switch = area.get_by_role("switch", name=label, exact=True).nth(nth)
    if not switch.is_checked():
        inside = area.page.get_by_role("switch", name=label, exact=True)
        area.locator("label").filter(has=inside).nth(nth).click()
    expect(switch).to_be_checked()


def choose(area: Locator, label: str, option: str) -> None:
    """Pick ``option`` in a ``st.selectbox`` or add it to a ``st.multiselect``.

    The list is opened from the keyboard: a click on the box only focuses it. A list opened
    while the page was still laying itself out can sit outside the window (seen once in a full
    run: "element is outside of the viewport" for a minute); it is then closed and opened again.
    """
    for attempt in range(CHOOSE_ATTEMPTS):
        settle(area.page)
        box = area.get_by_role("combobox", name=label, exact=True)
        box.click()
        box.press("ArrowDown")
        item = area.page.get_by_role("option", name=option, exact=True)
        try:
            item.click(timeout=CHOOSE_TIMEOUT_MS)
            return
        except PlaywrightTimeoutError:
            if attempt == CHOOSE_ATTEMPTS - 1:
                raise
            box.press("Escape")
