"""Showing a user's text literally inside Streamlit's Markdown.

Streamlit renders labels, captions and messages as Markdown (with its own extensions such as
``:red[...]``, ``:material/icon:`` and ``$...$`` for LaTeX). Column names, values and file
names come from a visitor's file, so before any of them enters Markdown every ASCII punctuation
character is backslash-escaped: CommonMark then shows each one as itself, and
``<script>alert(1)</script>`` or ``[x](javascript:alert(1))`` read as the characters they are.
"""

import string

_ESCAPED = {ord(ch): "\\" + ch for ch in string.punctuation}


def escape_markdown(text: object) -> str:
    """``str(text)`` with every ASCII punctuation character backslash-escaped."""
    return str(text).translate(_ESCAPED)


def shape_text(shape) -> str:
    """A Keras shape with ``None`` as ``batch``: ``(None, 24, 32)`` -> ``"(batch, 24, 32)"``."""
    return "(" + ", ".join("batch" if d is None else str(d) for d in shape) + ")"
