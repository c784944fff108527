"""Shared pieces of the AppTests: the app, page switching, charts, and a trained session.

Every test drives the real ``app.py`` router with Streamlit's ``AppTest`` (no browser), with a
run store in a temporary folder. Training uses a tiny model on the airline sample, so a whole
trained session costs a few seconds after TensorFlow's import.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lstm_core.runs import RunStore

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 180  # seconds per script run: the first one that trains imports TensorFlow
TINY_LAYERS = "lstm:4:seq:state,lstm:3"


def new_app(**query) -> AppTest:
    """A fresh session on the Home page (with URL parameters ``query``), already run."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(query)
    return at.run()


def shell(code: str, state: dict | None = None, **query) -> AppTest:
    """A script of ``ui`` calls, run as a session with ``state`` and URL parameters ``query``:
    for what the shell computes without drawing it (the exported experiment)."""
    at = AppTest.from_string("import streamlit as st\n" + code, default_timeout=TIMEOUT)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.query_params.update(query)
    return at.run()


def state_of(at: AppTest) -> dict:
    """The session state a script may set again (buttons and uploads cannot be set)."""
    return {k: at.session_state[k] for k in at.session_state if not k.startswith(("_", "$"))}


def open_page(at: AppTest, name: str) -> AppTest:
    """Switch ``at`` to ``pages/<name>.py`` and run it; fail on any exception."""
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list[dict]:
    """The Vega-Lite specs of the Altair charts on the page, in order."""
    return [json.loads(node.proto.spec) for node in at.get("vega_lite_chart")]


def plain(markdown: str) -> str:
    """Markdown text with the backslash escapes of ``ui.text.escape_markdown`` undone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def errors(at: AppTest) -> list[str]:
    """The error boxes' messages, as the user reads them."""
    return [plain(element.value) for element in at.error]


def layer_ids(at: AppTest) -> list[int]:
    return list(at.session_state["model.layer_ids"])


def set_tiny_model(at: AppTest) -> None:
    """Put the two-layer stack ``TINY_LAYERS`` on the Model page (4 and 3 units)."""
    open_page(at, "model")
    at.selectbox(key="model.preset").set_value("Two LSTMs, return_state on the first")
    at.button(key="_model.apply_preset").click().run()
    first, second = layer_ids(at)
    at.number_input(key=f"model.layer{first}.units").set_value(4)
    at.number_input(key=f"model.layer{second}.units").set_value(3).run()


def train(at: AppTest, epochs: int = 1) -> None:
    """Train the session's model on its data from the Train page, and wait for the end."""
    open_page(at, "train")
    at.number_input(key="train.epochs").set_value(epochs)
    at.number_input(key="train.batch_size").set_value(32).run()
    at.button(key="_train.start").click().run()
    assert not errors(at), errors(at)
    final = at.session_state["app.jobs"].get("train").wait(TIMEOUT)
    assert final.status == "finished", final.error
    at.run()


def trained_session() -> AppTest:
    """A session with the airline sample, ``TINY_LAYERS`` and a finished one-epoch run."""
    at = new_app()
    open_page(at, "data")
    set_tiny_model(at)
    train(at)
    return at


def trained_run(folder: Path, file: str | None = None, layers: str = TINY_LAYERS) -> str:
    """Train ``layers`` (default ``TINY_LAYERS``) for one epoch on the airline sample (recorded as trained on
    ``file`` when given) into the store in ``folder``, as the app would; return the run id."""
    from lstm_core.data import make_windows
    from lstm_core.model import ModelSpec, parse_layers
    from lstm_core.samples import SAMPLES, load_sample
    from lstm_core.train import TrainConfig, TrainingJob

    spec = SAMPLES["airline"].spec
    windows = make_windows(load_sample("airline"), spec)
    job = TrainingJob(
        windows,
        ModelSpec(layers=parse_layers(layers), outputs=windows.n_outputs),
        TrainConfig(epochs=1, batch_size=32),
        store=RunStore(folder),
        workspace="local",
        dataset={"name": file, "file": file} if file else {"name": "airline", "sample": "airline"},
        window_spec=spec,
    )
    final = job.start().wait(TIMEOUT)
    assert final.status == "finished", final.error
    return final.run_id


def add_run(folder: Path, name: str, losses: list[float], workspace: str = "local") -> str:
    """Store a finished run with the given per-epoch validation losses; return its id."""
    store = RunStore(folder)
    run_id = store.create_run(
        model_spec={
            "layers": [{"kind": "lstm", "units": 8}],
            "head": "regression",
            "outputs": 1,
            "mask_value": None,
        },
        train_config={"epochs": len(losses), "batch_size": 16, "learning_rate": 0.001},
        dataset={"name": name, "sample": "airline"},
        window_spec={"features": ["Passengers"], "targets": ["Passengers"], "lookback": 6},
        workspace=workspace,
        name=name,
    )
    for epoch, loss in enumerate(losses, 1):
        store.record_epoch(run_id, epoch, {"loss": loss * 2, "val_loss": loss})
    store.finish_run(run_id, "finished", test_metrics={"rmse": 1.5, "mae": 1.0})
    return run_id
