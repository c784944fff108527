"""The words for one cell call: each cell kind's gates and states, and one unit's arithmetic.

Formatting only: every number comes from ``lstm_core.inspect.cell_step``; a line such as
``c_t[3] = f × c_prev + i × g = 0.920 × 0.410 + 0.130 × -0.700 = 0.286`` prints the engine's
own operands and result, rounded for reading, never a value computed here.
"""

from __future__ import annotations

from lstm_core.model import CELLS


def label(kind: str, name: str) -> str:
    """A gate or state of ``kind``'s row with what it does: ``"f: forget gate, how much of
    c_t-1 is kept"``; a state is written at its step, ``"h_t: hidden state, ..."``."""
    row = CELLS[kind]
    at = "_t" if name in row.state_names else ""
    return f"{name}{at}: {row.signal(name).meaning}"


def short_label(kind: str, name: str) -> str:
    """A gate or state of ``kind``'s row in a few words: ``"f: forget gate"``."""
    words = CELLS[kind].signal(name).label
    return name if words == name else f"{name}: {words}"


def layer_label(index: int, kind: str, units: int) -> str:
    return f"layer_{index} ({CELLS[kind].label}, {units} units)"


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
    names = CELLS[kind].state_names
    states = " and ".join(f"{s}_t" for s in names)
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
    final = " and ".join(f"{s}_T" for s in names)
    if return_state:
        lines.append(
            f"return_state=True: the layer also returns the final {final} after its output."
        )
    else:
        lines.append(f"return_state=False: the final {final} are not returned on their own.")
    return lines
