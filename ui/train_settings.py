"""The Train page's settings in session state, both ways: a ``TrainConfig`` in, one out.

A sample's epochs and batch size (``ui.dataset``) and a shared link's settings (``ui.share``)
are written here, and the Train page's job (``ui.training``) reads them back. Apart from the
job, so that ``ui.dataset``, which ``ui.training`` reads, never imports it back.
"""

from __future__ import annotations

import dataclasses

from lstm_core.train import TrainConfig, check_config
from ui import state
from ui.workspace import limits

TRAIN_FIELDS = tuple(field.name for field in dataclasses.fields(TrainConfig))


def put_config(config: TrainConfig, fields=TRAIN_FIELDS) -> None:
    """Write ``config``'s ``fields`` into the Train page's widget keys (no clipping is 0)."""
    for name in fields:
        value = getattr(config, name)
        state.put("train", name, 0.0 if name == "clipnorm" and value is None else value)


def config_from_state() -> TrainConfig:
    """The Train page's settings as a validated ``TrainConfig``; ``ConfigError`` if invalid."""
    defaults = TrainConfig()
    values = {name: state.get("train", name, getattr(defaults, name)) for name in TRAIN_FIELDS}
    values["clipnorm"] = values["clipnorm"] or None  # the widget's 0 means no clipping
    return check_config(TrainConfig(**values), limits())
