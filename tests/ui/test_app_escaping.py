"""Text from a user's file is shown as text, and no user action shows a traceback."""

import re

import pytest
from app_session import errors, new_app, open_page, plain

from lstm_core.errors import DataError
from ui.dataset import control_for_error
from ui.errors import error_message
from ui.text import escape_markdown

SCRIPT = "<script>alert(1)</script>"
LINK = "[x](javascript:alert(1))"


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_LAB_STORE", str(tmp_path / "store"))


def markdown_texts(at) -> list[str]:
    """Everything on the page that Streamlit renders as Markdown."""
    kinds = ("markdown", "caption", "error", "warning", "info", "success")
    return [element.value for kind in kinds for element in at.get(kind)]


def assert_literal(at, *texts):
    """Each of ``texts`` appears, escaped, and never as raw Markdown or HTML."""
    rendered = markdown_texts(at)
    for text in texts:
        assert any(text in plain(value) for value in rendered), (text, rendered)
        assert not any(text in value for value in rendered), (text, rendered)


def upload(at, name: str, content: str):
    at.radio(key="data.source").set_value("My CSV file").run()
    at.file_uploader(key="_data.upload").set_value((name, content.encode(), "text/csv")).run()
    return at


def test_hostile_column_and_file_names_render_literally():
    rows = "\n".join(f"{i},{i % 3}" for i in range(40))
    at = upload(open_page(new_app(), "data"), f"{LINK}.csv", f"{SCRIPT},{LINK}\n{rows}")
    assert not errors(at)
    assert at.dataframe[0].value.columns.tolist() == [SCRIPT, LINK]
    assert at.multiselect(key="data.features").value == [SCRIPT, LINK]
    assert_literal(at, f"{LINK}.csv")
    assert any(LINK in plain(c.value) and LINK not in c.value for c in at.sidebar.caption)


def test_an_error_quoting_a_hostile_column_is_escaped():
    rows = "\n".join(f"{i},{'' if i == 5 else i}" for i in range(40))
    at = upload(open_page(new_app(), "data"), "gaps.csv", f"t,{SCRIPT}\n{rows}")
    at.multiselect(key="data.features").set_value([SCRIPT])
    at.multiselect(key="data.targets").set_value([SCRIPT]).run()
    assert any(SCRIPT in message for message in errors(at)), errors(at)
    assert not any(SCRIPT in e.value for e in at.error)


def test_escape_markdown_escapes_every_ascii_punctuation_mark():
    text = "a*b_c `d` $e$ :red[f] <g> [h](i) #j |k| ~l~ \\m"
    escaped = escape_markdown(text)
    assert plain(escaped) == text
    assert not re.search(r"(?<!\\)[*_`$<>\[\]()#|~:]", escaped)


def test_unexpected_errors_get_a_short_message_without_their_details():
    message = error_message(KeyError("secret internals"))
    assert "bug in LSTM Lab" in message and "secret" not in message
    assert error_message(DataError("lookback 5 is too long")) == "lookback 5 is too long"


@pytest.mark.parametrize(
    ("message", "last", "expected"),
    [
        ("lookback 200 + horizon 1 needs at least 201", "horizon", "horizon"),
        ("lookback 200 + horizon 1 needs at least 201", "stride", "lookback"),
        ("the feature column 'Month' holds dates", "features", "features"),
        ("something else", None, "general"),
    ],
)
def test_a_windowing_error_goes_beside_the_control_it_names(message, last, expected):
    controls = {"general": 0, "features": 1, "lookback": 2, "horizon": 3, "stride": 4}
    assert control_for_error(message, last, controls) == expected
