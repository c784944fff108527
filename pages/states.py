"""States: inside the trained cell, step by step: h, c and every gate, and what the layer returned."""

import pandas as pd
import streamlit as st

from lstm_core.export import states_npz, trace_csv
from lstm_core.inspect import INITIAL_STATES, returned_tensors, trace
from lstm_core.model import CELLS, KERAS_CLASS
from ui import inspection, layer_tables, state
from ui.charts import heatmap_chart
from ui.errors import attempt
from ui.router import ensure_routed
from ui.text import shape_text

ensure_routed()


def controls(spec, windows) -> tuple[str, int, int]:
    """Split, sample and layer pickers; returns the choices."""
    splits = [s for s in inspection.SPLITS if len(getattr(windows, f"x_{s}"))]
    state.keep_choice("states", "split", splits)
    state.ensure("states", {"sample": 0, "init": "zeros", "value": 0.5, "seed": 0})
    state.keep_choice("states", "layer", list(range(1, len(spec.layers) + 1)))
    split_column, sample_column, layer_column = st.columns(3)
    split = split_column.selectbox(
        "Split",
        splits,
        key="states.split",
        format_func=inspection.SPLITS.get,
        persist_state="session",
    )
    count = len(getattr(windows, f"x_{split}"))
    if state.get("states", "sample") >= count:
        state.put("states", "sample", 0)
    sample = sample_column.number_input(
        f"Sample (0 to {count - 1})",
        min_value=0,
        max_value=count - 1,
        step=1,
        key="states.sample",
        persist_state="session",
    )
    layer = layer_column.selectbox(
        "Layer",
        list(range(1, len(spec.layers) + 1)),
        key="states.layer",
        format_func=lambda i: (
            f"layer_{i} ({KERAS_CLASS[spec.layers[i - 1].kind]}, {spec.layers[i - 1].units} units)"
        ),
        persist_state="session",
    )
    return split, int(sample), int(layer)


def initial_state_controls(spec, layer: int):
    st.radio(
        "Initial state of this layer (what if?)",
        INITIAL_STATES,
        key="states.init",
        horizontal=True,
        format_func={
            "zeros": "zeros (Keras' default)",
            "random": "random in [-1, 1]",
            "value": "one value for every unit",
        }.get,
        persist_state="session",
    )
    how = state.get("states", "init")
    if how == "random":
        st.number_input(
            "Random seed", min_value=0, step=1, key="states.seed", persist_state="session"
        )
    elif how == "value":
        st.slider(
            "h0 and c0 value", -1.0, 1.0, step=0.05, key="states.value", persist_state="session"
        )
    return inspection.initial_state(
        spec, layer, how, state.get("states", "value"), state.get("states", "seed")
    )


def heatmaps(layer_trace) -> None:
    names = list(layer_trace.steps)
    cell = CELLS[layer_trace.kind]
    signals = {signal.name: signal for signal in (*cell.states, *cell.gates)}  # h, c, gates
    order = (
        " (reading order: the layer reads the sequence backwards)"
        if (layer_trace.go_backwards)
        else ""
    )
    st.caption(f"Time steps run left to right{order}; one row per unit.")
    labels = [f"{name}: {signals[name].label}" for name in names]
    for tab, name in zip(st.tabs(labels), names, strict=True):
        with tab:
            values = layer_trace.steps[name][0]  # (timesteps, units) of the one sample
            title = f"{name}_t: {signals[name].meaning}"
            chart = heatmap_chart(
                values, title=title, value_title=name, diverging=signals[name].signed
            )
            st.altair_chart(chart, width="stretch")


def returned(layer_return, spec_layer, timesteps: int, width: int) -> None:
    st.subheader("What the layer returned")
    st.caption(
        f"As built: return_sequences={spec_layer.return_sequences}, "
        f"return_state={spec_layer.return_state}. Keras returned:"
    )
    returned_records = [
        {"tensor": name, "shape": shape_text(shape)} for name, shape in layer_return.shapes.items()
    ]
    st.markdown(layer_tables.markdown_table(returned_records))
    st.caption("Under the other options the same layer would return:")
    rows = inspection.option_returns(spec_layer, timesteps, width)
    option_records = [
        {
            "return_sequences": r["return_sequences"],
            "return_state": r["return_state"],
            "returns": ", ".join(f"{t['name']} {shape_text(t['shape'])}" for t in r["returns"]),
            "as built": "yes" if r["as built"] else "",
        }
        for r in rows
    ]
    st.markdown(layer_tables.markdown_table(option_records))


def final_states(layer_trace) -> None:
    st.subheader("Final states")
    final = {
        f"{name}_T": layer_trace.steps[name][0, -1]
        for name in ("h", "c")
        if name in layer_trace.steps
    }  # each (units,)
    st.dataframe(pd.DataFrame(final).rename_axis("unit"), width="content")


def export(returns, traces, x, split: str, sample: int, layer: int) -> None:
    st.subheader("Export")
    npz = attempt(states_npz, returns, traces, x=x)
    csv = attempt(trace_csv, traces[0], 0)
    left, right, _ = st.columns([1, 1, 2])
    if npz is not None:
        left.download_button(
            "Download states (.npz)",
            npz,
            file_name=f"states_{split}_{sample}.npz",
            key="_states.npz",
        )
    if csv is not None:
        right.download_button(
            f"Download layer_{layer} trace (CSV)",
            csv,
            file_name=f"trace_layer_{layer}_{split}_{sample}.csv",
            key="_states.csv",
        )


def inspect_model(trained) -> None:
    """The controls, then the chosen layer's states for the chosen sample of ``trained``
    (a ``ui.inspection.Trained``)."""
    spec, windows = trained.model_spec, trained.windows
    split, sample, layer = controls(spec, windows)
    initial = initial_state_controls(spec, layer)
    x = attempt(inspection.sample_batch, windows, split, sample)  # (1, timesteps, features)
    returns = None if x is None else attempt(returned_tensors, trained.model, x, initial)
    traces = None if returns is None else attempt(trace, trained.model, x, layer, initial)
    if traces is None:
        return
    st.subheader(f"layer_{layer}, step by step")
    heatmaps(traces[0])
    left, right = st.columns(2)
    with left:
        final_states(traces[0])
    with right:
        width = windows.features if layer == 1 else spec.layers[layer - 2].units
        returned(returns[layer - 1], spec.layers[layer - 1], windows.timesteps, width)
    export(returns, traces, x, split, sample, layer)


def choose_model() -> str | None:
    """The model picker: this session's last training or a stored run; returns the choice."""
    choices = attempt(inspection.model_choices)
    if not choices:
        if choices is not None:
            st.info(
                "Train a model on the Train page first; when it ends, open its states here. "
                "Every stored run that kept its model can be opened here too."
            )
        return None
    state.keep_choice("states", "model", list(choices))
    st.selectbox(
        "Model",
        list(choices),
        key="states.model",
        format_func=choices.get,
        persist_state="session",
    )
    return state.get("states", "model")


st.title("States")
choice = choose_model()
if choice is not None:
    trained = attempt(inspection.open_choice, choice)
    if trained is not None:
        inspect_model(trained)
