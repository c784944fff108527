"""An LSTM variant is an ordinary layer everywhere: trained from the command line, stored as a
run and reopened from its ``.keras`` file, inspected (trace, one cell call, units, diagnosis),
exported, profiled, and carried in a shared URL."""

import json

import numpy as np
import pandas as pd
import pytest

from lstm_core.cells import CELLS
from lstm_core.cli import main
from lstm_core.data import WindowSpec, make_windows
from lstm_core.experiment_io import Experiment
from lstm_core.experiment_url import from_params, to_params
from lstm_core.experiments.gradients import gradient_profile
from lstm_core.export import states_npz
from lstm_core.inspect import cell_step, diagnose, returned_tensors, trace, unit_report
from lstm_core.model import ModelSpec, parse_layers
from lstm_core.reference import forward
from lstm_core.runs import RunStore

pytestmark = pytest.mark.slow  # trains a model

LAYERS = "cifg:4:seq:state,ph:3"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A run trained by the CLI on a tiny series with a CIFG layer under a PH layer, and its
    model as the run store reopens it."""
    folder = tmp_path_factory.mktemp("variants")
    rng = np.random.default_rng(0)
    rows = 120
    frame = pd.DataFrame({"a": rng.normal(size=rows), "level": np.sin(np.arange(rows) / 4)})
    frame.to_csv(folder / "tiny.csv", index=False)
    store = folder / "store"
    argv = ["train", "--data", str(folder / "tiny.csv"), "--targets", "level", "--features",
            "a", "level", "--lookback", "6", "--layers", LAYERS, "--epochs", "1",
            "--batch-size", "16", "--json", "--store", str(store)]  # fmt: skip
    assert main(argv) == 0
    (run_id,) = RunStore(store).list_runs()["run_id"]
    model = RunStore(store).load_model(run_id)
    windows = make_windows(frame, WindowSpec(features=("a", "level"), targets=("level",),
                                             lookback=6))  # fmt: skip
    return model, windows


def test_the_stored_run_reopens_with_its_variant_cells(stored):
    model, windows = stored
    kinds = [layer.cell.variant for layer in model.layers if hasattr(layer, "cell")]
    assert kinds == ["cifg", "ph"]
    assert model.predict(windows.x_val[:2], verbose=0).shape == (2, 1)


def test_trace_and_one_cell_call_name_the_variants_gates(stored):
    model, windows = stored
    x = windows.x_val[:1]
    first, second = trace(model, x)
    assert set(first.steps) == {"h", "c", "i", "f", "g", "o"}
    np.testing.assert_allclose(first.steps["i"], 1 - first.steps["f"], atol=1e-6)
    returned = returned_tensors(model, x)
    np.testing.assert_allclose(second.steps["h"][:, -1], returned[1].tensors["output"], atol=1e-5)
    step = cell_step(model, x, layer=1, t=2)
    assert "pre_i" not in step and {"pre_f", "pre_g", "pre_o", "c_prev"} <= set(step)
    expected = forward("cifg", x, model.get_layer("layer_1").get_weights())
    np.testing.assert_allclose(step["c"], expected["c"][0, 2], atol=1e-5)


def test_units_diagnosis_export_and_gradient_profile_take_a_variant(stored):
    model, windows = stored
    report = unit_report(model, windows, layer=2)
    assert set(report["state"]) <= {"h", "c"} and len(report) == 3
    assert diagnose(model, windows) is not None
    x = windows.x_val[:2]
    packed = np.load(__import__("io").BytesIO(states_npz(returned_tensors(model, x),
                                                         trace(model, x))))  # fmt: skip
    assert packed["layer_2/trace/o"].shape == (2, 6, 3)
    profile = gradient_profile(model, x, windows.y_val[:2])
    assert {"dL_dh", "dL_dc"} <= set(profile) and np.isfinite(profile["dL_dc"]).all()


def test_a_shared_url_carries_the_variant_layers():
    model = ModelSpec(parse_layers(LAYERS), outputs=1)
    params = to_params(Experiment(model=model))
    restored, notes = from_params(json.loads(json.dumps(params)))
    assert restored.model.layers == model.layers and not notes
    assert all(CELLS[layer.kind].parts is not None for layer in restored.model.layers)
