"""One sample, as the States page looks at it: the sample, its prediction, its trace in input
order, and what a what-if initial state changes.

Everything here reads a trace (``lstm_core.inspect.trace``) or a ``Windows``; no model is run
except by ``split_predictions``. The gates and states are the cell's row's
(``lstm_core.cells``), never named here, so a new cell kind is read without an edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lstm_core.cells import CELLS, OUTPUT_STATE
from lstm_core.data.windows import Windows
from lstm_core.errors import DataError
from lstm_core.inspect.states import LayerTrace, layer_initial_state
from lstm_core.model.spec import ModelSpec

if TYPE_CHECKING:  # pandas comes with the first table, not with the pages that show none
    import pandas as pd

# What a reader calls each split, in the order a picker offers them: the test split first.
SPLIT_NAMES = {"test": "test", "val": "validation", "train": "training"}


def sample_batch(windows: Windows, split: str, sample: int) -> np.ndarray:
    """One sample of a split as a batch of one, ``(1, timesteps, features)``.

    Raises:
        DataError: ``sample`` outside the split, with the samples there are.
    """
    x = getattr(windows, f"x_{split}")  # (samples, timesteps, features)
    if not 0 <= sample < len(x):
        raise DataError(
            f"Sample {sample} is outside the {SPLIT_NAMES[split]} split, which has {len(x)} "
            f"samples; choose one from 0 to {len(x) - 1}."
        )
    return x[sample : sample + 1]


def split_predictions(model, windows: Windows, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The model's predictions for every sample of a split and their targets, each
    ``(samples, outputs)`` in the data's units (class probabilities and the class index for
    classification). Whole splits, since differenced targets read back as levels per split."""
    x = getattr(windows, f"x_{split}")  # (samples, timesteps, features)
    y = getattr(windows, f"y_{split}")  # (samples, outputs)
    predicted = model.predict(x, verbose=0)  # (samples, outputs)
    if windows.task == "classification":
        return predicted, y
    return windows.inverse_targets(predicted, split), windows.inverse_targets(y, split)


def predicted_class(
    windows: Windows, probabilities: np.ndarray, target: np.ndarray
) -> tuple[str, float, str]:
    """A classification's prediction for one sample, read: the predicted class's name and
    probability, and the true class's name.

    Args:
        probabilities: ``(classes,)``, one sample's row of ``split_predictions``.
        target: ``(1,)``, the true class's index.
    """
    names = windows.class_names
    best = int(np.argmax(probabilities))
    return str(names[best]), float(probabilities[best]), str(names[int(target[0])])


def input_order(layer_trace: LayerTrace) -> dict[str, np.ndarray]:
    """A one-sample trace's values ``{name: (timesteps, units)}`` in input order (a
    ``go_backwards`` layer's trace is in reading order, last input step first)."""
    order = slice(None, None, -1) if layer_trace.go_backwards else slice(None)
    return {name: values[0, order] for name, values in layer_trace.steps.items()}


def state_values(layer_trace: LayerTrace) -> dict[str, np.ndarray]:
    """The states of a one-sample trace, ``{name: (timesteps, units)}`` in input order, in the
    order of the cell's row (``h``, then ``c`` for an LSTM)."""
    values = input_order(layer_trace)
    return {name: values[name] for name in CELLS[layer_trace.kind].state_names}


def change_of_output(after: LayerTrace, before: LayerTrace) -> np.ndarray:
    """``(timesteps, units)``: how much a what-if start moved the output state ``h`` at each
    step (input order), from two one-sample traces of the same layer."""
    return input_order(after)[OUTPUT_STATE] - input_order(before)[OUTPUT_STATE]


def input_step(layer_trace: LayerTrace, step: int) -> int:
    """The 1-based input step that reading step ``step`` (1-based) of the layer reads."""
    return int(layer_trace.input_steps[step - 1]) + 1


def final_states(before: LayerTrace, after: LayerTrace | None = None) -> pd.DataFrame:
    """Each state after the last step, a column per state and a row per unit.

    Args:
        before: a one-sample trace from Keras' default zero initial states.
        after: the same layer's trace from a what-if initial state, or ``None``.

    Returns:
        ``(units, states)`` with columns ``h_T``, ``c_T``, ...; with ``after``, two columns per
        state, ``h_T (zeros)`` and ``h_T (what-if)``. The index is the unit, named ``unit``.
    """
    final = {}
    for name in CELLS[before.kind].state_names:
        if after is None:
            final[f"{name}_T"] = before.steps[name][0, -1]  # (units,)
        else:
            final[f"{name}_T (zeros)"] = before.steps[name][0, -1]
            final[f"{name}_T (what-if)"] = after.steps[name][0, -1]
    import pandas as pd

    return pd.DataFrame(final).rename_axis("unit")


def what_if_initial_state(model_spec: ModelSpec, layer: int, how: str, value: float, seed: int):
    """The what-if initial state of one layer, as ``lstm_core.inspect.trace`` takes it.

    Args:
        layer: 1-based index of the layer to start differently; the others start from zeros.
        how: ``"zeros"`` (Keras' default: ``None`` is returned), ``"random"`` (uniform in
            [-1, 1], seeded) or ``"value"`` (every unit of every state set to ``value``).

    Returns:
        ``None`` or ``{layer: [h0] or [h0, c0]}``, each ``(1, units)`` float32, a state per
        state of the layer's cell.
    """
    if how == "zeros":
        return None
    spec = model_spec.layers[layer - 1]
    rng = np.random.default_rng(seed)
    return {layer: layer_initial_state(spec.kind, spec.units, 1, how, value, rng=rng)}
