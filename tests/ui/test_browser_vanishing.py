"""The Vanishing gradients page in a real browser at 1280x800: measure, then change a setting.

A tiny setting (20 steps, 4 units) keeps it short; the screenshots under
``test-output/screenshots/`` are for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from browser import (
    TRAIN_TIMEOUT_MS,
    expect_no_exception,
    open_page,
    screenshot,
    set_number,
    settle,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

WINDOW = {"width": 1280, "height": 800}
TIMESTEPS = "Timesteps (the delay to bridge)"
# TensorFlow's import, two models built and profiled: on 2 cores shared with other test runs
# this has taken over two minutes.
MEASURE_TIMEOUT_MS = 3 * TRAIN_TIMEOUT_MS


def test_untrained_profile_is_labelled_and_marked_old_after_a_change(page: Page):
    page.set_viewport_size(WINDOW)
    area = open_page(page, "Vanishing gradients")
    set_number(area, TIMESTEPS, 20)
    set_number(area, "Units", 4)
    area.get_by_role("button", name="Measure the untrained cells").click()
    charts = area.get_by_test_id("stVegaLiteChart")
    # The profile's chart, above the breaking-length chart that is always there.
    expect(charts).to_have_count(2, timeout=MEASURE_TIMEOUT_MS)
    chart = charts.first
    settle(page)
    # Vega draws its axis titles and legend as SVG text: the loss and the cells are named.
    loss = "time step t (loss: MSE of the sum, read after the last step)"
    expect(chart.get_by_text(loss)).to_be_visible()
    expect(chart.get_by_text("SimpleRNN", exact=True)).to_be_visible()
    expect(area.get_by_text("Old result")).to_have_count(0)
    expect_no_exception(page)
    screenshot(page, "vanishing_1_untrained")

    set_number(area, TIMESTEPS, 30)
    expect(area.get_by_text("Old result: it ran with timesteps 20 (now 30)")).to_be_visible()
    expect(chart).to_have_count(1)  # the old chart stays, marked as old
    expect_no_exception(page)
    screenshot(page, "vanishing_2_marked_old")


def test_the_breaking_length_chart_is_drawn_at_once(page: Page):
    from browser import SCREENSHOTS, expect_chart_drawn

    page.set_viewport_size(WINDOW)
    area = open_page(page, "Vanishing gradients")
    heading = area.get_by_role("heading", name=re.compile("3. The breaking length"))
    heading.scroll_into_view_if_needed()
    expect(
        area.get_by_text(re.compile(r"SimpleRNN solves .*; GRU solves .*; LSTM solves"))
    ).to_be_visible()
    chart = area.get_by_test_id("stVegaLiteChart").last
    expect_chart_drawn(chart)
    expect(chart.get_by_text("SimpleRNN", exact=True)).to_be_visible()
    expect(area.get_by_role("button", name="Reproduce this point")).to_be_enabled()
    expect_no_exception(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(SCREENSHOTS / "breaking_length_chart.png"), animations="disabled")
