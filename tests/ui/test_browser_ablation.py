"""The Ablation lab in a real browser at 1280x800: choose two cells, run a tiny ablation, read
the ranked table and its charts beside the shipped reference; then the same on the Data page's
windows, where each cell's test score stands beside the naive forecast's.

The screenshots under ``test-output/screenshots/`` are for a person to look at.
"""

from __future__ import annotations

import pytest
from browser import (
    TRAIN_TIMEOUT_MS,
    choose,
    dataframe_with,
    expect_chart_drawn,
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
CELLS = "Cells: Keras' LSTM and the variants"
# TensorFlow's import and two tiny trainings on 2 cores shared with other test runs.
ABLATION_TIMEOUT_MS = 4 * TRAIN_TIMEOUT_MS


def keep_lstm_and_nig(page: Page, area) -> None:
    picker = area.get_by_role("combobox", name=CELLS, exact=False)
    for _ in range(6):  # keep LSTM and NIG: Backspace drops the last cell chosen
        settle(page)
        picker.click()
        picker.press("Backspace")
    picker.press("Escape")  # close the list, which covers the buttons below it
    settle(page)
    chosen = area.get_by_test_id("stMultiSelect")
    expect(chosen.get_by_text("CIFG", exact=True)).to_have_count(0)
    expect(chosen.get_by_text("NIG", exact=True)).to_have_count(1)


def test_a_tiny_ablation_ranks_two_cells(page: Page):
    page.set_viewport_size(WINDOW)
    area = open_page(page, "Ablation lab")
    for label, value in (("Seeds (0, 1, ...)", 1), ("Timesteps", 6), ("Units", 3),
                         ("Epochs", 1), ("Training sequences", 32), ("Batch size", 16)):  # fmt: skip
        set_number(area, label, value)
    keep_lstm_and_nig(page, area)
    screenshot(page, "ablation_1_settings")
    area.get_by_role("button", name="Run the ablation").click()
    tables = dataframe_with(area, "median val loss")
    # the run's table comes first, above the shipped reference ablation's
    expect(tables).to_have_count(2, timeout=ABLATION_TIMEOUT_MS)
    table = tables.first
    settle(page)
    rows = grid_rows(table)
    header = rows[0]
    assert "rank" in header and "cell" in header, header
    ranked = {row[header.index("rank")]: row[header.index("cell")] for row in rows[1:]}
    assert sorted(ranked) == ["1", "2"] and sorted(ranked.values()) == ["LSTM", "NIG"]
    charts = area.get_by_test_id("stVegaLiteChart")
    expect_chart_drawn(charts.first)
    expect_no_exception(page)
    screenshot(page, "ablation_2_tiny_run")


def test_a_tiny_ablation_on_the_data_pages_windows_scores_beside_naive(page: Page):
    page.set_viewport_size(WINDOW)
    open_page(page, "Data")  # windows the default sample
    area = open_page(page, "Ablation lab")
    choose(area, "Task", "Your data (the Data page's windows)")
    expect(area.get_by_text("Every cell trains on the windows of", exact=False)).to_be_visible()
    for label, value in (("Seeds (0, 1, ...)", 2), ("Units", 3), ("Epochs", 1),
                         ("Batch size", 16)):  # fmt: skip
        set_number(area, label, value)
    keep_lstm_and_nig(page, area)
    area.get_by_role("button", name="Run the ablation").click()
    table = dataframe_with(area, "skill")
    expect(table).to_have_count(1, timeout=ABLATION_TIMEOUT_MS)
    settle(page)
    rows = grid_rows(table)
    header = rows[0]
    assert "solved (|error| < 0.04)" not in header, header
    assert any(name.startswith("naive RMSE of") for name in header), header
    cells = sorted(row[header.index("cell")] for row in rows[1:])
    assert cells == ["LSTM", "NIG"], rows
    skills = [row[header.index("skill")] for row in rows[1:]]
    assert all(skill.endswith("repeating the last value") for skill in skills), skills
    expect(area.get_by_text("Share solved does not apply", exact=False)).to_be_visible()
    expect_chart_drawn(area.get_by_test_id("stVegaLiteChart").first)
    expect_no_exception(page)
    screenshot(page, "ablation_3_your_windows")


def test_a_tiny_ablation_on_ray_ranks_two_cells_and_names_its_sweep(page: Page):
    page.set_viewport_size(WINDOW)
    area = open_page(page, "Ablation lab")
    for label, value in (("Seeds (0, 1, ...)", 2), ("Timesteps", 6), ("Units", 3),
                         ("Epochs", 1), ("Training sequences", 32), ("Batch size", 16)):  # fmt: skip
        set_number(area, label, value)
    keep_lstm_and_nig(page, area)
    area.get_by_text("Ray (parallel)", exact=True).click()
    settle(page)
    screenshot(page, "ablation_4_ray_settings")
    area.get_by_role("button", name="Run the ablation").click()
    # Ray's start, then two workers importing TensorFlow, on 2 cores shared with other runs.
    note = area.get_by_text("Ran on Ray as sweep", exact=False)
    expect(note).to_be_visible(timeout=5 * TRAIN_TIMEOUT_MS)
    settle(page)
    table = dataframe_with(area, "median val loss").first
    rows = grid_rows(table)
    header = rows[0]
    cells = sorted(row[header.index("cell")] for row in rows[1:])
    assert cells == ["LSTM", "NIG"], rows
    assert [row[header.index("rank")] for row in rows[1:]] == ["1", "2"], rows
    expect_chart_drawn(area.get_by_test_id("stVegaLiteChart").first)
    expect_no_exception(page)
    screenshot(page, "ablation_5_ray_result")
