"""Home: what LSTM Lab is, the one picture it is built around, and a one-click demo.

This page must open without importing TensorFlow: the demo imports it only when clicked.
"""

import streamlit as st

from ui import demo
from ui.errors import attempt
from ui.picture import CELL_DIAGRAM, CELL_EQUATIONS
from ui.router import ensure_routed

ensure_routed()

st.title("LSTM Lab")
st.markdown(
    "LSTM Lab is a workbench for recurrent networks: load a time series or a set of "
    "sequences, stack LSTM, GRU and SimpleRNN layers, and train them while you watch the loss "
    "fall. Before anything is built it shows what every layer returns, with its shape, in "
    "Keras' terms and PyTorch's; after training it opens the cell up, with the hidden state, "
    "the cell state and the four gates at every time step. A vanishing-gradient lab measures, "
    "with real gradients, why an LSTM can learn what a plain RNN forgets."
)

st.subheader("One cell, called once per time step")
st.graphviz_chart(CELL_DIAGRAM)
left, right = st.columns([3, 2], gap="large")
with left:
    st.markdown(
        """
An LSTM layer is **one cell**, with one set of weights, called once for every element of
the sequence; the picture unrolls those calls. Each call takes **three inputs**:

- $x_t$, this step's features, shape `(batch, features)`;
- $h_{t-1}$, the previous *hidden state*, `(batch, units)`: what the cell showed last step;
- $c_{t-1}$, the previous *cell state*, `(batch, units)`: its long-term memory;

and gives **three outputs**: the step's output $y_t$, which *is* $h_t$, and the new states
$h_t$ and $c_t$ handed to the next call. The forget gate decides how much of
`c` is kept and the input gate how much new is written, which is why gradients can flow back
along `c` over many steps.

Keras starts from **zero states** (not random ones) unless you pass `initial_state`, and
**`units` is the size of h and c**, not a count of cells. A layer returns the last output
`(batch, units)`, or every step's `(batch, timesteps, units)` with `return_sequences=True`;
`return_state=True` adds the final states: `[output, h, c]`.
"""
    )
    with st.expander("The cell's equations"):
        st.latex(CELL_EQUATIONS)

with right:
    st.subheader("Try it")
    st.markdown(
        "One click loads ten years of Melbourne's daily minimum temperatures, builds two stacked LSTM layers "
        f"(`{demo.DEMO_LAYERS}`) and trains them for {demo.DEMO_EPOCHS} epochs; the Train "
        "page then shows the loss falling, live."
    )
    clicked = st.button(
        "Run the demo", type="primary", icon=":material/play_arrow:", key="_home.demo"
    )
    if clicked and attempt(demo.start_demo) is not None:
        st.switch_page("pages/train.py")
    st.markdown(
        "Or go step by step: **Data** (choose or upload a series), **Model** (stack layers and "
        "read the shapes), **Train**, then **States** to look inside the trained cell. "
        "**Runs** keeps every run; **Vanishing gradients** shows why the LSTM exists."
    )
