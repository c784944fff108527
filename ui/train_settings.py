"""The Train page's settings in session state, both ways: a ``TrainConfig`` in, one out.

A sample's epochs and batch size (``ui.dataset``) and a shared link's settings (``ui.share``)
are written here, and the Train page's job (``ui.training``) reads them back. Apart from the
job, so that ``ui.dataset``, which ``ui.training`` reads, never imports it back.
"""

from __future__ import annotations

from lstm_core.fields import TRAIN
from lstm_core.train import TrainConfig, check_config
from ui import state
from ui.workspace import limits

TRAIN_FIELDS = TRAIN.names()


def put_config(config: TrainConfig, fields=TRAIN_FIELDS) -> None:
    """Write ``config``'s ``fields`` into the Train page's widget keys, as a person types them
    (no clipping is 0: ``lstm_core.fields.TRAIN``'s rows convert)."""
    for name in fields:
        state.put("train", name, TRAIN[name].to_person(getattr(config, name)))


def config_from_state() -> TrainConfig:
    """The Train page's settings as a validated ``TrainConfig``; ``ConfigError`` if invalid."""
    values = {
        field.name: field.to_engine(state.get("train", field.name, TRAIN.default(field.name)))
        for field in TRAIN
    }
    return check_config(TRAIN.owner(**values), limits())
