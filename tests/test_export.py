"""Tests for lstm_core.export: .npz keys and values, the one-sample CSV."""

import csv
import io

import numpy as np
import pytest

from lstm_core.errors import DataError
from lstm_core.export import states_npz, trace_csv
from lstm_core.inspect import returned_tensors, trace
from lstm_core.model import ModelSpec, build_model, parse_layers

TIMESTEPS, FEATURES = 5, 2


@pytest.fixture(scope="module")
def inspected():
    spec = ModelSpec(parse_layers("lstm:3:seq:state,gru:2:back"), outputs=1)
    model = build_model(spec, TIMESTEPS, FEATURES, seed=0)
    x = np.random.default_rng(0).normal(size=(4, TIMESTEPS, FEATURES)).astype("float32")
    return x, returned_tensors(model, x), trace(model, x)


def test_npz_holds_chosen_samples_named_by_layer_and_tensor(inspected, tmp_path):
    x, returns, traces = inspected
    path = tmp_path / "states.npz"
    data = states_npz(returns, traces, samples=[2, 0], x=x, path=path)
    assert path.read_bytes() == data
    with np.load(io.BytesIO(data)) as npz:
        assert set(npz.files) == {
            "samples", "x",
            "layer_1/output", "layer_1/h", "layer_1/c",
            "layer_2/output",
            *(f"layer_1/trace/{name}" for name in "hcifgo"),
            *(f"layer_2/trace/{name}" for name in ("h", "z", "r", "candidate")),
        }  # fmt: skip
        np.testing.assert_array_equal(npz["samples"], [2, 0])
        np.testing.assert_array_equal(npz["x"], x[[2, 0]])
        np.testing.assert_array_equal(npz["layer_1/c"], returns[0].tensors["c"][[2, 0]])
        np.testing.assert_array_equal(npz["layer_2/trace/z"], traces[1].steps["z"][[2, 0]])
        assert npz["layer_1/output"].shape == (2, TIMESTEPS, 3)


def test_npz_keeps_every_sample_by_default(inspected):
    _, returns, _ = inspected
    with np.load(io.BytesIO(states_npz(returns))) as npz:
        np.testing.assert_array_equal(npz["samples"], np.arange(4))
        np.testing.assert_array_equal(npz["layer_2/output"], returns[1].tensors["output"])


def test_csv_has_a_row_per_step_and_a_column_per_unit(inspected):
    _, _, traces = inspected
    rows = list(csv.reader(io.StringIO(trace_csv(traces[0], sample=1).decode("utf-8"))))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["step", "input_step", "h_0", "h_1", "h_2"]
    assert header[-1] == "o_2" and len(header) == 2 + 6 * 3
    assert len(body) == TIMESTEPS
    values = np.array(body, dtype=float)
    np.testing.assert_array_equal(values[:, 0], np.arange(TIMESTEPS))
    column = header.index("c_1")
    np.testing.assert_array_equal(
        values[:, column].astype("float32"), traces[0].steps["c"][1, :, 1]
    )


def test_csv_says_which_input_step_a_backward_layer_read(inspected):
    _, _, traces = inspected
    rows = list(csv.reader(io.StringIO(trace_csv(traces[1]).decode("utf-8"))))
    assert rows[0][:3] == ["step", "input_step", "h_0"]
    assert [int(row[1]) for row in rows[1:]] == [4, 3, 2, 1, 0]


def test_a_sample_outside_the_batch_is_refused(inspected):
    _, returns, traces = inspected
    with pytest.raises(DataError, match=r"samples must be indices from 0 to 3.*got \[4\]"):
        states_npz(returns, samples=[4])
    with pytest.raises(DataError, match=r"got \[-1\]"):
        trace_csv(traces[0], sample=-1)
