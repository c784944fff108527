"""The two kinds of windowing as data: stored with an explicit kind, read back without guessing."""

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import (
    SequenceSpec,
    WindowSpec,
    cut_windows,
    make_sequence_windows,
    make_windows,
    window_from_dict,
    window_kind,
    window_to_dict,
)
from lstm_core.errors import ConfigError
from lstm_core.runs import RunStore
from lstm_core.train.recorder import RunRecorder

SERIES = WindowSpec(features=("a",), targets=("a", "b"), lookback=3, horizon=2)
SEQUENCES = SequenceSpec(
    id_column="id", features=("a",), target="y", val_fraction=0.25, test_fraction=0.25
)


def series_frame() -> pd.DataFrame:
    t = np.arange(30, dtype=float)
    return pd.DataFrame({"a": np.sin(t), "b": np.cos(t)})


def long_frame() -> pd.DataFrame:
    ids = np.repeat(np.arange(12), 2)
    return pd.DataFrame({"id": ids, "a": np.arange(24.0), "y": np.tile(["u", "u", "v", "v"], 6)})


@pytest.mark.parametrize(("spec", "kind"), [(SERIES, "series"), (SEQUENCES, "sequences")])
def test_a_spec_is_stored_with_its_kind_and_read_back(spec, kind):
    stored = window_to_dict(spec)
    assert window_kind(spec) == kind and stored["kind"] == kind
    assert window_from_dict(stored) == spec


def test_a_spec_stored_before_the_kind_was_is_still_read():
    assert window_from_dict(SEQUENCES.to_dict()) == SEQUENCES
    assert window_from_dict(SERIES.to_dict()) == SERIES


def test_an_unknown_kind_is_refused():
    with pytest.raises(ConfigError, match=r"'kind' must be one of \['series', 'sequences'\]"):
        window_from_dict({**SERIES.to_dict(), "kind": "graph"})


def test_cut_windows_cuts_with_whichever_spec_it_gets():
    by_kind = cut_windows(series_frame(), SERIES)
    np.testing.assert_array_equal(by_kind.x_train, make_windows(series_frame(), SERIES).x_train)
    sequences = cut_windows(long_frame(), SEQUENCES)
    expected = make_sequence_windows(long_frame(), SEQUENCES)
    np.testing.assert_array_equal(sequences.x_train, expected.x_train)


def test_y_columns_name_every_column_of_y_step_major():
    windows = make_windows(series_frame(), SERIES)
    assert windows.y_columns == ("a, t+1", "b, t+1", "a, t+2", "b, t+2")
    assert len(windows.y_columns) == windows.y_train.shape[1]


def test_a_recorded_run_keeps_its_window_kind():
    store = RunStore.in_memory()
    windows = make_sequence_windows(long_frame(), SEQUENCES)
    recorder = RunRecorder(store, dataset="long.csv", window_spec=SEQUENCES)

    class Spec:  # what the recorder reads of a spec or a config: to_dict()
        def to_dict(self):
            return {}

    run_id = recorder.start(Spec(), Spec(), windows, "a run")
    assert store.get_run(run_id).window_spec["kind"] == "sequences"
