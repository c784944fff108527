"""The one picture LSTM Lab is built around: one cell, called once per time step.

A Graphviz diagram (drawn by the browser; no Python package needed) of an LSTM layer unrolled
over its n time steps. Nodes have their own light fill and dark text, edges and their labels a
mid grey, so the picture reads on Streamlit's light and dark backgrounds alike.
"""

# Streamlit draws every label of a Graphviz chart at one small size (9.6 px) whatever the DOT
# says, in a picture as wide as the layout (1 point = 4/3 px) or shrunk to fit the column. So
# the layout is made at that size (fontsize=10) and kept compact: narrower than the column, the
# picture keeps its size and its labels read at about 13 px (they were shrunk to 8 px). For the
# same reason subscripts are Unicode characters (xₙ): Graphviz's <SUB> lands misplaced.
NODE_STYLE = (
    'shape=box, style="rounded,filled", fillcolor="#dbe7f5", color="#3b6fb6", '
    'fontcolor="#1f2d3d", margin="0.1,0.04"'
)
PLAIN_STYLE = 'shape=plain, style="", fontcolor="#5f6b7a"'  # words beside the picture, not parts
EDGE_STYLE = 'color="#7a8594", fontcolor="#5f6b7a", arrowsize=0.6'

CELL_DIAGRAM = f"""
digraph lstm {{
  rankdir=LR; bgcolor="transparent"; nodesep=0.12; ranksep=0.22; pad=0.05;
  node [{NODE_STYLE}, fontname="Helvetica", fontsize=10];
  edge [{EDGE_STYLE}, fontname="Helvetica", fontsize=10];
  start [label="h₀ = 0\\nc₀ = 0", {PLAIN_STYLE}];
  x1 [label="x₁", shape=circle, width=0.3]; x2 [label="x₂", shape=circle, width=0.3];
  xT [label="xₙ", shape=circle, width=0.3];
  y1 [label="y₁ = h₁", {PLAIN_STYLE}]; y2 [label="y₂ = h₂", {PLAIN_STYLE}];
  yT [label="yₙ = hₙ", {PLAIN_STYLE}];
  cell1 [label="LSTM cell\\nstep 1"]; cell2 [label="the same cell\\nstep 2"];
  dots [label="…", {PLAIN_STYLE}];
  cellT [label="the same cell\\nstep n"];
  end [label="final hₙ, cₙ\\n(return_state)", {PLAIN_STYLE}];
  start -> cell1 [label="h₀, c₀"];
  cell1 -> cell2 [label="h₁, c₁"]; cell2 -> dots [label="h₂, c₂"];
  dots -> cellT [label="hₙ₋₁, cₙ₋₁"];
  cellT -> end [label="hₙ, cₙ"];
  x1 -> cell1; x2 -> cell2; xT -> cellT;
  cell1 -> y1; cell2 -> y2; cellT -> yT;
  {{rank=same; x1; cell1; y1}} {{rank=same; x2; cell2; y2}} {{rank=same; xT; cellT; yT}}
}}
"""

# The cell's equations in Keras' gate order i, f, c (the candidate, here g), o.
CELL_EQUATIONS = r"""
\begin{aligned}
i_t &= \sigma(x_t W_i + h_{t-1} U_i + b_i) &\text{input gate}\\
f_t &= \sigma(x_t W_f + h_{t-1} U_f + b_f) &\text{forget gate}\\
g_t &= \tanh(x_t W_g + h_{t-1} U_g + b_g) &\text{candidate}\\
o_t &= \sigma(x_t W_o + h_{t-1} U_o + b_o) &\text{output gate}\\
c_t &= f_t \odot c_{t-1} + i_t \odot g_t &\text{cell state}\\
h_t &= o_t \odot \tanh(c_t) &\text{hidden state (the output } y_t)
\end{aligned}
"""
