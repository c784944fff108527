"""Recurrent models: the spec a user writes, its description, and the Keras model built from it.

``spec`` and ``describe`` are pure Python; ``build`` imports Keras only when called, so this
package imports without TensorFlow.
"""

from lstm_core.cells import CELLS, KERAS_CLASS, KINDS
from lstm_core.model.build import build_model, group_returns, recurrent_layers, returns_model
from lstm_core.model.describe import count_params, describe, describe_head
from lstm_core.model.spec import (
    DEFAULT_LAYERS,
    FORGET_BIASES,
    HEADS,
    LAYER_SYNTAX,
    LayerSpec,
    ModelSpec,
    fix_stack,
    format_layers,
    parse_layers,
    returned_names,
    suggest_fix,
    validate,
)

__all__ = [
    "CELLS",
    "FORGET_BIASES",
    "HEADS",
    "KERAS_CLASS",
    "KINDS",
    "DEFAULT_LAYERS",
    "LAYER_SYNTAX",
    "LayerSpec",
    "ModelSpec",
    "build_model",
    "count_params",
    "describe",
    "describe_head",
    "fix_stack",
    "format_layers",
    "group_returns",
    "parse_layers",
    "recurrent_layers",
    "returned_names",
    "returns_model",
    "suggest_fix",
    "validate",
]
