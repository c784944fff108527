"""Read a user's CSV file into a DataFrame, or say clearly why it cannot be read.

``load_csv`` takes a path, ``bytes`` or a binary file object (such as Streamlit's
``UploadedFile``) and detects, in this order:

1. the size limit (``Limits.max_upload_mb``), before anything is decoded;
2. the encoding: UTF-8, with or without a byte-order mark. A NUL byte means a binary file;
3. the delimiter: comma, semicolon or tab, whichever splits the first lines into the most
   consistent number of fields (ties go to the comma);
4. the header: the first row is a header when one of its fields is text where the rows below
   hold numbers or dates. A headerless file gets columns ``column_1``, ``column_2``, ...;
5. numeric columns (pandas' own parsing; ``NA`` and blanks are missing values), and with a
   semicolon delimiter, columns written with a decimal comma (``3,14``);
6. a date column: the first text column whose every value reads as a date, ISO 8601
   (``1949-01``, ``2010-01-01 13:00``) or day/month/year forms. Day-first is tried before
   month-first, so an ambiguous ``01/02/1981`` is 1 February.

Rows keep their file order; ``make_windows`` sorts by the date column. What was detected is
recorded in ``df.attrs``: ``date_column`` (or ``None``), ``delimiter`` and ``has_header``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from itertools import islice
from pathlib import Path

import pandas as pd

from lstm_core.data.validation import is_number_column, kind_of
from lstm_core.errors import DataError
from lstm_core.settings import Limits, load_limits

DELIMITERS = (",", ";", "\t")
SNIFF_ROWS = 20  # rows used to detect the delimiter and the header
SNIFF_CHARS = 65_536  # characters read for the same purpose
MISSING_MARKS = {"", "na", "n/a", "nan", "null", "none"}  # as pandas reads them
DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?([ T]\d{1,2}(:\d{2}){1,2}(\.\d+)?)?$")
# Tried in order; ISO 8601 first, then day-first before month-first.
DATE_FORMATS = ("ISO8601",) + tuple(
    day + time
    for day in ("%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d")
    for time in ("", " %H:%M", " %H:%M:%S")
)
DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")


def load_csv(source: object, *, limits: Limits | None = None) -> pd.DataFrame:
    """Read a CSV file into a DataFrame with numbers parsed and a date column detected.

    Args:
        source: a path (``str`` or ``os.PathLike``), ``bytes``, or a binary file object.
        limits: size, row and column caps; ``load_limits()`` when ``None``.

    Returns:
        a DataFrame of `(rows, columns)` with at least one row and one numeric column;
        ``df.attrs`` holds ``date_column``, ``delimiter`` and ``has_header``.

    Raises:
        DataError: an empty, binary, non-UTF-8, malformed or oversized file, a header with
            repeated names, or no numeric column.
    """
    limits = limits or load_limits()
    text = _decode(_read_bytes(source, limits))
    delimiter = _detect_delimiter(text)
    head = _first_rows(text, delimiter)
    has_header = _has_header(head)
    if len(head[0]) > limits.max_columns:
        raise DataError(
            f"The file has {len(head[0])} columns, above the limit of {limits.max_columns}; "
            f"keep fewer columns or raise LSTM_LAB_MAX_COLUMNS."
        )
    if has_header:
        _check_header(head[0])
    df = _parse(text, delimiter, has_header, len(head[0]), limits)
    if delimiter == ";":
        df = _read_decimal_commas(df)
    date_column = _parse_date_column(df)
    if not any(is_number_column(df[c]) for c in df.columns):
        kinds = ", ".join(f"{c} ({kind_of(df[c])})" for c in df.columns[:10])
        raise DataError(
            f"The file has no column of numbers (columns: {kinds}); LSTM Lab needs at least "
            f"one. Check that numbers use '.' as decimal mark (or ';' as delimiter with ',')."
        )
    df.attrs.update(date_column=date_column, delimiter=delimiter, has_header=has_header)
    return df


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Names of the columns of ``df`` that hold numbers (not text, dates or bools)."""
    return [c for c in df.columns if is_number_column(df[c])]


def _read_bytes(source: object, limits: Limits) -> bytes:
    """The file's bytes, refusing anything above ``limits.max_upload_mb`` before reading it all."""
    max_bytes = int(limits.max_upload_mb * 2**20)
    if isinstance(source, str | os.PathLike):
        if not os.path.isfile(source):
            raise DataError(f"No file at {str(source)!r}; check the path.")
        size = os.path.getsize(source)
        try:
            data = b"" if size > max_bytes else Path(source).read_bytes()
        except OSError as error:
            raise DataError(f"Cannot read {str(source)!r}: {error.strerror}.") from None
    elif isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        size = len(data)
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)  # one byte more tells a file above the limit
        if isinstance(data, str):
            raise DataError("The file was opened in text mode; open it in binary mode ('rb').")
        size = len(data)
    else:
        raise DataError(
            f"load_csv expects a path, bytes or a binary file object, got {type(source).__name__}."
        )
    if size > max_bytes:
        raise DataError(
            f"The file is {size / 2**20:.1f} MB, above the upload limit of "
            f"{limits.max_upload_mb:g} MB; upload fewer rows or columns, or raise "
            f"LSTM_LAB_MAX_UPLOAD_MB."
        )
    return data


def _decode(data: bytes) -> str:
    """UTF-8 text (a byte-order mark is dropped); binary or other encodings are refused."""
    if b"\x00" in data:
        raise DataError(
            "The file contains NUL bytes, so it is binary (a spreadsheet or an archive?), not "
            "CSV text; export it as 'CSV UTF-8'."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        byte = data[error.start : error.start + 1].hex()
        raise DataError(
            f"The file is not UTF-8 text: byte 0x{byte} at position {error.start} cannot be "
            f"read; save it as 'CSV UTF-8'."
        ) from None
    if not text.strip():
        raise DataError("The file is empty; choose a CSV file with a header and data rows.")
    return text


def _sample_lines(text: str) -> str:
    """The first lines of ``text``, without a last line cut short by the sample's end."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    return sample


def _rows(sample: str, delimiter: str) -> list[list[str]]:
    """Up to ``SNIFF_ROWS + 1`` non-blank rows of ``sample``; [] if it cannot be split."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        return [row for row in islice(reader, SNIFF_ROWS * 2) if any(f.strip() for f in row)][
            : SNIFF_ROWS + 1
        ]
    except csv.Error:
        return []


def _detect_delimiter(text: str) -> str:
    """The delimiter giving the most rows with the same field count (>1), then most fields."""
    sample = _sample_lines(text)
    best, best_score = DELIMITERS[0], (0.0, 1)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in _rows(sample, delimiter)]
        if not counts:
            continue
        common = max(set(counts), key=counts.count)
        score = (counts.count(common) / len(counts), common)
        if common > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _first_rows(text: str, delimiter: str) -> list[list[str]]:
    """The first non-blank rows, split on ``delimiter``."""
    rows = _rows(_sample_lines(text), delimiter)
    if not rows:
        raise DataError(
            f"Cannot split the first lines on {delimiter!r}: a quote or a very long field is "
            f"malformed; check the file's first rows."
        )
    return rows


def _kind(field: str) -> str:
    """'empty', 'number', 'date' or 'text': what one raw field looks like."""
    field = field.strip()
    if field.lower() in MISSING_MARKS:
        return "empty"
    try:
        float(field)
        return "number"
    except ValueError:
        return "date" if DATE_LIKE.match(field) else "text"


def _has_header(rows: list[list[str]]) -> bool:
    """Whether the first row names the columns.

    It does when one of its fields is text while the rows below hold only numbers or dates in
    that column. A lone row, or one above rows of missing values only, is a header when it
    holds any text.
    """
    first = [_kind(f) for f in rows[0]]
    if all(_kind(f) == "empty" for row in rows[1:] for f in row):
        return "text" in first
    for column, kind in enumerate(first):
        below = {_kind(row[column]) for row in rows[1:] if column < len(row)} - {"empty"}
        if kind == "text" and below and below <= {"number", "date"}:
            return True
    return False


def _check_header(names: list[str]) -> None:
    stripped = [n.strip() for n in names if n.strip()]
    repeated = sorted({n for n in stripped if stripped.count(n) > 1})
    if repeated:
        raise DataError(
            f"The header names {repeated} more than once; give every column a unique name."
        )


def _parse(
    text: str, delimiter: str, has_header: bool, columns: int, limits: Limits
) -> pd.DataFrame:
    """The whole table, read by pandas' C parser; ragged rows are an error, not a guess."""
    names = None if has_header else [f"column_{i + 1}" for i in range(columns)]
    try:
        with warnings.catch_warnings():
            # pandas only warns when a row has more fields than the header; we refuse it.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                header=0 if has_header else None,
                names=names,
                index_col=False,
                skipinitialspace=True,
                nrows=limits.max_rows + 1,  # one row more tells a file above the limit
                low_memory=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, pd.errors.EmptyDataError) as error:
        reason = str(error).strip().removeprefix("Error tokenizing data. C error: ")
        raise DataError(
            f"Cannot read the file as CSV with delimiter {delimiter!r}: {reason}. Check that "
            f"every row has as many fields as the first one, and that quotes are closed."
        ) from None
    if len(df) > limits.max_rows:
        raise DataError(
            f"The file has more than {limits.max_rows} rows, the limit; keep fewer rows or "
            f"raise LSTM_LAB_MAX_ROWS."
        )
    if df.dropna(how="all").empty:
        below = "rows with only missing values" if len(df) else "no rows"
        if has_header:
            raise DataError(
                f"The file has a header row but no data rows (below it: {below}); add rows of "
                f"values below the header."
            )
        raise DataError(
            "The file has no values: every field is empty or missing (NA); choose a CSV file "
            "with a header and data rows."
        )
    df.columns = [str(c).strip() for c in df.columns]
    return df


def has_time_of_day(dates: pd.Series) -> bool:
    """Whether any of the datetimes ``dates`` falls after midnight: printed with the time of
    day (``2010-01-01 13:00``), else as dates alone (``1981-01-01``)."""
    present = dates.dropna()
    return bool((present != present.dt.normalize()).any())


def _read_decimal_commas(df: pd.DataFrame) -> pd.DataFrame:
    """Columns written entirely with a decimal comma (``3,14``) as floats."""
    for column in df.columns:
        values = df[column].dropna()
        if is_number_column(df[column]) or values.empty:
            continue
        if values.astype(str).str.strip().str.match(DECIMAL_COMMA).all():
            df[column] = pd.to_numeric(df[column].str.strip().str.replace(",", "."))
    return df


def _parse_date_column(df: pd.DataFrame) -> str | None:
    """Parse the first text column whose every value is a date; return its name, or ``None``."""
    for column in df.columns:
        values = df[column].dropna()
        if is_number_column(df[column]) or values.empty:
            continue
        values = values.astype(str).str.strip()
        if not values.str.match(DATE_LIKE).all():
            continue
        for date_format in DATE_FORMATS:
            try:
                df[column] = pd.to_datetime(df[column].str.strip(), format=date_format)
            except (ValueError, OverflowError):
                continue
            return column
    return None
