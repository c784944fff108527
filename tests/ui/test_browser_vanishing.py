"""The Vanishing gradients page in a real browser at 1280x800: measure, compare, change a setting.

A tiny comparison (20 steps, 4 units, 1 epoch) keeps it short; the screenshots under
``test-output/screenshots/`` are for a person to look at.
"""

from __future__ import annotations

import pytest
from browser import (
    TRAIN_TIMEOUT_MS,
    dataframe_with,
    expect_no_exception,
    grid_rows,
    open_page,
    screenshot,
    set_number,
    settle,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

WINDOW = {"width": 1280, "height": 800}
SOLVED = "solved (|error| < 0.04)"


def test_comparison_shows_its_table_and_marks_itself_old_after_a_change(page: Page):
    page.set_viewport_size(WINDOW)
    area = open_page(page, "Vanishing gradients")
    for label, value in [
        ("Timesteps (the delay to bridge)", 20),
        ("Units", 4),
        ("Epochs", 1),
        ("Training sequences", 200),
    ]:
        set_number(area, label, value)
    area.get_by_role("button", name="Measure the untrained cells").click()
    expect(area.get_by_test_id("stVegaLiteChart")).to_have_count(1, timeout=TRAIN_TIMEOUT_MS)
    settle(page)
    area.get_by_role("button", name="Run the comparison").click()
    table = dataframe_with(area, SOLVED)
    expect(table).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    settle(page)
    header, *rows = grid_rows(table)
    assert [row[0] for row in rows] == ["SimpleRNN", "LSTM"]
    assert all(row[header.index(SOLVED)].endswith("%") for row in rows)
    expect(area.get_by_test_id("stVegaLiteChart")).to_have_count(3)  # untrained, curves, trained
    expect(area.get_by_text("Old result")).to_have_count(0)
    expect_no_exception(page)
    screenshot(page, "vanishing_1_finished")

    set_number(area, "Timesteps (the delay to bridge)", 30)
    expect(area.get_by_text("Old result: it ran with timesteps 20 (now 30)")).to_have_count(2)
    expect_no_exception(page)
    screenshot(page, "vanishing_2_old_results_marked")
