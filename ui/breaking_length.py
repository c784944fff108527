"""The Vanishing page's breaking-length section: the shipped sweep drawn at once, and any of
its points trained again live.

The result comes from ``scripts/breaking_length.py`` (``lstm_core.sweeps.breaking``), shipped
with the package, so a hosted visitor sees the answer without waiting; the button re-runs one
point (cell, length, seed) with exactly its settings, as a ``CompareJob`` of this session.
"""

from __future__ import annotations

import streamlit as st

from lstm_core.experiments import CompareJob
from lstm_core.model import KERAS_CLASS
from lstm_core.sweeps import SOLVED_LOSS
from lstm_core.sweeps.breaking import load_shipped, point_config
from ui import jobs, state, sweeps
from ui.text import escape_markdown
from ui.workspace import limits

JOB = "breaking"  # this session's job registry name of the live point


def current_job() -> CompareJob | None:
    return jobs.registry().get(JOB)


def start_point() -> CompareJob:
    """Train the chosen point of the shipped sweep again; return the job."""
    shipped = load_shipped()
    config = point_config(
        shipped,
        state.get("vanishing", "point_kind"),
        state.get("vanishing", "point_length"),
        state.get("vanishing", "point_seed"),
    )
    job = CompareJob(config, limits=limits()).start()
    jobs.registry().put(JOB, job)
    return job


def verdict(shipped: dict) -> str:
    """``"SimpleRNN solves up to 25 steps; LSTM up to 100; ..."``."""
    parts = []
    for kind, length in shipped["breaking_length"].items():
        reach = "none of the lengths" if length is None else f"up to {length} steps"
        parts.append(f"{KERAS_CLASS[kind]} solves {reach}")
    return "; ".join(parts) + "."


def section(draw_progress) -> None:
    """The chart, the verdict, where it came from, and the live re-run of a point;
    ``draw_progress(snapshot)`` draws a running comparison (the page's own)."""
    shipped = load_shipped()
    if shipped is None:
        st.info("No breaking-length result is shipped; run python scripts/breaking_length.py.")
        return
    spec = shipped["spec"]
    st.markdown(
        f"**{escape_markdown(verdict(shipped))}** A length counts as solved when the median "
        f"validation MSE over {len(spec['seeds'])} seeds is below {SOLVED_LOSS} (the baseline "
        "that remembers nothing is 1/6); the band is the interquartile range over seeds."
    )
    st.altair_chart(
        sweeps.aggregate_chart(shipped["aggregate"], threshold=SOLVED_LOSS), width="stretch"
    )
    base = spec["base"]
    st.caption(
        escape_markdown(
            f"Measured by `{shipped['command']}` in {shipped['wall_s'] / 60:.0f} min on "
            f"{shipped['machine']}: {base['units']} units, {base['n_train']} sequences, "
            f"{base['epochs']} epochs, Adam {base['learning_rate']}, batch {base['batch_size']}."
        )
    )
    state.ensure(
        "vanishing",
        {
            "point_kind": spec["axes"]["kind"][0],
            "point_length": spec["axes"]["timesteps"][0],
            "point_seed": spec["seeds"][0],
        },
    )
    kind_column, length_column, seed_column = st.columns(3)
    kind_column.selectbox(
        "Cell",
        spec["axes"]["kind"],
        key="vanishing.point_kind",
        format_func=KERAS_CLASS.get,
        persist_state="session",
    )
    length_column.selectbox(
        "Length", spec["axes"]["timesteps"], key="vanishing.point_length", persist_state="session"
    )
    seed_column.selectbox(
        "Seed", spec["seeds"], key="vanishing.point_seed", persist_state="session"
    )
    job = current_job()
    active = jobs.is_active(job)
    jobs.start_stop_buttons(
        "vanishing_point", "Reproduce this point", "Stop", start_point, current_job, active=active
    )
    if job is None:
        return
    if active:
        jobs.follow(job, draw_progress)
        return
    snapshot = job.snapshot()
    draw_progress(snapshot)
    shipped_loss = _shipped_loss(shipped, job.config)
    if snapshot.status == "finished" and shipped_loss is not None:
        final = snapshot.val_loss[job.config.kinds[0]][-1]
        st.caption(
            f"Validation MSE now {final:.4f}; the shipped sweep measured {shipped_loss:.4f}."
        )


def _shipped_loss(shipped: dict, config) -> float | None:
    for trial in shipped["trials"]:
        settings = trial["settings"]
        if (settings["kind"], settings["timesteps"], settings["seed"]) == (
            config.kinds[0], config.timesteps, config.seed
        ):  # fmt: skip
            return trial["val_loss"]
    return None
