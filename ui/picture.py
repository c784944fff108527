"""The one picture LSTM Lab is built around: one cell, called once per time step.

A Graphviz diagram (drawn by the browser; no Python package needed) of an LSTM layer unrolled
over time. Nodes have their own light fill and dark text, edges and their labels a mid grey, so
the picture reads on Streamlit's light and dark backgrounds alike.
"""

NODE_STYLE = (
    'shape=box, style="rounded,filled", fillcolor="#dbe7f5", color="#3b6fb6", fontcolor="#1f2d3d"'
)
EDGE_STYLE = 'color="#8a8a8a", fontcolor="#8a8a8a"'

CELL_DIAGRAM = f"""
digraph lstm {{
  rankdir=LR; bgcolor="transparent"; nodesep=0.35; ranksep=0.5;
  node [{NODE_STYLE}, fontname="Helvetica", fontsize=16];
  edge [{EDGE_STYLE}, fontname="Helvetica", fontsize=16];
  start [label="h₀ = 0\\nc₀ = 0", shape=plain, fontcolor="#8a8a8a"];
  x1 [label="x₁", shape=circle]; x2 [label="x₂", shape=circle]; xT [label="x_T", shape=circle];
  y1 [label="y₁ = h₁", shape=plain, fontcolor="#8a8a8a"];
  y2 [label="y₂ = h₂", shape=plain, fontcolor="#8a8a8a"];
  yT [label="y_T = h_T", shape=plain, fontcolor="#8a8a8a"];
  cell1 [label="LSTM cell\\nstep 1"]; cell2 [label="the same cell\\nstep 2"];
  dots [label="…", shape=plain, fontcolor="#8a8a8a"];
  cellT [label="the same cell\\nstep T"];
  end [label="final h_T, c_T\\n(return_state)", shape=plain, fontcolor="#8a8a8a"];
  start -> cell1 [label="h₀, c₀"];
  cell1 -> cell2 [label="h₁, c₁"]; cell2 -> dots [label="h₂, c₂"];
  dots -> cellT [label="h_T₋₁, c_T₋₁"]; cellT -> end [label="h_T, c_T"];
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
