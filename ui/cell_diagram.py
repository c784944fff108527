"""Home's picture for a trained layer: one cell unrolled over the sample, step ``t`` highlighted.

A Graphviz diagram (drawn by the browser). It shows the first and last steps and the ones next
to ``t``; the arrows are what the layer really hands on: ``h`` (and an LSTM's ``c``) to the next
step, ``h`` up the stack at every step or only at the last, and the final states that
``return_state`` adds.
"""

from __future__ import annotations

from lstm_core.cells import CELLS
from ui.picture import EDGE_STYLE, NODE_STYLE, PLAIN_STYLE

_NOW = 'fillcolor="#f5b041", color="#b9770e", penwidth=2.5'  # the step shown, on both themes


def shown_steps(t: int, timesteps: int) -> list[int]:
    """The 1-based steps drawn: the first, the last and the neighbours of ``t``."""
    return sorted({1, t - 1, t, t + 1, timesteps} & set(range(1, timesteps + 1)))


def unrolled(
    kind: str,
    t: int,
    timesteps: int,
    *,
    go_backwards: bool,
    return_sequences: bool,
    return_state: bool,
    above: str,
) -> str:
    """The DOT source.

    Args:
        kind: a key of ``lstm_core.cells.CELLS``.
        t: the highlighted step, 1-based in reading order.
        timesteps: steps in the sample, ``T``.
        go_backwards: whether step ``s`` reads input ``T + 1 - s``.
        return_sequences, return_state: the layer's options.
        above: what reads the layer's output ("layer_2", "the head").
    """
    states = CELLS[kind].state_names

    def carried(step: int | str) -> str:
        return ", ".join(f"{s}{step}" for s in states)

    lines = [
        "digraph unrolled {",
        # Streamlit draws every label at one small size: lay out at it (see ui.picture).
        '  rankdir=LR; bgcolor="transparent"; nodesep=0.12; ranksep=0.22; pad=0.05;',
        f'  node [{NODE_STYLE}, fontname="Helvetica", fontsize=10];',
        f'  edge [{EDGE_STYLE}, fontname="Helvetica", fontsize=10];',
        f'  start [label="{carried("₀")}\\n(initial)", {PLAIN_STYLE}];',
    ]
    previous = "start"
    steps = shown_steps(t, timesteps)
    for position, step in enumerate(steps):
        if position and step != steps[position - 1] + 1:
            lines.append(f'  gap{step} [label="…", {PLAIN_STYLE}];')
            lines.append(f'  {previous} -> gap{step} [label="{carried("")}"];')
            previous = f"gap{step}"
        read = timesteps + 1 - step if go_backwards else step
        highlight = f", {_NOW}" if step == t else ""
        lines.append(f'  cell{step} [label="step {step}"{highlight}];')
        lines.append(f'  x{step} [label="x_{read}", shape=circle, width=0.3{highlight}];')
        lines.append(f"  x{step} -> cell{step};")
        label = carried(f"_{step - 1}") if previous != "start" else carried("₀")
        lines.append(f'  {previous} -> cell{step} [label="{label}"];')
        if return_sequences or step == timesteps:
            lines.append(f'  up{step} [label="h_{step} → {above}", {PLAIN_STYLE}];')
            lines.append(f"  cell{step} -> up{step};")
        lines.append(f"  {{rank=same; x{step}; cell{step}}}")
        previous = f"cell{step}"
    if return_state:
        lines.append(f'  final [label="{carried("_T")}\\n(return_state)", {PLAIN_STYLE}];')
        lines.append(f"  cell{timesteps} -> final;")
    lines.append("}")
    return "\n".join(lines)
