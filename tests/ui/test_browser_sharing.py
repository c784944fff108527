"""Shared settings in a real browser: a file imported from the sidebar while on the Data page
and on the Train page, whose widgets the import sets, and the sidebar's export.

Nothing trains. The screenshots under ``test-output/screenshots/`` are for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import (
    dataframe_with,
    expect_no_exception,
    grid_cell,
    open_page,
    screenshot,
    set_number,
    settle,
)
from playwright.sync_api import Locator, Page, expect

from lstm_core.data import WindowSpec, make_windows
from lstm_core.experiment_io import Experiment, export_experiment, import_experiment
from lstm_core.model import ModelSpec, parse_layers
from lstm_core.samples import SAMPLES, load_sample
from lstm_core.train import TrainConfig

pytestmark = pytest.mark.browser

SHARED = Experiment(
    data={"sample": "sine"},
    window=WindowSpec(features=("driver", "response"), targets=("response",), lookback=7),
    model=ModelSpec(layers=parse_layers("gru:12:seq,rnn:6")),
    train=TrainConfig(epochs=4, batch_size=8, learning_rate=0.002, patience=3),
)
SHAPES_HEADER = "x: (samples, timesteps, features)"


def import_settings(page: Page, file: Path) -> Locator:
    """Import ``file`` from the sidebar's "Share settings"; return the sidebar."""
    sidebar = page.get_by_test_id("stSidebar")
    share = sidebar.get_by_test_id("stExpander").filter(has_text="Share settings")
    if not share.get_by_text("Import settings (JSON)").is_visible():
        share.get_by_text("Share settings", exact=True).click()
    share.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(file)
    expect(sidebar.get_by_text("Settings imported.", exact=True)).to_be_visible()
    settle(page)
    return sidebar


def expect_no_error(page: Page) -> None:
    """No traceback and no error box ("Something went wrong ...") anywhere on the page."""
    expect_no_exception(page)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)


def expect_training_settings(area: Locator, train: TrainConfig) -> None:
    for label, value in (
        ("Epochs", str(train.epochs)),
        ("Batch size", str(train.batch_size)),
        ("Learning rate", f"{train.learning_rate:.5f}"),
        ("Early stopping: patience", str(train.patience)),
    ):
        expect(area.get_by_role("spinbutton", name=label)).to_have_value(value)


def test_settings_imported_on_the_data_and_train_pages_show(page: Page, tmp_path: Path):
    shared = tmp_path / "shared.json"
    shared.write_text(export_experiment(SHARED))
    windows = make_windows(load_sample("sine"), SHARED.window)  # the engine is the reference
    x_train = str(windows.x_train.shape)  # (samples, 7, 2)

    area = open_page(page, "Data")  # airline, the first sample, with its widgets drawn
    sidebar = import_settings(page, shared)
    expect(area.get_by_role("combobox", name="Sample")).to_have_value(SAMPLES["sine"].title)
    expect(area.get_by_role("spinbutton", name="Lookback")).to_have_value("7")
    for label, chosen in (("Features", ["driver", "response"]), ("Targets", ["response"])):
        box = area.get_by_test_id("stMultiSelect").filter(has_text=label)
        expect(box.locator("[data-tag]")).to_have_text(chosen)
    expect(grid_cell(dataframe_with(area, SHAPES_HEADER), x_train)).to_be_attached()
    expect(sidebar.get_by_text("gru:12:seq,rnn:6", exact=False)).to_be_visible()
    expect_no_error(page)
    screenshot(page, "sharing_1_imported_on_data")

    area = open_page(page, "Train")
    expect_training_settings(area, SHARED.train)
    with page.expect_download() as download:
        sidebar.get_by_role("button", name="Export settings (JSON)").click()
    exported = tmp_path / "exported.json"
    download.value.save_as(exported)
    assert import_experiment(exported.read_text()) == SHARED

    set_number(area, "Epochs", 9)
    set_number(area, "Batch size", 32)
    import_settings(page, exported)  # the file just exported, while on the Train page
    expect_training_settings(area, SHARED.train)
    expect(area.get_by_text(f"x_train {x_train}", exact=False)).to_be_visible()
    expect_no_error(page)
    screenshot(page, "sharing_2_imported_on_train")
