"""The Model page's editable layer stack, kept in session state.

Each layer has a stable id, so its widgets keep their keys (``model.layer3.units``) while
layers are added, removed or moved. The stack is read back as ``LayerSpec``s, and the engine
(``lstm_core.model``) validates and describes it.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from lstm_core.model import DEFAULT_LAYERS, LayerSpec, ModelSpec, format_layers, parse_layers

# Known-good stacks, in the layer syntax of ``lstm_core.model.parse_layers``.
PRESETS = {
    "Two stacked LSTMs (a good start)": DEFAULT_LAYERS,
    "One LSTM": "lstm:32",
    "One GRU": "gru:32",
    "Two LSTMs, return_state on the first": "lstm:32:seq:state,lstm:16",
    "SimpleRNN, to compare": "rnn:32",
    "Three LSTMs with dropout": "lstm:64:seq:drop=0.2,lstm:32:seq:drop=0.2,lstm:16",
}
FIELDS = [field.name for field in dataclasses.fields(LayerSpec)]


def _key(layer_id: int, field: str) -> str:
    return f"model.layer{layer_id}.{field}"


def layer_ids() -> list[int]:
    """The ids of the layers, bottom to top (the default stack on first use)."""
    if "model.layer_ids" not in st.session_state:
        set_layers(parse_layers(DEFAULT_LAYERS))
    return st.session_state["model.layer_ids"]


def widget_key(layer_id: int, field: str) -> str:
    """The session-state key of one layer's field, for its widget."""
    return _key(layer_id, field)


def set_layers(layers: tuple[LayerSpec, ...]) -> None:
    """Replace the stack with ``layers`` (new ids, every field in session state)."""
    for layer_id in st.session_state.get("model.layer_ids", []):
        _forget(layer_id)
    ids = []
    for layer in layers:
        layer_id = _new_id()
        for field in FIELDS:
            st.session_state[_key(layer_id, field)] = getattr(layer, field)
        ids.append(layer_id)
    st.session_state["model.layer_ids"] = ids


def layers() -> tuple[LayerSpec, ...]:
    """The stack as the widgets hold it, bottom to top."""
    return tuple(
        LayerSpec(**{field: st.session_state[_key(i, field)] for field in FIELDS})
        for i in layer_ids()
    )


def layer_string() -> str:
    """The stack in the layer syntax, e.g. ``"lstm:32:seq,lstm:16"``."""
    return format_layers(layers())


def add_layer() -> None:
    """Add an LSTM on top; the layer below it now returns sequences, so the stack stays valid."""
    current = list(layers())
    if current:
        current[-1] = dataclasses.replace(current[-1], return_sequences=True)
    set_layers((*current, LayerSpec(units=16)))


def remove_layer(position: int) -> None:
    current = list(layers())
    del current[position]
    set_layers(tuple(current))


def move_layer(position: int, offset: int) -> None:
    """Swap the layer at ``position`` with its neighbour ``offset`` (-1: nearer the input)."""
    current = list(layers())
    other = position + offset
    current[position], current[other] = current[other], current[position]
    set_layers(tuple(current))


def model_spec(windows=None) -> ModelSpec:
    """The stack with the head the data needs: classes, ``horizon * targets`` outputs, masking.

    Without data yet, a one-output regression head.
    """
    if windows is None:
        return ModelSpec(layers=layers())
    return ModelSpec.for_windows(layers(), windows)


def _new_id() -> int:
    st.session_state["model.next_id"] = st.session_state.get("model.next_id", 0) + 1
    return st.session_state["model.next_id"]


def _forget(layer_id: int) -> None:
    for field in FIELDS:
        st.session_state.pop(_key(layer_id, field), None)
