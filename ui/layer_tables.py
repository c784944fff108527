"""Small tables of layers and tensors as Markdown: on the Model page, what every layer returns,
the layers around the stack and the GPU notes; on the States page, what a layer returned.

They are a few rows of text each, so Markdown suits them (long notes wrap instead of being cut
off), and the Model page opens without importing pandas and pyarrow, which ``st.dataframe``
needs (about half a second of a cold start). Every cell is escaped with
``ui.text.escape_markdown``, so it shows as the characters it holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from ui.text import escape_markdown, shape_text

# Columns of shapes, shown in code font like every shape elsewhere on the page, on one line
# (their spaces are no-break spaces).
CODE_COLUMNS = ("input", "shape", "output")
NO_BREAK_SPACE = "\u00a0"


def markdown_table(records: Sequence[dict], code_columns: Sequence[str] = CODE_COLUMNS) -> str:
    """``records`` (dicts with the same keys, in column order) as a GitHub-style Markdown
    table. Line breaks become spaces; every header and cell is escaped, except that a cell of
    ``code_columns`` is a code span (shown literally) unless it is empty or holds a backtick or a pipe."""
    if not records:
        return ""

    def cell(value, column: str | None = None) -> str:
        text = " ".join(str(value).split())
        if column in code_columns and text and "`" not in text and "|" not in text:
            return f"`{text.replace(' ', NO_BREAK_SPACE)}`"
        return escape_markdown(text)

    columns = list(records[0])
    lines = [
        "| " + " | ".join(cell(name) for name in columns) + " |",
        "|" + "---|" * len(columns),
        *(
            "| " + " | ".join(cell(record[name], name) for name in columns) + " |"
            for record in records
        ),
    ]
    return "\n".join(lines)


def describe_records(rows: list[dict]) -> list[dict]:
    """One record per tensor a recurrent layer returns, from ``lstm_core.model.describe``."""
    records = []
    for row in rows:
        for position, item in enumerate(row["returns"]):
            records.append(
                {
                    "layer": f"{row['name']} ({row['keras_class']}, {row['units']} units)"
                    if position == 0
                    else "",
                    "input": shape_text(row["input_shape"]) if position == 0 else "",
                    "returns": f"[{position}] {item['name']}",
                    "Keras name": item["keras_name"],
                    "shape": shape_text(item["shape"]),
                    "what it is": item["note"],
                    "params": f"{row['params']:,}" if position == 0 else "",
                }
            )
    return records


def head_records(rows: list[dict]) -> list[dict]:
    """The layers around the stack (masking, flatten, head), from ``describe_head``."""
    return [
        {
            "layer": r["name"],
            "input": shape_text(r["input_shape"]),
            "output": shape_text(r["output_shape"]),
            "params": f"{r['params']:,}",
            "what it does": r["note"],
        }
        for r in rows
    ]


def gpu_records(rows: list[dict]) -> list[dict]:
    """Per layer: the PyTorch equivalent and whether Keras can use its fused cuDNN kernel."""
    return [
        {
            "layer": r["name"],
            "cuDNN on a GPU": "yes" if r["cudnn"]["eligible"] else "no",
            "why": r["cudnn"]["reason"],
            "PyTorch equivalent": r["pytorch"],
        }
        for r in rows
    ]


def variant_notes(rows: list[dict]) -> list[str]:
    """A sentence per LSTM-variant layer: what it removes and its parameter count."""
    return [
        f"{row['name']} is the {row['kind']} variant (Greff et al. 2017): it removes "
        f"{row['removes']}; {row['params']:,} parameters."
        for row in rows
        if row["removes"]
    ]
