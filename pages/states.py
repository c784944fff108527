"""States: inside the trained cell: one step at a time, the whole sample, what each unit
tracks, and a diagnosis of the model."""

import streamlit as st

from lstm_core.cells import CELLS
from lstm_core.export import states_npz, trace_csv
from lstm_core.inspect import (
    INITIAL_STATES,
    SPLIT_NAMES,
    change_of_output,
    diagnose,
    final_states,
    input_order,
    input_step,
    predicted_class,
    returned_tensors,
    sample_batch,
    split_predictions,
    state_values,
    trace,
    unit_report,
    what_if_initial_state,
)
from lstm_core.model.describe import returns_by_option
from ui import (
    cell_charts,
    cell_text,
    diagnosis_view,
    inspection,
    layer_tables,
    state,
    stepper,
)
from ui.errors import attempt
from ui.router import ensure_routed
from ui.text import escape_markdown, shape_text

ensure_routed()

TABS = ("Step through the cell", "The whole sample", "Which unit does what", "Diagnosis")


def controls(spec, windows) -> tuple[str, int, int]:
    """Split, sample and layer pickers; returns the choices."""
    splits = [s for s in SPLIT_NAMES if len(getattr(windows, f"x_{s}"))]
    state.keep_choice("states", "split", splits)
    state.ensure("states", {"sample": 0, "init": "zeros", "value": 0.5, "seed": 0})
    state.keep_choice("states", "layer", list(range(1, len(spec.layers) + 1)))
    split_column, sample_column, layer_column = st.columns(3)
    split = split_column.selectbox(
        "Split",
        splits,
        key="states.split",
        format_func=SPLIT_NAMES.get,
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
        format_func=lambda i: cell_text.layer_label(
            i, spec.layers[i - 1].kind, spec.layers[i - 1].units
        ),
        persist_state="session",
    )
    return split, int(sample), int(layer)


def initial_state_controls(spec, layer: int):
    kind = spec.layers[layer - 1].kind
    states = " and ".join(f"{s}_0" for s in CELLS[kind].state_names)
    st.radio(
        f"What if this layer started from other states? ({states}, the states before step 1)",
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
            f"{states} value", -1.0, 1.0, step=0.05, key="states.value", persist_state="session"
        )
    return what_if_initial_state(
        spec, layer, how, state.get("states", "value"), state.get("states", "seed")
    )


def whole_sample(trained, x, layer: int, initial) -> None:
    """The input, every gate and state of the sample on one time axis; with a what-if initial
    state, how far its change carries, before and after."""
    after = attempt(
        inspection.remembered, trained, "trace", trace, trained.model, x, layer, initial
    )
    before = after if initial is None else attempt(trace, trained.model, x, layer)
    if after is None or before is None:
        return
    layer_trace = after[0]
    values = input_order(layer_trace)  # {name: (timesteps, units)}
    titles = {name: cell_text.label(layer_trace.kind, name) for name in values}
    signed = set(CELLS[layer_trace.kind].signed_names)
    if initial is not None:
        values["change"] = change_of_output(after[0], before[0])
        titles["change"] = "change of h_t: what-if minus zeros (how long the start is remembered)"
        signed.add("change")
    st.altair_chart(
        cell_charts.over_time(
            x[0], trained.windows.feature_names, values, titles,
            step=input_step(layer_trace, state.get("states", "step", 1)),
            signed=signed,
        ),
        width="content",
    )  # fmt: skip
    st.caption(
        "Time steps run left to right, one row per unit; the grey rule marks the step chosen in "
        "Step through the cell."
    )
    if layer_trace.go_backwards:
        st.caption("This layer reads the sample backwards (go_backwards): its step 1 is the last.")
    st.subheader("Final states")  # the what-if's beside Keras' default zeros
    final = final_states(before[0], after[0] if initial is not None else None)
    st.dataframe(final, width="content")


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
    rows = returns_by_option(spec_layer, timesteps, width)
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


def prediction(trained, split: str, sample: int) -> None:
    """The sample's prediction beside its target, in the data's units."""
    result = attempt(inspection.remembered, trained, "predictions", split_predictions,
                     trained.model, trained.windows, split)  # fmt: skip
    if result is None:
        return
    predicted, target = result[0][sample], result[1][sample]  # (outputs,) each
    windows = trained.windows
    if windows.task == "classification":
        name, probability, true_name = predicted_class(windows, predicted, target)
        text = (
            f"class **{escape_markdown(name)}** ({probability:.0%}), the true class is "
            f"**{escape_markdown(true_name)}**"
        )
    else:
        text = "; ".join(
            f"{escape_markdown(windows.y_columns[k])} **{p:.4g}** against a target of **{y:.4g}**"
            for k, (p, y) in enumerate(zip(predicted, target, strict=True))
        )
    st.markdown(f"This sample's prediction: {text}.")


def units_view(trained, x, split: str, layer: int) -> None:
    """Which unit does what: the report, strongest first, and a unit's trace over the input."""
    report = attempt(inspection.remembered, trained, "units", unit_report, trained.model,
                     trained.windows, layer, split)  # fmt: skip
    if report is None:
        return
    states = " and ".join(CELLS[trained.model_spec.layers[layer - 1].kind].state_names)
    st.markdown(
        f"Each unit's {states} after every step of the {SPLIT_NAMES[split]} split, "
        "against what the data held at that step: the inputs, the target's next and past "
        "values, its local level and, with dates, the season (r is Pearson's correlation, "
        "from -1 to 1; for a season, a circular one from 0 to 1). Strongest first:"
    )
    st.markdown("\n".join(f"- {escape_markdown(line)}" for line in report["in words"].head(5)))
    with st.expander("Every unit and every signal"):
        st.dataframe(report.drop(columns=["in words"]), hide_index=True)
    units = report["unit"].tolist()
    state.keep_choice("states", "trace_unit", units)
    unit = st.selectbox(
        "Draw a unit over this sample", units, key="states.trace_unit", persist_state="session"
    )
    layer_trace = attempt(inspection.remembered, trained, "trace", trace, trained.model, x,
                          layer, None)  # fmt: skip
    if layer_trace is not None:
        st.altair_chart(
            cell_charts.unit_over_input(
                x[0], trained.windows.feature_names, state_values(layer_trace[0]), unit
            ),
            width="stretch",
        )


def diagnosis_tab(trained) -> None:
    diagnosis = trained.diagnosis
    if diagnosis is None:
        st.caption("This run was stored before diagnoses were kept; it is computed now.")
        diagnosis = attempt(inspection.remembered, trained, "diagnosis", diagnose,
                            trained.model, trained.windows)  # fmt: skip
    if diagnosis is not None:
        diagnosis_view.show(diagnosis, trained.windows.timesteps)


def inspect_model(trained) -> None:
    """The controls, then the tabs for the chosen sample and layer of ``trained`` (a
    ``ui.inspection.Trained``)."""
    spec, windows = trained.model_spec, trained.windows
    split, sample, layer = controls(spec, windows)
    x = attempt(sample_batch, windows, split, sample)  # (1, timesteps, features)
    if x is None:
        return
    prediction(trained, split, sample)
    initial = initial_state_controls(spec, layer)
    state.ensure("states", {"tab": TABS[0]})
    tabs = st.tabs(TABS, key="states.tab", on_change="rerun")
    with tabs[0]:
        if tabs[0].open:
            stepper.step_through(trained, x, layer, initial, windows.feature_names)
    with tabs[1]:
        if tabs[1].open:
            whole_sample(trained, x, layer, initial)
            returns = attempt(returned_tensors, trained.model, x, initial)
            if returns is not None:
                width = windows.features if layer == 1 else spec.layers[layer - 2].units
                returned(returns[layer - 1], spec.layers[layer - 1], windows.timesteps, width)
                traces = attempt(trace, trained.model, x, layer, initial)
                if traces is not None:
                    export(returns, traces, x, split, sample, layer)
    with tabs[2]:
        if tabs[2].open:
            units_view(trained, x, split, layer)
    with tabs[3]:
        if tabs[3].open:
            diagnosis_tab(trained)


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
st.caption(
    "A recurrent layer is one cell called once per time step: each call reads the step's input "
    "x_t and the states the call before handed on, and hands on new ones. Here you can watch "
    "your trained model make those calls with its real numbers."
)
choice = choose_model()
if choice is not None:
    trained = attempt(inspection.open_choice, choice)
    if trained is not None:
        inspect_model(trained)
