"""The words for one cell call: each cell kind's gates and states, and one unit's arithmetic.

Formatting only: every number comes from ``lstm_core.inspect.cell_step``; a line such as
``c_t[3] = f × c_prev + i × g = 0.920 × 0.410 + 0.130 × -0.700 = 0.286`` prints the engine's
own operands and result, rounded for reading, never a value computed here.
"""

from __future__ import annotations

from lstm_core.model import CELLS, KERAS_CLASS

# Per cell kind: what it hands from step to step, and the values one call makes, in order.
STATES = {kind: cell.state_names for kind, cell in CELLS.items()}
GATES = {kind: cell.gate_names for kind, cell in CELLS.items()}

LABELS = {
    "x": "x_t: the input at this step",
    "h_prev": "h_t-1: hidden state from the step before",
    "c_prev": "c_t-1: cell state from the step before",
    "i": "i: input gate, how much of g is written into c",
    "f": "f: forget gate, how much of c_t-1 is kept",
    "g": "g: candidate values to write",
    "o": "o: output gate, how much of tanh(c_t) is shown as h",
    "z": "z: update gate, how much of h_t-1 is kept",
    "r": "r: reset gate, how much of h_t-1 the candidate reads",
    "candidate": "candidate: the new values, tanh",
    "h": "h_t: hidden state, the step's output",
    "c": "c_t: cell state, the long-term memory",
}
SHORT = {
    "i": "i: input gate",
    "f": "f: forget gate",
    "g": "g: candidate",
    "o": "o: output gate",
    "z": "z: update gate",
    "r": "r: reset gate",
    "candidate": "candidate",
    "h": "h: hidden state",
    "c": "c: cell state",
}


def layer_label(index: int, kind: str, units: int) -> str:
    return f"layer_{index} ({KERAS_CLASS[kind]}, {units} units)"


def equations(kind: str) -> str:
    """The cell's equations in Keras' form, as plain text (the row's ``equations``)."""
    return CELLS[kind].equations


def arithmetic(kind: str, step: dict, unit: int) -> str:
    """One unit's call written out with its real numbers, a line per value, in order.

    Args:
        kind: a key of ``lstm_core.cells.CELLS``; its row's ``arithmetic`` templates are filled.
        step: ``lstm_core.inspect.cell_step``'s dict; each value ``(units,)``.
        unit: the 0-based unit.
    """
    v = {name: f"{float(values[unit]):.3f}" for name, values in step.items() if name != "x_t"}
    return "\n".join(line.format(u=f"[{unit}]", **v) for line in CELLS[kind].arithmetic)


def hands_on(kind: str, index: int, layers: int, return_sequences: bool, return_state: bool):
    """Sentences: what the call at a step hands to the next step, up the stack, and what
    ``return_state`` adds."""
    states = " and ".join(f"{s}_t" for s in STATES[kind])
    above = f"layer_{index + 1}" if index < layers else "the head (the Dense output layer)"
    lines = [f"To the next step: {states}, which the same cell reads at step t+1."]
    if return_sequences:
        lines.append(
            f"Up to {above}: h_t at every step (return_sequences=True), so this step's h_t too."
        )
    else:
        lines.append(
            f"Up to {above}: only the last step's h_T (return_sequences=False); the other steps' "
            "h stay inside the layer."
        )
    final = " and ".join(f"{s}_T" for s in STATES[kind])
    if return_state:
        lines.append(
            f"return_state=True: the layer also returns the final {final} after its output."
        )
    else:
        lines.append(f"return_state=False: the final {final} are not returned on their own.")
    return lines
