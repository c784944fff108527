"""The Runs page in a real browser at 1280x800: runs grouped by dataset, scored beside their
yardstick, readable at that width.

The runs are stored directly (scores of the real airline windows with made-up predictions, and
one run stored before the yardsticks existed), so nothing trains; the screenshot under
``test-output/screenshots/`` is for a person to look at.
"""

from __future__ import annotations

import numpy as np
import pytest
from app_session import add_run
from browser import dataframe_with, expect_no_exception, grid_rows, open_page, screenshot
from playwright.sync_api import Page, expect

from lstm_core.data import make_windows
from lstm_core.forecast import scores
from lstm_core.runs import RunStore
from lstm_core.samples import SAMPLES, load_sample

pytestmark = pytest.mark.browser

WINDOW = {"width": 1280, "height": 800}


def store_scored_run(folder, layers: str, noise: float, losses: list[float]) -> str:
    """A finished airline run whose test predictions are the truth plus ``noise``."""
    spec = SAMPLES["airline"].spec
    windows = make_windows(load_sample("airline"), spec)
    truth = windows.history.targets("test", 1)
    predicted = truth + np.random.default_rng(0).normal(scale=noise, size=truth.shape)
    metrics = scores.regression_scores(truth, predicted, ("Passengers",), 1, windows.history)
    store = RunStore(folder)
    run_id = store.create_run(
        model_spec={"layers": [{"kind": kind, "units": 8} for kind in layers.split(",")],
                    "head": "regression", "outputs": 1, "mask_value": None},
        train_config={"epochs": len(losses), "batch_size": 16, "learning_rate": 0.001},
        dataset={"name": "Airline passengers", "sample": "airline"},
        window_spec=spec.to_dict(),
        workspace="local",
        name=f"Airline passengers, {layers}",
    )  # fmt: skip
    for epoch, loss in enumerate(losses, 1):
        store.record_epoch(run_id, epoch, {"loss": loss * 1.2, "val_loss": loss})
    store.finish_run(run_id, "finished", test_metrics=metrics, timings={"train_s": 12.3456})
    return run_id


def test_runs_page_compares_skill_within_a_dataset_at_1280_pixels(page: Page, server):
    add_run(server.store, "Melbourne temperatures", [0.5, 0.3])  # another dataset, stored old
    good = store_scored_run(server.store, "lstm,lstm", noise=20.0, losses=[0.9, 0.4, 0.2, 0.1])
    poor = store_scored_run(server.store, "gru", noise=90.0, losses=[1.0, 0.8, 0.7])
    page.set_viewport_size(WINDOW)
    area = open_page(page, "Runs")
    title = area.get_by_role("heading", name="Runs", exact=True)
    box = title.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WINDOW["width"]  # not clipped

    table = dataframe_with(area, "skill vs naive %")
    header, *rows = grid_rows(table)
    assert {row[header.index("run")] for row in rows} == {good, poor}  # one dataset only
    assert table.bounding_box()["x"] + table.bounding_box()["width"] <= WINDOW["width"]
    chart = area.get_by_test_id("stVegaLiteChart").first
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] >= 250  # a plot, not a strip
    expect(area.get_by_test_id("stJson")).to_have_count(0)  # details are tables
    expect(area.get_by_text("this model", exact=True)).to_be_attached()
    expect_no_exception(page)
    screenshot(page, "runs_1280")
