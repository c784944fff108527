"""One colour per cell kind, the same on every chart of the app, for any number of kinds.

Pages hand the chart builders ``cell_colors(kinds)``, a ``{label: colour}`` mapping, so an
LSTM is blue, a GRU green and a SimpleRNN orange wherever they appear. The first ten kinds of
the cell table take Tableau 10's colours, which read on Streamlit's light and dark themes; a
kind after them takes a colour made from its own name, so adding a row to ``lstm_core.cells``
gives it a colour without an edit here, and the colour does not change when others are added.
"""

from __future__ import annotations

import colorsys
import hashlib
from collections.abc import Iterable

from lstm_core.cells import CELLS, cell

# Tableau 10, reordered so that the first kinds of the cell table (LSTM, GRU, SimpleRNN) keep
# blue, green and orange.
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


def cell_color(kind: str) -> str:
    """The colour of ``kind`` (a key of ``CELLS``) as ``"#rrggbb"``.

    Tableau 10's by the row's place in the table for the first ten rows; after them, a hue
    taken from a hash of the kind's name (not Python's ``hash``, which changes per process)
    at a middle lightness and saturation that read on both themes.
    """
    place = list(CELLS).index(cell(kind).kind)
    if place < len(TABLEAU_10):
        return TABLEAU_10[place]
    hue = int.from_bytes(hashlib.sha256(kind.encode()).digest()[:2], "big") / 2**16
    red, green, blue = colorsys.hls_to_rgb(hue, 0.55, 0.6)
    return "#" + "".join(f"{round(255 * channel):02x}" for channel in (red, green, blue))


def cell_colors(kinds: Iterable[str]) -> dict[str, str]:
    """``{label: colour}`` for ``kinds``, keyed as charts name cells: ``{"LSTM": "#4c78a8"}``."""
    return {cell(kind).label: cell_color(kind) for kind in kinds}
