import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_core.data import has_time_of_day, load_csv, numeric_columns
from lstm_core.errors import DataError
from lstm_core.settings import Limits

AIRLINE = b'"Month","Passengers"\r\n"1949-01",112\r\n"1949-02",118\r\n"1949-03",132\r\n'


def test_reads_quoted_comma_csv_with_a_month_column():
    df = load_csv(AIRLINE)
    assert list(df.columns) == ["Month", "Passengers"]
    assert df["Passengers"].tolist() == [112, 118, 132]
    assert df.attrs == {"date_column": "Month", "delimiter": ",", "has_header": True}
    assert df["Month"].tolist() == list(pd.to_datetime(["1949-01-01", "1949-02-01", "1949-03-01"]))


def test_path_bytes_and_file_object_give_the_same_frame(tmp_path):
    path = tmp_path / "airline.csv"
    path.write_bytes(AIRLINE)
    expected = load_csv(AIRLINE)
    for source in (path, str(path), io.BytesIO(AIRLINE), bytearray(AIRLINE)):
        pd.testing.assert_frame_equal(load_csv(source), expected)


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_detects_semicolon_and_tab(delimiter):
    text = delimiter.join(["a", "b", "c"]) + "\n" + delimiter.join(["1", "2.5", "x"]) + "\n"
    df = load_csv(text.encode())
    assert list(df.columns) == ["a", "b", "c"] and df.attrs["delimiter"] == delimiter
    assert numeric_columns(df) == ["a", "b"]


def test_semicolon_file_with_decimal_commas():
    df = load_csv(b"time;level\n1;3,5\n2;-0,25\n")
    assert df.attrs["delimiter"] == ";"
    assert df["level"].tolist() == [3.5, -0.25]


def test_text_fields_with_semicolons_do_not_fool_the_comma():
    df = load_csv(b"note,v\nx;y,1\nz,2\nw;u;t,3\n")
    assert df.attrs["delimiter"] == "," and df["v"].tolist() == [1, 2, 3]


def test_headerless_file_gets_numbered_columns():
    df = load_csv(b"1.0,2.0\n3.0,4.0\n")
    assert list(df.columns) == ["column_1", "column_2"] and df.attrs["has_header"] is False
    assert df.to_numpy().tolist() == [[1, 2], [3, 4]]


def test_headerless_file_with_text_and_dates():
    df = load_csv(b"2020-01-01,NW,1\n2020-01-02,SE,2\n")
    assert list(df.columns) == ["column_1", "column_2", "column_3"]
    assert df.attrs["date_column"] == "column_1" and len(df) == 2


def test_utf8_with_byte_order_mark():
    df = load_csv("température,v\n1,2\n".encode("utf-8-sig"))
    assert list(df.columns) == ["température", "v"]


def test_day_first_dates_and_missing_values():
    df = load_csv(b"Date,Temp\n31/12/1980,NA\n01/01/1981,20.7\n")
    assert df.attrs["date_column"] == "Date"
    assert df["Date"].tolist() == list(pd.to_datetime(["1980-12-31", "1981-01-01"]))
    assert np.isnan(df["Temp"][0]) and df["Temp"][1] == 20.7


def test_a_text_column_that_is_not_a_date_stays_text():
    df = load_csv(b"wind,v\nNW,1\n12,2\n")
    assert df.attrs["date_column"] is None and numeric_columns(df) == ["v"]


def test_file_order_is_kept():
    df = load_csv(b"d,v\n2020-01-03,3\n2020-01-01,1\n")
    assert df["v"].tolist() == [3, 1]


# --- bad files ---


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty"),
        (b"  \n\n", "The file is empty"),
        (b"a,b\n", "has a header row but no data rows"),
        (b"PK\x03\x04\x00\x00binary", "contains NUL bytes, so it is binary"),
        ("é,v\n1,2\n".encode("latin-1"), "not UTF-8 text: byte 0xe9 at position 0"),
        (b"a,b\nx,y\nz,w\n", r"no column of numbers \(columns: column_1 \(text\)"),
        (b"a,b,a\n1,2,3\n", r"The header names \['a'\] more than once"),
        (b"a,b\n1,2\n3,4,5\n", "Expected 2 fields in line 3, saw 3"),
        (b"a,b\n1,2,3\n", "Check that every row has as many fields"),
        (b'a,b\n1,"2\n', "EOF inside string"),
    ],
)
def test_bad_files_raise_data_error(data, message):
    with pytest.raises(DataError, match=message):
        load_csv(data)


def test_file_above_the_size_limit():
    with pytest.raises(
        DataError, match=r"is 0.0 MB, above the upload limit of 1e-05 MB.*MAX_UPLOAD_MB"
    ):
        load_csv(AIRLINE, limits=Limits(max_upload_mb=1e-5))


def test_large_path_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"v\n" + b"1\n" * 600)
    with pytest.raises(DataError, match="above the upload limit of 0.001 MB"):
        load_csv(path, limits=Limits(max_upload_mb=0.001))


def test_file_object_above_the_size_limit():
    with pytest.raises(DataError, match="above the upload limit"):
        load_csv(io.BytesIO(b"v\n" + b"1\n" * 600), limits=Limits(max_upload_mb=0.001))


def test_more_rows_than_the_limit():
    with pytest.raises(DataError, match="more than 2 rows, the limit.*LSTM_LAB_MAX_ROWS"):
        load_csv(AIRLINE, limits=Limits(max_rows=2))
    assert len(load_csv(AIRLINE, limits=Limits(max_rows=3))) == 3


def test_more_columns_than_the_limit():
    with pytest.raises(DataError, match="has 3 columns, above the limit of 2"):
        load_csv(b"a,b,c\n1,2,3\n", limits=Limits(max_columns=2))


def test_missing_path():
    with pytest.raises(DataError, match="No file at 'no/such.csv'"):
        load_csv("no/such.csv")


def test_text_mode_file_object():
    with pytest.raises(DataError, match="opened in text mode; open it in binary mode"):
        load_csv(io.StringIO("a\n1\n"))


def test_unsupported_source_type():
    with pytest.raises(DataError, match="expects a path, bytes or a binary file object, got int"):
        load_csv(42)


# --- anything at all: a DataError or a valid frame, never another exception ---


def assert_valid_or_data_error(data):
    try:
        df = load_csv(data)
    except DataError as error:
        assert str(error)
        return
    assert isinstance(df, pd.DataFrame) and len(df) >= 1
    assert numeric_columns(df), "a loaded frame has at least one numeric column"
    assert not df.columns.duplicated().any()
    date = df.attrs["date_column"]
    assert date is None or pd.api.types.is_datetime64_any_dtype(df[date])


@pytest.mark.parametrize(
    "data, message",
    [
        (b"date,temp\n", r"a header row but no data rows \(below it: no rows\)"),
        (b"date;temp\r\n\r\n  \r\n", r"a header row but no data rows \(below it: no rows\)"),
        (b"date,temp\n,\n , \n", r"no data rows \(below it: rows with only missing values\)"),
        (b"date,temp\nNA,NA\n", r"no data rows \(below it: rows with only missing values\)"),
        (b"NA,NA\n,\n", r"The file has no values: every field is empty or missing \(NA\)"),
    ],
)
def test_a_header_without_data_rows_is_an_error_that_says_so(data, message):
    """The header row is never read as data, nor rows holding nothing but missing values."""
    with pytest.raises(DataError, match=message):
        load_csv(data)


def test_a_row_with_one_value_is_a_data_row():
    df = load_csv(b"date,temp\n2020-01-01,\n2020-01-02,3\n")
    assert df.attrs["has_header"] and len(df) == 2


def test_dates_have_a_time_of_day_only_when_one_row_has_one():
    days = load_csv(b"d,v\n1981-01-01,1\n1981-01-02,2\n")
    hours = load_csv(b"d,v\n2010-01-01 00:00,1\n2010-01-01 13:00,2\n")
    assert not has_time_of_day(days["d"])
    assert has_time_of_day(hours["d"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(data):
    assert_valid_or_data_error(data)


FIELDS = st.one_of(
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "NA", "nan", "inf", "2020-01-02", "01/02/2020", '"q,u;o\tte"', '"', "NW"]),
    st.text(max_size=6),
)
ROWS = st.lists(st.lists(FIELDS, min_size=1, max_size=5), min_size=0, max_size=8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROWS, st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_random_csv_text(rows, delimiter, newline):
    text = newline.join(delimiter.join(row) for row in rows)
    assert_valid_or_data_error(text.encode("utf-8", errors="surrogatepass"))
