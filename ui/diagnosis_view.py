"""The diagnosis of a trained model, as the Train and States pages show it."""

from __future__ import annotations

import streamlit as st

from lstm_core.inspect import SPLIT_NAMES
from lstm_core.inspect.diagnosis import DEAD_STD, FLAT_RATIO, SATURATED
from ui import tables


def show(diagnosis: dict, timesteps: int) -> None:
    """The flat-prediction verdict, then a table per layer, each figure beside its yardstick.

    Args:
        diagnosis: ``lstm_core.inspect.diagnose``'s dict.
        timesteps: the lookback, the yardstick of the memory length.
    """
    split = SPLIT_NAMES[diagnosis["split"]]
    spread = diagnosis["spread"]
    if diagnosis["flat"]:
        advice = "\n".join(f"- {line}" for line in diagnosis["advice"])
        st.warning(
            f"**Flat predictions.** On the {split} split the predictions vary only "
            f"{spread:.0%} as much as the target (flat below {FLAT_RATIO:.0%}). "
            f"{diagnosis['cause']}\n\nWhat to try:\n{advice}",
            icon=":material/trending_flat:",
        )
    else:
        st.success(
            f"Not flat: on the {split} split the predictions vary {spread:.0%} as much as the "
            f"target (flat would be below {FLAT_RATIO:.0%}).",
            icon=":material/check:",
        )
    st.dataframe(tables.diagnosis_table(diagnosis), hide_index=True)
    low, high = SATURATED
    st.caption(
        f"Over {diagnosis['samples']} samples of the {split} split. A gate is saturated above "
        f"{high} or below {low}, where it barely learns. The memory length is 1 / (1 - mean "
        f"forget gate) steps (a GRU's update gate), against a lookback of {timesteps} steps. A "
        f"unit is constant when its h varies less than {DEAD_STD} over the data."
    )
