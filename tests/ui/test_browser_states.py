"""The States page in a real browser, as a learner meets it: train the demo, then watch the cell.

Clicks "Run the demo" on Home, stops it after its first epoch (the weights so far are kept), opens
States and plays ten steps of the cell at the fast speed, then opens the other views. The window is 1280x800, a laptop's; every
view is saved under ``test-output/screenshots/`` for a person to look at. About a minute on 2
cores, most of it the demo's first epoch.
"""

from __future__ import annotations

import re

import pytest
from browser import (
    TRAIN_TIMEOUT_MS,
    choose,
    dataframe_with,
    expect_no_exception,
    main,
    open_page,
    screenshot,
    settle,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
DEMO_TIMEOUT_MS = 5 * TRAIN_TIMEOUT_MS  # the demo's first epoch on 2 busy cores


def shown_step(area) -> int:
    text = area.get_by_text(re.compile(r"^Step \d+ of 30")).inner_text()
    return int(re.search(r"Step (\d+) of", text).group(1))


def test_train_the_demo_and_play_ten_steps_of_the_cell(page: Page):
    page.set_viewport_size(LAPTOP)
    area = main(page)
    area.get_by_role("button", name="Run the demo").click()
    progress = area.get_by_test_id("stProgress")
    # One epoch is enough to look inside; a busy machine needs minutes for all twenty.
    loss = area.get_by_test_id("stVegaLiteChart")  # drawn when the first epoch ends
    expect(loss.first).to_be_visible(timeout=DEMO_TIMEOUT_MS)
    area.get_by_role("button", name="Stop training").click()
    expect(progress).to_contain_text("Stopped", timeout=DEMO_TIMEOUT_MS)
    expect(area.get_by_role("heading", name="Inside the model")).to_be_visible()
    expect(dataframe_with(area, "memory (steps)")).to_be_visible()
    expect_no_exception(page)
    screenshot(page, "states_1_train_diagnosis")

    area = open_page(page, "States")
    expect(area.get_by_role("tab", name="Step through the cell")).to_have_attribute(
        "aria-selected", "true"
    )
    expect(area.get_by_text("Step 1 of 30", exact=False)).to_be_visible()
    expect(area.get_by_text("Its three inputs")).to_be_visible()
    diagram = area.get_by_test_id("stGraphVizChart").locator("svg")
    expect(diagram).to_be_visible()
    expect(diagram.locator('[fill="#f5b041"]').first).to_be_attached()  # step t
    screenshot(page, "states_2_step_1")

    choose(area, "Speed", "fast")
    settle(page)
    area.get_by_role("button", name="Play").click()
    expect(area.get_by_role("button", name="Pause")).to_be_visible()
    # Ten steps, one fragment run each, while the rest of the page stays as it is.
    # At 4 steps a second a step may be drawn between two looks: any step from 11 on.
    expect(area.get_by_text(re.compile(r"^Step (1[1-9]|2\d|30) of 30"))).to_be_visible(
        timeout=30_000
    )
    screenshot(page, "states_3_playing")
    area.get_by_role("button", name="Pause").click()
    expect(area.get_by_role("button", name="Play")).to_be_visible()
    settle(page)
    paused = shown_step(area)
    assert 11 <= paused <= 30, paused
    page.wait_for_timeout(1500)
    assert shown_step(area) == paused  # paused means paused
    code = area.get_by_test_id("stCode").first.inner_text()
    assert re.search(r"c_t\[0\] = f × c_t-1 \+ i × g = ", code), code
    expect_no_exception(page)
    screenshot(page, "states_4_paused")

    area.get_by_role("button", name="Next").click()
    expect(area.get_by_text(re.compile(rf"^Step {paused + 1} of 30"))).to_be_visible()

    for tab, name in (
        ("The whole sample", "states_5_whole_sample"),
        ("Which unit does what", "states_6_units"),
        ("Diagnosis", "states_7_diagnosis"),
    ):
        area.get_by_role("tab", name=tab).click()
        settle(page)
        expect(area.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        expect(
            area.get_by_test_id("stVegaLiteChart")
            .or_(area.get_by_test_id("stDataFrame"))
            .filter(visible=True)
            .first
        ).to_be_visible()
        expect_no_exception(page)
        screenshot(page, name)
    expect(area.get_by_text(re.compile("predictions vary"))).to_be_visible()

    area = open_page(page, "Runs")
    expect(dataframe_with(area, "status")).to_be_visible()  # the demo's run, kept
    screenshot(page, "states_8_runs")
