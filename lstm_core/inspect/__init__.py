"""Look inside a built model: what each layer returns, every step's gates and states, one
cell call written out, what each unit tracks, and a diagnosis of the trained model.

``returned_tensors`` calls the model's own Keras layers; everything else runs the NumPy
reference cells (``lstm_core.reference``) with the model's weights, since Keras does not expose
``c_t`` or the gates at every step. Tests hold the two to ``1e-5`` of each other.
"""

from lstm_core.inspect.diagnosis import diagnose
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
    "LayerReturn",
    "LayerTrace",
    "cell_step",
    "diagnose",
    "initial_state_for",
    "layer_initial_state",
    "returned_tensors",
    "trace",
    "unit_report",
]
