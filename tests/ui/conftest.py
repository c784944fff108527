"""Fixtures of the real-browser tests: one Chromium per test session, one app server per module.

The browser tests are marked ``browser`` (``pytest -m "not browser"`` leaves them out) and are
skipped on a machine without Debian's Chromium, except in CI where that fails.
"""

from __future__ import annotations

import pytest
from browser import (
    PAGE_TIMEOUT_MS,
    VIEWPORT,
    StreamlitServer,
    launch_chromium,
    require_chromium,
)
from playwright.sync_api import expect, sync_playwright


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, driven by Playwright's sync API, shared by every browser test."""
    require_chromium()
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``streamlit run app.py`` with a run store of its own, for the tests of one module."""
    app = StreamlitServer(tmp_path_factory.mktemp("store"))
    yield app
    app.stop()


@pytest.fixture
def page(chromium, server):
    """A new browser session (its own Streamlit session state) on the app's Home page."""
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    tab = context.new_page()
    tab.goto(server.url)
    yield tab
    context.close()


def pytest_collection_modifyitems(items):
    """Every test here runs the app (AppTest or a browser), so all are slow, left out of the
    quick suite, but those marked ``quick``: every page opened once, fresh and trained."""
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.path).startswith(here) and not item.get_closest_marker("quick"):
            item.add_marker(pytest.mark.slow)
