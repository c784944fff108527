"""One colour per cell kind, the same on every chart of the app.

Pages import ``CELL_COLORS`` (or ``cell_colors``) and hand the chart builders a
``{label: colour}`` mapping, so an LSTM is blue, a GRU green and a SimpleRNN orange wherever
they appear. The colours are Tableau 10's, which read on Streamlit's light and dark themes.
"""

from __future__ import annotations

from collections.abc import Iterable

from lstm_core.model import KERAS_CLASS, KINDS

# Tableau 10, reordered so that the first kinds of the cell table (LSTM, GRU, SimpleRNN) keep
# blue, green and orange; a kind added to lstm_core.cells takes the next colour.
TABLEAU_10 = (
    "#4c78a8",  # blue
    "#54a24b",  # green
    "#f58518",  # orange
    "#e45756",  # red
    "#72b7b2",  # teal
    "#eeca3b",  # yellow
    "#b279a2",  # purple
    "#ff9da6",  # pink
    "#9d755d",  # brown
    "#bab0ac",  # grey
)
CELL_COLORS = dict(zip(KINDS, TABLEAU_10, strict=False))  # kind -> colour


def cell_colors(kinds: Iterable[str]) -> dict[str, str]:
    """``{Keras class name: colour}`` for ``kinds``, e.g. ``{"LSTM": "#4c78a8"}``."""
    return {KERAS_CLASS[kind]: CELL_COLORS[kind] for kind in kinds}
