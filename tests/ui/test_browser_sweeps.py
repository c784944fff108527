"""The Sweeps page in a real browser: axes over a tiny Vanishing-page experiment, a sweep on a
local Ray to its aggregate, and its trials grouped under the sweep on the Runs page.

Screenshots under ``test-output/screenshots/`` are for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from browser import (
    TRAIN_TIMEOUT_MS,
    dataframe_with,
    expect_chart_drawn,
    expect_no_exception,
    grid_cell,
    open_page,
    screenshot,
    set_number,
    settle,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Ray's start, then two workers importing TensorFlow, on 2 cores shared with other runs.
SWEEP_TIMEOUT_MS = 5 * TRAIN_TIMEOUT_MS


def set_text(area, label: str, value: str) -> None:
    """Type into a ``st.text_input`` and commit it (Enter)."""
    settle(area.page)
    box = area.get_by_role("textbox", name=label, exact=True)
    box.fill(value)
    box.press("Enter")
    expect(box).to_have_value(value)


def test_a_sweep_runs_to_its_aggregate_and_its_trials_are_grouped_on_runs(page: Page):
    area = open_page(page, "Vanishing gradients")
    for label, value in (
        ("Timesteps (the delay to bridge)", 8),
        ("Units", 4),
        ("Epochs", 1),
        ("Training sequences", 32),
        ("Batch size", 16),
    ):
        set_number(area, label, value)

    area = open_page(page, "Sweeps")
    expect(
        area.get_by_text(re.compile(r"8 steps, 4 units, 1 epochs, 32 sequences"))
    ).to_be_visible()
    set_text(area, "Timesteps (comma-separated)", "6, 8")
    set_text(area, "Seeds", "0")
    expect(area.get_by_text("4 trials.", exact=True)).to_be_visible()
    screenshot(page, "sweeps_1_axes")
    area.get_by_role("button", name="Run the sweep").click()

    expect(area.get_by_role("heading", name="Aggregate")).to_be_visible(timeout=SWEEP_TIMEOUT_MS)
    settle(page)
    expect_no_exception(page)
    expect_chart_drawn(area.get_by_test_id("stVegaLiteChart").first)
    trials = dataframe_with(area, "status")
    expect(grid_cell(trials, "finished")).to_have_count(4)
    screenshot(page, "sweeps_2_aggregate")

    area = open_page(page, "Runs")
    group = re.compile(r"Sweep [0-9a-f]{12} · adding problem \(4 runs\)")
    expect(area.get_by_role("combobox", name="Dataset and windowing")).to_have_value(group)
    expect(
        area.get_by_text(re.compile(r"^Trial kind=\w+,timesteps=\d,seed=0 of sweep"))
    ).to_be_visible()
    expect_no_exception(page)
    screenshot(page, "sweeps_3_runs_grouped")

    area = open_page(page, "States")  # the newest stored run with a model: a trial
    settle(page)
    trial = re.compile(r"sweep [0-9a-f]{12}: kind=(rnn|lstm),timesteps=\d,seed=0$")
    expect(area.get_by_role("combobox", name="Model", exact=True)).to_have_value(trial)
    expect(area.get_by_text(re.compile(r"^This sample's prediction: sum"))).to_be_visible()
    expect_no_exception(page)
    screenshot(page, "sweeps_3b_task_trial_on_states")


def test_a_bad_axis_shows_its_message_and_run_stays_off(page: Page):
    area = open_page(page, "Sweeps")
    set_text(area, "Units", "4, zero")
    expect(
        area.get_by_text(re.compile(r"Units must be int values separated by commas"))
    ).to_be_visible()
    expect(area.get_by_role("button", name="Run the sweep")).to_be_disabled()
    expect_no_exception(page)


def test_a_sweep_of_the_current_experiment_keeps_trials_that_open_on_states(page: Page):
    area = open_page(page, "Data")  # windows the default sample
    area = open_page(page, "Train")
    set_number(area, "Epochs", 1)
    set_number(area, "Batch size", 32)

    area = open_page(page, "Sweeps")
    area.get_by_text("The current experiment (Data, Model and Train pages)").click()
    expect(
        area.get_by_text(re.compile(r"^Base experiment \(the Data, Model and Train pages"))
    ).to_be_visible()
    set_text(area, "Units (every layer)", "4")
    set_text(area, "Seeds", "0")
    expect(area.get_by_text("2 trials.", exact=True)).to_be_visible()
    screenshot(page, "sweeps_4_experiment_axes")
    area.get_by_role("button", name="Run the sweep").click()

    expect(area.get_by_role("heading", name="Aggregate")).to_be_visible(timeout=SWEEP_TIMEOUT_MS)
    settle(page)
    expect_no_exception(page)
    trials = dataframe_with(area, "status")
    expect(grid_cell(trials, "finished")).to_have_count(2)
    screenshot(page, "sweeps_5_experiment_aggregate")

    area = open_page(page, "States")  # the newest stored run with a model: a trial
    settle(page)
    trial = re.compile(r"sweep [0-9a-f]{12}: kind=(rnn|lstm),units=4,seed=0$")
    expect(area.get_by_role("combobox", name="Model", exact=True)).to_have_value(trial)
    expect_no_exception(page)
    expect(area.get_by_role("combobox", name="Layer", exact=True)).to_have_value(
        re.compile(r"^layer_1 \((SimpleRNN|LSTM), 4 units\)$")
    )
    screenshot(page, "sweeps_6_trial_on_states")
