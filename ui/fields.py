"""A setting's widget, drawn from its row of a field table (``lstm_core.fields``).

Every widget is keyed ``"<page>.<name>"`` (``ui.state``) and keeps its value between pages. It
holds what a person types (a clipnorm of 0); the row's ``to_engine`` turns that into what the
engine takes (no clipping), and ``to_person`` back.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from lstm_core.fields import Field, Table
from ui import state


def ensure_defaults(page: str, table: Table) -> None:
    """Give every field of ``table`` its dataclass's default on ``page``, unless it is set."""
    state.ensure(page, {field.name: field.to_person(table.default(field.name)) for field in table})


def widget(field: Field, page: str, where=st, **options) -> None:
    """Draw ``field``'s widget in ``where`` (a column or an expander; default the page).

    ``options`` change the row's for this page, e.g. ``disabled=True``, ``min_value=1``.
    """
    options = {"key": state.key(page, field.name), "help": field.help or None, **options}
    label = options.pop("label", field.label)
    options["persist_state"] = "session"
    if field.widget == "number":
        bounds = {
            "min_value": field.min,
            "max_value": field.max,
            "step": field.step,
            "format": field.format,
        }
        bounds = {name: value for name, value in bounds.items() if value is not None}
        where.number_input(label, **{**bounds, **options})
    elif field.widget == "select":
        where.selectbox(label, field.choices, **options)
    elif field.widget == "toggle":
        where.toggle(label, **options)
    else:  # "text"; column names are chosen on the Data page
        where.text_input(label, **options)


def grid(
    page: str, fields: Iterable[Field], columns: int = 4, *, slots: dict | None = None, **options
) -> None:
    """The widgets of ``fields`` in rows of ``columns``; ``options[name]`` are the options of
    the field ``name`` (see ``widget``). With ``slots``, an empty slot below each widget is kept
    as ``slots[name]``: where the page shows what is wrong with that setting."""
    fields = list(fields)
    for start in range(0, len(fields), columns):
        row = fields[start : start + columns]
        for column, field in zip(st.columns(columns), row, strict=False):
            widget(field, page, column, **options.get(field.name, {}))
            if slots is not None:
                slots[field.name] = column.empty()
