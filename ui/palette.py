"""One colour per cell kind, the same on every chart of the app.

Pages import ``CELL_COLORS`` (or ``cell_colors``) and hand the chart builders a
``{label: colour}`` mapping, so an LSTM is blue, a GRU green and a SimpleRNN orange wherever
they appear. The colours are Tableau 10's, which read on Streamlit's light and dark themes.
"""

from __future__ import annotations

from collections.abc import Iterable

from lstm_core.model.describe import KERAS_CLASS

CELL_COLORS = {"lstm": "#4c78a8", "gru": "#54a24b", "rnn": "#f58518"}  # blue, green, orange


def cell_colors(kinds: Iterable[str]) -> dict[str, str]:
    """``{Keras class name: colour}`` for ``kinds``, e.g. ``{"LSTM": "#4c78a8"}``."""
    return {KERAS_CLASS[kind]: CELL_COLORS[kind] for kind in kinds}
