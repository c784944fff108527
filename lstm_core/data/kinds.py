"""The two kinds of windowing as data: which spec is which, how it is stored, how it cuts.

A stored run and an exported experiment keep their window spec as JSON with an explicit
``"kind"`` (``"series"`` for a ``WindowSpec``, ``"sequences"`` for a ``SequenceSpec``), so
nothing reading it back has to guess the kind from the keys it happens to have.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lstm_core.data.sequences import SequenceSpec, make_sequence_windows
from lstm_core.data.series import WindowSpec, make_windows
from lstm_core.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from lstm_core.data.windows import Windows
    from lstm_core.settings import Limits

# kind -> (spec class, the function that cuts a frame into Windows with it)
WINDOW_KINDS = {
    "series": (WindowSpec, make_windows),
    "sequences": (SequenceSpec, make_sequence_windows),
}


def window_kind(spec: WindowSpec | SequenceSpec) -> str:
    """``"series"`` or ``"sequences"``: the kind of ``spec``."""
    for kind, (cls, _) in WINDOW_KINDS.items():
        if isinstance(spec, cls):
            return kind
    raise ConfigError(
        f"A window spec must be a WindowSpec or a SequenceSpec, got {type(spec).__name__}."
    )


def window_to_dict(spec: WindowSpec | SequenceSpec) -> dict:
    """``{"kind": ..., **spec.to_dict()}``, the JSON a run or an experiment keeps."""
    return {"kind": window_kind(spec), **spec.to_dict()}


def window_from_dict(d: dict) -> WindowSpec | SequenceSpec:
    """The spec of ``window_to_dict``'s output. A dict without ``"kind"`` was stored before
    the kind was: a long-format spec is the one with an ``id_column``."""
    if not isinstance(d, dict):
        raise ConfigError(f"A window spec must be a dict, got {type(d).__name__}.")
    fields = dict(d)
    kind = fields.pop("kind", "sequences" if "id_column" in fields else "series")
    if kind not in WINDOW_KINDS:
        raise ConfigError(f"'kind' must be one of {list(WINDOW_KINDS)}, got {kind!r}.")
    return WINDOW_KINDS[kind][0].from_dict(fields)


def cut_windows(
    frame: pd.DataFrame, spec: WindowSpec | SequenceSpec, *, limits: Limits | None = None
) -> Windows:
    """``make_windows`` or ``make_sequence_windows``, whichever ``spec`` is for.

    Returns:
        ``Windows`` with ``x_*`` of shape ``(samples, timesteps, features)``.
    """
    return WINDOW_KINDS[window_kind(spec)][1](frame, spec, limits=limits)
