"""The dashboard in a real browser: upload, configure, train, inspect, stop.

Each test opens its own browser session (its own Streamlit session state) on one app server,
and clicks through the pages as a visitor does. Data and models are tiny (120 rows, 4-6 units,
2 epochs): the module takes about 1.5 minutes on 2 busy cores, most of it TensorFlow's import
and the first training run. Every page is saved under ``test-output/screenshots/`` for a
person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import (
    TRAIN_TIMEOUT_MS,
    choose,
    dataframe_with,
    expect_chart_drawn,
    expect_no_exception,
    grid_cell,
    grid_rows,
    main,
    markdown_table_with,
    open_page,
    screenshot,
    set_number,
    settle,
    switch_on,
    table_records,
)
from playwright.sync_api import Locator, Page, expect

from lstm_core.data import WindowSpec, load_csv, make_windows
from lstm_core.runs import RunStore

pytestmark = pytest.mark.browser

UPLOAD = Path(__file__).parent / "fixtures" / "daily_load.csv"  # date, load, temperature
LOOKBACK = 8
SHAPES_HEADER = "x: (samples, timesteps, features)"


def records(dataframe: Locator) -> list[dict[str, str]]:
    """The rows of an ``st.dataframe`` as ``{column: text}``."""
    header, *rows = grid_rows(dataframe)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_home_renders(page: Page):
    area = main(page)
    expect(area.get_by_role("heading", name="LSTM Lab", exact=True)).to_be_visible()
    expect(area.get_by_test_id("stGraphVizChart").locator("svg")).to_be_visible()
    expect(area.get_by_role("button", name="Run the demo")).to_be_enabled()
    expect_no_exception(page)
    screenshot(page, "1_home")


def upload_and_window(page: Page) -> None:
    """Data page: upload the CSV, predict ``load``, a lookback of 8; the shapes follow."""
    area = open_page(page, "Data")
    area.get_by_text("My CSV file", exact=True).click()
    area.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(UPLOAD)
    expect(area.get_by_text("daily_load.csv: 120 rows x 3 columns.")).to_be_visible()

    # The first guess predicts the last column; predict load instead.
    choose(area, "Targets: the columns to predict", "load")
    page.keyboard.press("Escape")  # close the multiselect's list
    targets = area.get_by_test_id("stMultiSelect").filter(has_text="Targets")
    targets.get_by_role("button", name="Remove temperature").click()
    expect(targets.get_by_role("button", name=re.compile("^Remove"))).to_have_count(1)
    set_number(area, "Lookback", LOOKBACK)

    spec = WindowSpec(features=("load", "temperature"), targets=("load",), lookback=LOOKBACK)
    windows = make_windows(load_csv(UPLOAD.read_bytes()), spec)  # the engine is the reference
    shapes = dataframe_with(area, SHAPES_HEADER)
    train_shape = str(windows.x_train.shape)  # (samples, 8, 2)
    expect(grid_cell(shapes, train_shape)).to_be_attached()
    assert records(shapes) == [
        {
            "split": split,
            SHAPES_HEADER: str(getattr(windows, f"x_{split}").shape),
            "y": str(getattr(windows, f"y_{split}").shape),
        }
        for split in ("train", "val", "test")
    ]
    expect(area.get_by_test_id("stVegaLiteChart")).to_be_visible()  # the series plot
    settle(page)
    expect(targets.locator("[data-tag]")).to_have_text(["load"])  # what the server kept
    expect_no_exception(page)
    screenshot(page, "2_data")


def configure_model(page: Page) -> None:
    """Model page: two stacked LSTMs of 6 and 4 units, the first with return_sequences and
    return_state; the table shows what each returns, with every shape."""
    area = open_page(page, "Model")
    expect(area.get_by_text(f"Input: (batch, {LOOKBACK}, 2)")).to_be_visible()
    kinds = area.get_by_role("combobox", name="Kind")
    expect(kinds).to_have_count(2)
    for position, units in enumerate((6, 4)):
        expect(kinds.nth(position)).to_have_value("LSTM")
        set_number(area, "Units (size of h and c)", units, nth=position)
    switch_on(area, "return_sequences")
    switch_on(area, "return_state")
    expect(area.get_by_text("lstm:6:seq:state,lstm:4", exact=True)).to_be_visible()

    table = markdown_table_with(area, "Keras name")
    expect(table.get_by_role("cell", name="[2] c", exact=True)).to_be_visible()
    rows = table_records(table)
    # layer_1 returns [output, h, c]: every step's h because of return_sequences, then the
    # final h and c because of return_state; layer_2 reads that output and returns its last h.
    assert [(row["layer"], row["returns"], row["shape"]) for row in rows] == [
        ("layer_1 (LSTM, 6 units)", "[0] output", f"(batch, {LOOKBACK}, 6)"),
        ("", "[1] h", "(batch, 6)"),
        ("", "[2] c", "(batch, 6)"),
        ("layer_2 (LSTM, 4 units)", "[0] output", "(batch, 4)"),
    ]
    assert rows[0]["input"] == f"(batch, {LOOKBACK}, 2)"
    assert rows[3]["input"] == f"(batch, {LOOKBACK}, 6)"
    expect_no_exception(page)
    screenshot(page, "3_model")


def train_two_epochs(page: Page) -> None:
    """Train page: 2 epochs run in the background; the bar reaches the end, the loss is drawn,
    and the test score stands beside its yardsticks."""
    area = open_page(page, "Train")
    set_number(area, "Epochs", 2)
    set_number(area, "Batch size", 32)
    area.get_by_role("button", name="Start training").click()
    progress = area.get_by_test_id("stProgress")
    expect(progress).to_contain_text("Finished · epoch 2/2", timeout=TRAIN_TIMEOUT_MS)
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect_chart_drawn(area.get_by_test_id("stVegaLiteChart").first)
    expect(area.get_by_role("heading", name="Test set")).to_be_visible()
    yardsticks = dataframe_with(area, "RMSE")
    expect(grid_cell(yardsticks, "this model")).to_be_attached()
    expect(grid_cell(yardsticks, "naive: the last value, repeated")).to_be_attached()
    expect(area.get_by_role("button", name="Download the model (.keras)")).to_be_visible()
    expect_no_exception(page)
    screenshot(page, "4_train")


def inspect_states(page: Page) -> None:
    """States page: a chosen sample and layer of the trained model, the whole sample on one
    time axis, what each layer returned and its final states."""
    area = open_page(page, "States")
    set_number(area, re.compile(r"^Sample \(0 to \d+\)"), 3)
    area.get_by_role("tab", name="The whole sample").click()
    returned = markdown_table_with(area, "tensor")
    expect(returned.get_by_role("cell", name="c", exact=True)).to_be_visible()
    # One sample is a batch of one: layer_1 returned [output, h, c] for it.
    assert [(row["tensor"], row["shape"]) for row in table_records(returned)] == [
        ("output", f"(1, {LOOKBACK}, 6)"),
        ("h", "(1, 6)"),
        ("c", "(1, 6)"),
    ]
    expect_chart_drawn(area.get_by_test_id("stTabs").get_by_test_id("stVegaLiteChart").first)
    choose(area, "Layer", "layer_2 (LSTM, 4 units)")
    expect(returned.get_by_role("row")).to_have_count(2)  # the header and layer_2's output
    assert [row["tensor"] for row in table_records(returned)] == ["output"]
    final = dataframe_with(area, "c_T")
    # One row per unit of layer_2, and the header (the grid redraws a moment after the rest).
    expect(final.locator("[role=grid] [role=row]")).to_have_count(5)
    assert len(records(final)) == 4
    expect_no_exception(page)
    screenshot(page, "5_states")


def test_upload_configure_train_and_inspect(page: Page):
    upload_and_window(page)
    configure_model(page)
    train_two_epochs(page)
    inspect_states(page)


def test_stop_keeps_the_history(page: Page, server):
    """Stop a long run once it has a loss curve: it ends as "stopped", history kept."""
    area = open_page(page, "Data")  # windows the default sample
    expect(dataframe_with(area, SHAPES_HEADER)).to_be_visible()
    area = open_page(page, "Train")
    epochs = 300
    set_number(area, "Epochs", epochs)
    area.get_by_role("button", name="Start training").click()
    progress = area.get_by_test_id("stProgress")
    expect(progress).to_contain_text("Training", timeout=TRAIN_TIMEOUT_MS)
    # The loss chart appears with the first finished epoch.
    expect(area.get_by_test_id("stVegaLiteChart")).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    area.get_by_role("button", name="Stop training").click()
    expect(progress).to_contain_text("Stopped: the weights and history so far are kept")
    done = int(re.search(r"epoch (\d+)/", progress.inner_text()).group(1))
    assert 1 <= done < epochs
    expect_chart_drawn(area.get_by_test_id("stVegaLiteChart").first)
    expect(area.get_by_role("button", name="Start training")).to_be_enabled()
    expect_no_exception(page)
    screenshot(page, "6_train_stopped")

    # The run store kept the stopped run and its epochs.
    stored = RunStore(server.store).list_runs("local")
    stopped = stored[stored["status"] == "stopped"]
    assert len(stopped) == 1 and 1 <= stopped["epochs"].iloc[0] < epochs, stored

    area = open_page(page, "Runs")
    runs = dataframe_with(area, "status")
    expect(grid_cell(runs, "stopped")).to_be_attached()
    expect_chart_drawn(area.get_by_test_id("stVegaLiteChart").first)
    expect_no_exception(page)
    screenshot(page, "7_runs")


def test_vanishing_gradients_page_measures_the_untrained_cells(page: Page):
    area = open_page(page, "Vanishing gradients")
    set_number(area, "Timesteps (the delay to bridge)", 20)
    set_number(area, "Units", 4)
    area.get_by_role("button", name="Measure the untrained cells").click()
    expect_chart_drawn(area.get_by_test_id("stVegaLiteChart").first)
    expect_no_exception(page)
    screenshot(page, "8_vanishing_gradients")
