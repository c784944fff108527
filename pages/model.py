"""Model: stack recurrent layers, set Keras' return options, and see every shape before building."""

import streamlit as st

from lstm_core.errors import SpecError
from lstm_core.model import (
    CELLS,
    FORGET_BIASES,
    KERAS_CLASS,
    KINDS,
    count_params,
    describe,
    describe_head,
    format_layers,
    parse_layers,
    suggest_fix,
    validate,
)
from ui import dataset, layer_tables, stack, state
from ui.errors import show_error
from ui.router import ensure_routed
from ui.text import shape_text
from ui.workspace import limits

ensure_routed()

# Shapes are shown for this input until data is loaded.
PLACEHOLDER_INPUT = (24, 1)


def apply_preset() -> None:
    stack.set_layers(parse_layers(stack.PRESETS[state.get("model", "preset")]))


def apply_fix(layers) -> None:
    stack.set_layers(layers)


def layer_editor(position: int, layer_id: int, count: int) -> None:
    """The widgets of one layer, in a bordered box, with move and remove buttons."""
    key = stack.widget_key
    with st.container(border=True):
        title, up, down, remove = st.columns([5, 1, 1, 1], vertical_alignment="center")
        title.markdown(f"**Layer {position + 1}** (`layer_{position + 1}`)")
        up.button(
            "Up",
            icon=":material/arrow_upward:",
            key=f"_model.up{layer_id}",
            help="Move this layer earlier: nearer the input.",
            disabled=position == 0,
            on_click=stack.move_layer,
            args=(position, -1),
        )
        down.button(
            "Down",
            icon=":material/arrow_downward:",
            key=f"_model.down{layer_id}",
            help="Move this layer later: nearer the head.",
            disabled=position == count - 1,
            on_click=stack.move_layer,
            args=(position, 1),
        )
        remove.button(
            "Remove",
            icon=":material/delete:",
            key=f"_model.remove{layer_id}",
            disabled=count == 1,
            on_click=stack.remove_layer,
            args=(position,),
        )
        kind, units, sequences, states = st.columns(4)
        kind.selectbox(
            "Kind",
            KINDS,
            key=key(layer_id, "kind"),
            format_func=KERAS_CLASS.get,
            persist_state="session",
        )
        units.number_input(
            "Units (size of h and c)",
            min_value=1,
            step=1,
            key=key(layer_id, "units"),
            persist_state="session",
        )
        sequences.toggle(
            "return_sequences",
            key=key(layer_id, "return_sequences"),
            help="Output h at every step (batch, timesteps, units) instead of "
            "only the last (batch, units).",
            persist_state="session",
        )
        states.toggle(
            "return_state",
            key=key(layer_id, "return_state"),
            help="Also return the final states: [output, h, c] for an LSTM, "
            "[output, h] for GRU and SimpleRNN.",
            persist_state="session",
        )
        dropout, recurrent, backwards, bias = st.columns(4)
        dropout.slider(
            "dropout", 0.0, 0.9, step=0.05, key=key(layer_id, "dropout"), persist_state="session"
        )
        recurrent.slider(
            "recurrent_dropout",
            0.0,
            0.9,
            step=0.05,
            key=key(layer_id, "recurrent_dropout"),
            help="Drops parts of h between steps; rules out cuDNN on a GPU.",
            persist_state="session",
        )
        backwards.toggle("go_backwards", key=key(layer_id, "go_backwards"), persist_state="session")
        if CELLS[st.session_state[key(layer_id, "kind")]].forget_bias:
            bias.selectbox(
                "Forget-gate bias",
                FORGET_BIASES,
                key=key(layer_id, "forget_bias"),
                help="one: Keras' default (Jozefowicz et al. 2015); chrono: "
                "Tallec & Ollivier 2018.",
                persist_state="session",
            )
        else:
            st.session_state[key(layer_id, "forget_bias")] = "one"  # an LSTM-only option


def explain(error, spec, timesteps: int, features: int) -> None:
    """Why the stack cannot be built, and a button that applies the engine's fix."""
    show_error(error)
    fixed = suggest_fix(spec, timesteps, features, limits())
    if fixed is not None:
        st.button(
            f"Apply the fix: `{format_layers(fixed.layers)}`",
            type="primary",
            key="_model.fix",
            on_click=apply_fix,
            args=(fixed.layers,),
        )


def describe_stack(spec, timesteps: int, features: int) -> None:
    """What every layer returns, the head, the parameters, and the GPU notes."""
    rows = describe(spec, timesteps, features)
    st.subheader("What every layer returns")
    st.markdown(layer_tables.markdown_table(layer_tables.describe_records(rows)))
    for note in layer_tables.variant_notes(rows):
        st.caption(note)
    st.caption("Around the stack:")
    head = describe_head(spec, timesteps, features)
    st.markdown(layer_tables.markdown_table(layer_tables.head_records(head)))
    st.metric("Trainable parameters", f"{count_params(spec, timesteps, features):,}")
    with st.expander("PyTorch equivalents and cuDNN (GPU) eligibility"):
        st.markdown(layer_tables.markdown_table(layer_tables.gpu_records(rows)))


st.title("Model")
windows = dataset.windows()
if windows is None:
    timesteps, features = PLACEHOLDER_INPUT
    st.info(
        f"No data yet: shapes are shown for inputs of {timesteps} timesteps and {features} "
        "feature. Load data on the Data page to see your own."
    )
else:
    timesteps, features = windows.timesteps, windows.features
st.caption(
    f"Input: {shape_text((None, timesteps, features))} = (batch, timesteps, features). "
    "One recurrent layer is one cell, called once per time step; units is the size of its h "
    "and c, not a number of cells."
)

state.ensure("model", {"preset": next(iter(stack.PRESETS))})
preset, apply = st.columns([4, 1], vertical_alignment="bottom")
preset.selectbox(
    "Preset",
    list(stack.PRESETS),
    key="model.preset",
    format_func=lambda name: f"{name}: {stack.PRESETS[name]}",
    persist_state="session",
)
apply.button("Use preset", key="_model.apply_preset", on_click=apply_preset)

ids = stack.layer_ids()
for position, layer_id in enumerate(ids):
    layer_editor(position, layer_id, len(ids))
st.button(
    "Add a layer on top",
    icon=":material/add:",
    key="_model.add",
    disabled=len(ids) >= limits().max_layers,
    on_click=stack.add_layer,
)
st.caption("Layer string (for the command line):")
st.code(stack.layer_string(), language=None)

spec = stack.model_spec(windows)
try:
    validate(spec, timesteps, features, limits())
except SpecError as error:
    explain(error, spec, timesteps, features)
else:
    describe_stack(spec, timesteps, features)
