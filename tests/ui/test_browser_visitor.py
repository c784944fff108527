"""A visitor, in a real browser: runs that last (reload, new tab, a bookmarked link) and stay
private in hosted mode; an address that carries every setting; a link straight to Train.

One hosted server (``LSTM_LAB_HOSTED=1``) for the module; every visitor is a browser context
of their own (their own cookies), as two people on two machines are.
"""

from __future__ import annotations

import re

import pytest
from browser import (
    VIEWPORT,
    StreamlitServer,
    choose,
    expect_no_exception,
    main,
    open_page,
    screenshot,
    set_number,
    settle,
)
from playwright.sync_api import Page, expect
from test_browser_hosted import TINY, expect_finished, new_visitor, runs_listed

pytestmark = pytest.mark.browser

KEY = re.compile(r"/runs\?workspace=[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    app = StreamlitServer(tmp_path_factory.mktemp("visitor-store"), env={"LSTM_LAB_HOSTED": "1"})
    yield app
    app.stop()


@pytest.fixture
def visit(chromium, hosted):
    """``visit(path_and_query)``: a new visitor (a new browser context) on the hosted server."""
    pages = []

    def open_visitor(query: str = "") -> Page:
        pages.append(new_visitor(chromium, hosted, query))
        return pages[-1]

    yield open_visitor
    for page in pages:
        page.context.close()


def run_ids(page: Page) -> list[str]:
    return [run["run"] for run in runs_listed(page)]


def expect_no_runs(page: Page) -> None:
    area = open_page(page, "Runs")
    expect(area.get_by_text("No runs yet")).to_be_visible()


def test_a_visitors_run_lasts_and_stays_private(visit, hosted):
    page = visit(f"sample=airline&{TINY}&epochs=2")
    area = open_page(page, "Train")  # the link's data is loaded: Start is ready
    area.get_by_role("button", name="Start training").click()
    expect_finished(page, 2)
    (run_id,) = run_ids(page)

    page.reload()  # a new Streamlit session in the same browser
    expect(main(page).get_by_role("heading", name="Runs")).to_be_visible()
    settle(page)
    assert run_ids(page) == [run_id]
    tab = page.context.new_page()  # a second tab of the same browser
    tab.goto(f"{hosted.url}/runs")
    assert run_ids(tab) == [run_id]
    link = main(tab).get_by_test_id("stCode").inner_text().strip()
    assert KEY.search(link), link
    expect(main(tab).get_by_text(re.compile("kept for 30 days after your last training run")))
    screenshot(tab, "visitor_runs_after_reload")

    stranger = visit()
    expect_no_runs(stranger)
    stranger.goto(f"{hosted.url}/runs?run={run_id}")  # a guessed (or leaked) run id
    area = main(stranger)
    expect(area.get_by_text(f"There is no run '{run_id}' in this workspace")).to_be_visible()
    expect(area.get_by_text("No runs yet")).to_be_visible()
    expect_no_exception(stranger)

    elsewhere = visit(link.split("?", 1)[1])  # the bookmarked link, in another browser
    assert run_ids(elsewhere) == [run_id]
    assert "workspace=" not in elsewhere.url  # the key leaves the address bar at once
    elsewhere.reload()  # that browser keeps the workspace from now on
    settle(elsewhere)
    assert run_ids(elsewhere) == [run_id]
    expect_no_exception(elsewhere)


def test_the_address_carries_the_scaler_and_the_patience(chromium, visit):
    page = visit("sample=airline")
    area = open_page(page, "Data")
    choose(area, "Scaler (fitted on training rows)", "standard")
    area = open_page(page, "Train")
    set_number(area, "Early stopping: patience", 3)
    settle(page)
    expect(page).to_have_url(re.compile(r"scaler=standard.*patience=3"))
    address = page.url

    fresh = chromium.new_context(viewport=VIEWPORT).new_page()
    try:
        fresh.goto(address)
        area = main(fresh)
        expect(area.get_by_role("heading", name="Train")).to_be_visible()
        expect(area.get_by_role("spinbutton", name="Early stopping: patience")).to_have_value("3")
        expect(area.get_by_text(re.compile(r"Data: Airline passengers, x_train"))).to_be_visible()
        area = open_page(fresh, "Data")
        scaler = area.get_by_role("combobox", name="Scaler (fitted on training rows)")
        expect(scaler).to_have_value("standard")
        expect_no_exception(fresh)
        screenshot(fresh, "visitor_address_restored")
    finally:
        fresh.context.close()


def test_a_link_to_train_opens_with_its_data(visit, hosted):
    page = visit()
    page.goto(f"{hosted.url}/train?sample=sine&lookback=8")
    area = main(page)
    expect(area.get_by_text(re.compile(r"x_train \(\d+, 8, 3\)"))).to_be_visible()
    expect(area.get_by_text("No data yet")).to_have_count(0)
    expect(area.get_by_role("button", name="Start training")).to_be_enabled()
    expect_no_exception(page)
