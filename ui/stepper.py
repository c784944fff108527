"""Step through the cell: one call of the chosen layer's cell at step ``t``, with its real numbers.

The step controls and everything they change live in one ``st.fragment``: a click on Previous
or Next, or a tick of Play (the fragment's ``run_every``), reruns only the fragment, not the
page. Starting or pausing Play reruns the page once, to start or stop the ticks.
"""

from __future__ import annotations

import streamlit as st

from lstm_core.cells import CELLS
from lstm_core.inspect import cell_step
from ui import cell_charts, cell_diagram, cell_text, state
from ui.errors import attempt

NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SPEEDS = {0.5: "slow: 2 s a step", 1.0: "1 step a second", 2.0: "2 steps a second", 4.0: "fast"}


def _move(by: int, timesteps: int) -> None:
    step = state.get("states", "step") + by
    state.put("states", "step", min(max(step, 1), timesteps))


def _play(timesteps: int) -> None:
    if state.get("states", "step") >= timesteps:
        state.put("states", "step", 1)  # Play at the end starts again from the first step
    state.put("states", "playing", True)


def _pause() -> None:
    state.put("states", "playing", False)


def step_through(trained, x, layer: int, initial_state, feature_names) -> None:
    """The view: controls, the unrolled picture, the call's inputs, gates and outputs.

    Args:
        trained: the ``ui.inspection.Trained`` shown.
        x: the sample, ``(1, timesteps, features)``.
        layer: the 1-based layer.
        initial_state: the what-if initial state, as ``cell_step`` takes it.
        feature_names: names of ``x``'s features.
    """
    timesteps = x.shape[1]
    state.ensure("states", {"step": 1, "playing": False, "speed": 1.0, "unit": 0})
    _move(0, timesteps)  # a shorter sample than before: keep the step inside it
    playing = state.get("states", "playing")

    @st.fragment(run_every=1.0 / state.get("states", "speed") if playing else None)
    def stepper() -> None:
        if state.get("states", "playing") != playing:
            st.rerun()  # Play or Pause was pressed: the page reruns to start or stop the ticks
        if playing:
            if state.get("states", "step") >= timesteps:
                _pause()
                st.rerun()
            _move(1, timesteps)
        controls(timesteps, playing)
        one_step(trained, x, layer, initial_state, feature_names)

    stepper()


def controls(timesteps: int, playing: bool) -> None:
    slider, previous, following, play, speed = st.columns(
        [3, 1.3, 1.3, 1.3, 2], vertical_alignment="bottom"
    )
    slider.slider(
        "Step t", 1, timesteps, key="states.step", disabled=playing, persist_state="session"
    )
    previous.button(
        "Previous", key="_states.previous", on_click=_move, args=(-1, timesteps),
        disabled=playing, icon=":material/chevron_left:",
    )  # fmt: skip
    following.button(
        "Next", key="_states.next", on_click=_move, args=(1, timesteps),
        disabled=playing, icon=":material/chevron_right:",
    )  # fmt: skip
    if playing:
        play.button("Pause", key="_states.pause", on_click=_pause, icon=":material/pause:")
    else:
        play.button(
            "Play", key="_states.play", on_click=_play, args=(timesteps,),
            icon=":material/play_arrow:",
        )  # fmt: skip
    speed.selectbox(
        "Speed", list(SPEEDS), key="states.speed", format_func=SPEEDS.get,
        disabled=playing, persist_state="session",
    )  # fmt: skip


def one_step(trained, x, layer: int, initial_state, feature_names) -> None:
    spec = trained.model_spec.layers[layer - 1]
    kind, timesteps = spec.kind, x.shape[1]
    t = state.get("states", "step")  # 1-based, in the layer's reading order
    step = attempt(cell_step, trained.model, x, layer, t - 1, initial_state)
    if step is None:
        return
    layers = len(trained.model_spec.layers)
    above = f"layer_{layer + 1}" if layer < layers else "head"
    st.graphviz_chart(
        cell_diagram.unrolled(
            kind, t, timesteps,
            go_backwards=spec.go_backwards,
            return_sequences=spec.return_sequences,
            return_state=spec.return_state,
            above=above,
        )
    )  # fmt: skip
    read = timesteps + 1 - t if spec.go_backwards else t
    backwards = (
        " (go_backwards: the layer reads the sample last step first)" if spec.go_backwards else ""
    )
    st.markdown(
        f"**Step {t} of {timesteps}**: the cell reads x_{read}, the input at time step "
        f"{read}{backwards}, and the states the step before handed on."
    )
    unit = _unit_choice(spec.units)
    width_labels = (
        list(feature_names) if layer == 1 else [f"h[{k}]" for k in range(len(step["x_t"]))]
    )
    x_title = "x_t (scaled)" if layer == 1 else f"x_t = h_t of layer_{layer - 1}"
    row = CELLS[kind]
    st.markdown(f"**Its {_in_words(1 + len(row.states))} inputs**")  # x_t and each state
    inputs = [cell_charts.step_bars(x_title, step["x_t"], labels=width_labels)]
    inputs += [
        cell_charts.step_bars(f"{s}_t-1", step[f"{s}_prev"], chosen=unit) for s in row.state_names
    ]
    st.altair_chart(cell_charts.panels(inputs), width="content")
    if row.gates:
        st.markdown(
            "**The gates**: first the pre-activation (x_t W + h_t-1 U + b), then squashed by "
            "σ into [0, 1] (a gate: how much passes) or by tanh into [-1, 1] (new values)"
        )
        st.altair_chart(
            cell_charts.panels(
                [cell_charts.step_bars(f"{g}: pre-activation", step[f"pre_{g}"], chosen=unit)
                 for g in row.gate_names if f"pre_{g}" in step]  # a coupled gate has none
            ),
            width="content",
        )  # fmt: skip
        st.altair_chart(
            cell_charts.panels(
                [cell_charts.step_bars(cell_text.short_label(kind, g), step[g], chosen=unit,
                                       domain=_domain(kind, g)) for g in row.gate_names]
            ),
            width="content",
        )  # fmt: skip
    outputs = [
        cell_charts.step_bars(f"{s}_t", step[s], chosen=unit, domain=_domain(kind, s))
        for s in row.state_names
    ]
    st.markdown("**What it hands on**: " + " and ".join(
        cell_text.label(kind, s) for s in row.state_names))  # fmt: skip
    st.altair_chart(cell_charts.panels(outputs), width="content")
    st.markdown(f"**Unit {unit}, written out** (rounded to 3 decimals; highlighted above)")
    st.code(cell_text.arithmetic(kind, step, unit), language=None)
    st.markdown(
        "\n".join(
            f"- {line}"
            for line in cell_text.hands_on(
                kind, layer, layers, spec.return_sequences, spec.return_state
            )
        )
    )


def _unit_choice(units: int) -> int:
    if state.get("states", "unit") >= units:
        state.put("states", "unit", 0)
    return st.selectbox(
        "Unit to follow (highlighted in the bars, written out below)",
        list(range(units)),
        key="states.unit",
        persist_state="session",
    )


def _domain(kind: str, name: str):
    """The fixed axis of a gate or state: [0, 1] for a gate, [-1, 1] for a tanh, else free."""
    signal = CELLS[kind].signal(name)
    if not signal.bounded:
        return None
    return cell_charts.TANH_DOMAIN if signal.signed else cell_charts.GATE_DOMAIN


def _in_words(count: int) -> str:
    """``count`` as a word up to nine ("three"), as digits above."""
    return NUMBERS[count] if count < len(NUMBERS) else str(count)
