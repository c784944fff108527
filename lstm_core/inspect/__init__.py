"""Look inside a built model: what each layer returns, every step's gates and states, one
cell call written out, what each unit tracks, and a diagnosis of the trained model.

``returned_tensors`` calls the model's own Keras layers; everything else runs the NumPy
reference cells (``lstm_core.reference``) with the model's weights, since Keras does not expose
``c_t`` or the gates at every step. Tests hold the two to ``1e-5`` of each other.
"""

from lstm_core.inspect.diagnosis import diagnose
from lstm_core.inspect.sample import (
    SPLIT_NAMES,
    change_of_output,
    final_states,
    input_order,
    input_step,
    predicted_class,
    sample_batch,
    split_predictions,
    state_values,
    what_if_initial_state,
)
from lstm_core.inspect.states import (
    INITIAL_STATES,
    LayerReturn,
    LayerTrace,
    initial_state_for,
    layer_initial_state,
    returned_tensors,
    trace,
)
from lstm_core.inspect.step import cell_step
from lstm_core.inspect.units import unit_report

__all__ = [
    "INITIAL_STATES",
    "SPLIT_NAMES",
    "LayerReturn",
    "LayerTrace",
    "cell_step",
    "change_of_output",
    "diagnose",
    "final_states",
    "initial_state_for",
    "input_order",
    "input_step",
    "layer_initial_state",
    "predicted_class",
    "returned_tensors",
    "sample_batch",
    "split_predictions",
    "state_values",
    "trace",
    "unit_report",
    "what_if_initial_state",
]
