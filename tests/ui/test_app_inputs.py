"""Input edges in AppTests: refused files, the data still in use, dates, and what the
Train page says before Start can be pressed."""

from __future__ import annotations

import json

from app_session import errors, new_app, open_page, plain

GOOD = "date,temp\n" + "\n".join(f"2020-01-{d:02d},{d}" for d in range(1, 29))


def upload(at, name: str, content: str):
    key = next(u.key for u in at.file_uploader)  # a refused file gives the uploader a new key
    at.file_uploader(key=key).set_value((name, content.encode(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def infos(at) -> list[str]:
    return [plain(element.value) for element in at.info]


def csv_page():
    at = open_page(new_app(), "data")
    at.radio(key="data.source").set_value("My CSV file").run()
    return at


def test_a_header_without_rows_is_refused_with_one_message_and_the_sample_stays():
    at = upload(csv_page(), "empty.csv", "date,temp\n")
    assert errors(at) == [
        "empty.csv was not loaded: The file has a header row but no data rows (below it: no "
        "rows); add rows of values below the header."
    ]
    assert at.file_uploader[0].value is None  # emptied: no chip of the refused file
    assert any(
        info.startswith("Still in use: the sample Airline passengers") for info in infos(at)
    ), infos(at)


def test_an_oversized_file_is_refused_once_and_the_previous_file_stays_in_use(monkeypatch):
    monkeypatch.setenv("LSTM_LAB_MAX_UPLOAD_MB", "0.001")  # 1 KB: GOOD fits, BIG does not
    at = upload(csv_page(), "good.csv", GOOD)
    assert not errors(at) and not infos(at)
    at = upload(at, "bad.csv", "a,b\nx,y\n")
    at = upload(at, "big.csv", GOOD + "\n2020-02-01,1.5" * 100)
    assert len(errors(at)) == 1, errors(at)
    assert errors(at)[0].startswith("big.csv was not loaded: The file is 0.0 MB, above the upload")
    assert infos(at) == [
        "Still in use: good.csv (28 rows x 2 columns); upload a CSV file to replace it."
    ]
    assert at.session_state["data.title"] == "good.csv"
    at = upload(at, "good2.csv", GOOD)
    assert not errors(at) and not infos(at)
    assert at.session_state["data.title"] == "good2.csv"


def date_format(at) -> str:
    """The display format of the preview's date column."""
    (settings,) = json.loads(at.dataframe[0].proto.columns).values()
    return settings["type_config"]["format"]


def test_dates_print_as_dates_and_with_the_time_only_when_there_is_one():
    at = upload(csv_page(), "days.csv", GOOD)
    assert date_format(at) == "YYYY-MM-DD"  # 2020-01-01, not 2020-01-01 00:00:00
    hours = "\n".join(f"2020-01-{d // 24 + 1:02d} {d % 24:02d}:00,{d}" for d in range(48))
    at = upload(at, "hours.csv", "when,v\n" + hours)
    assert not errors(at)
    assert date_format(at) == "YYYY-MM-DD HH:mm"


def test_press_start_shows_only_when_start_can_be_pressed():
    at = open_page(new_app(), "train")
    assert at.button(key="_train.start").disabled
    assert not [c.value for c in at.caption if "Press Start" in c.value]
    assert not errors(at)
    at = open_page(open_page(at, "data"), "train")  # the Data page loads its first sample
    assert not at.button(key="_train.start").disabled
    assert [c.value for c in at.caption if "Press Start" in c.value]
