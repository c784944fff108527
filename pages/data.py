"""Data: pick a sample or upload a CSV, look at it, and choose how it is cut into windows."""

import streamlit as st

from lstm_core import samples
from lstm_core.data import has_time_of_day, numeric_columns
from lstm_core.fields import SEQUENCES, SERIES, Field, Table
from ui import dataset, fields, state
from ui.errors import attempt, show_error
from ui.router import ensure_routed
from ui.series_chart import series_chart
from ui.text import escape_markdown
from ui.workspace import limits

ensure_routed()

SOURCES = ("A sample", "My CSV file")
KINDS = {
    "series": "A series table (rows are time steps)",
    "sequences": "Long format (one sequence per id)",
}


def touched(control: str) -> None:
    """Remember the control changed last: an error from windowing is shown beside it."""
    state.put("data", "last_control", control)


def load_chosen_sample() -> None:
    touched("sample")
    state.drop("data", "refused")
    attempt(dataset.load_sample, state.get("data", "sample"))


def on_source_change() -> None:
    if state.get("data", "source") == SOURCES[0]:
        load_chosen_sample()


def upload_key() -> str:
    """The uploader's key: a new one after a refused file, which empties the uploader (its
    chip, and the refused file's bytes on the server)."""
    refusals = state.get("data", "refusals", 0)
    return "_data.upload" if refusals == 0 else f"_data.upload.{refusals}"


def take_upload() -> None:
    """The uploader's callback: load the chosen file, or keep why it was refused (shown in
    place of the uploader's own message) and empty the uploader; the data loaded before stays
    in use."""
    upload = st.session_state.get(upload_key())
    if upload is None:  # the file was taken out of the uploader
        return
    try:
        dataset.load_upload(upload.name, upload.getvalue())
    except Exception as error:  # shown on this run: a LabError as its message, a bug as a line
        state.put("data", "refused", (upload.name, error))
        state.put("data", "refusals", state.get("data", "refusals", 0) + 1)
    else:
        state.drop("data", "refused")


def still_in_use() -> None:
    """Say which data stays in use while the uploader holds no file of it (it is empty, or a
    file was refused): a sample, or a file uploaded before."""
    df = dataset.frame()
    upload = st.session_state.get(upload_key())
    origin = state.get("data", "origin")
    if df is None or (upload is not None and origin[:2] == ("upload", upload.name)):
        return
    what = f"the sample {dataset.title()}" if origin[0] == "sample" else dataset.title()
    st.info(
        escape_markdown(
            f"Still in use: {what} ({len(df):,} rows x {len(df.columns)} columns); "
            "upload a CSV file to replace it."
        ),
        icon=":material/info:",
    )


def control(widget, field: Field, slots: dict, **options) -> None:
    """A column picker ``widget`` (a Streamlit input whose options are the data's columns) for
    ``field``, labelled from its row, bound to ``data.<key>`` (``key`` in ``options``, else the
    field's name). Changing it marks the field as the control touched last; an empty slot below
    it is where windowing errors about it are shown."""
    key = options.pop("key", field.name)
    widget(
        field.label,
        key=f"data.{key}",
        help=field.help,
        on_change=touched,
        args=(field.name,),
        persist_state="session",
        **options,
    )
    slots[field.name] = st.empty()


PICKERS = ("names", "text")  # widgets of column names: the page offers the data's columns
# The rows both layouts have (scaler, split, missing values): drawn once, below either.
SHARED = set(SERIES.names()) & set(SEQUENCES.names())


def setting_rows(table: Table, *, shared: bool) -> Table:
    """``table``'s rows that are not column pickers: those both layouts share, or this
    layout's own (a row added to the table is drawn with them)."""
    left_out = [f.name for f in table if f.widget in PICKERS or (f.name in SHARED) != shared]
    return table.without(*left_out)


def settings(table: Table, slots: dict, columns: int, **options) -> None:
    """The widgets of ``table``'s rows in rows of ``columns``, each starting at its dataclass's
    default; changing one marks it as the control touched last, and the slot below it is where
    windowing errors about it are shown. ``options[name]`` change a widget."""
    fields.ensure_defaults("data", table)
    touch = {
        f.name: {"on_change": touched, "args": (f.name,), **options.get(f.name, {})} for f in table
    }
    fields.grid("data", table, columns, slots=slots, **touch)


def series_controls(df, slots: dict) -> list[str]:
    """Widgets of a ``WindowSpec``; returns the columns to plot."""
    numeric = numeric_columns(df)
    state.keep_choices("data", "features", numeric, fallback=numeric[:1])
    state.keep_choices("data", "targets", numeric, fallback=numeric[-1:])
    left, right = st.columns(2)
    with left:
        control(st.multiselect, SERIES["features"], slots, options=numeric)
    with right:
        control(st.multiselect, SERIES["targets"], slots, options=numeric)
    own = setting_rows(SERIES, shared=False)
    settings(own, slots, columns=3, season={"placeholder": "from the dates"})
    return list(dict.fromkeys(state.get("data", "features") + state.get("data", "targets")))


def sequence_controls(df, slots: dict) -> list[str]:
    """Widgets of a ``SequenceSpec``; returns the columns to plot."""
    columns = list(df.columns)
    numeric = numeric_columns(df)
    state.keep_choice("data", "id_column", columns)
    state.keep_choice("data", "target", columns, fallback=columns[-1])
    state.keep_choice("data", "step_column", [None, *columns], fallback=None)
    state.keep_choices("data", "seq_features", numeric, fallback=numeric[:1])
    pickers = st.columns(4)
    with pickers[0]:
        control(st.selectbox, SEQUENCES["id_column"], slots, options=columns)
    with pickers[1]:
        control(
            st.selectbox,
            SEQUENCES["step_column"],
            slots,
            options=[None, *columns],
            format_func=lambda c: "(file order)" if c is None else str(c),
        )
    with pickers[2]:
        control(st.multiselect, SEQUENCES["features"], slots, key="seq_features", options=numeric)
    with pickers[3]:
        control(st.selectbox, SEQUENCES["target"], slots, options=columns)
    settings(setting_rows(SEQUENCES, shared=False), slots, columns=4)
    return state.get("data", "seq_features")


MISSING_LABELS = {"interpolate": "interpolate (reads the future)"}


def common_controls(slots: dict) -> None:
    """Scaler, missing values and split: the same rows for both layouts."""
    missing = {"format_func": lambda policy: MISSING_LABELS.get(policy, policy)}
    settings(setting_rows(SERIES, shared=True), slots, columns=4, missing=missing)


def shapes_table(windows) -> None:
    rows = [
        {
            "split": split,
            "x: (samples, timesteps, features)": str(getattr(windows, f"x_{split}").shape),
            "y": str(getattr(windows, f"y_{split}").shape),
        }
        for split in ("train", "val", "test")
    ]
    st.dataframe(rows, hide_index=True)


def date_format(df) -> dict:
    """The date column printed as dates (``1981-01-01``), with the time of day only when a
    row has one (``2010-01-01 13:00``)."""
    column = df.attrs.get("date_column")
    if column is None:
        return {}
    with_time = has_time_of_day(df[column])
    return {
        column: st.column_config.DatetimeColumn(
            format="YYYY-MM-DD HH:mm" if with_time else "YYYY-MM-DD"
        )
    }


def preview(df):
    """The table and, for an upload, its layout; returns the slot the plot goes in."""
    st.subheader("Preview")
    st.caption(escape_markdown(f"{dataset.title()}: {len(df):,} rows x {len(df.columns)} columns."))
    st.dataframe(df.head(500), height=240, column_config=date_format(df))
    chart_slot = st.empty()  # filled by plot(), once the controls say which columns to plot
    if state.get("data", "source") == SOURCES[1]:
        st.radio(
            "Layout of the file",
            list(KINDS),
            key="data.kind",
            format_func=KINDS.get,
            horizontal=True,
            on_change=dataset.switch_kind,
            persist_state="session",
        )
    return chart_slot


def windowing(df) -> list[str]:
    """The windowing controls and the shapes they give; returns the columns to plot."""
    st.subheader("Windows")
    slots = {"general": st.empty()}
    if dataset.kind() == "sequences":
        plotted = sequence_controls(df, slots)
    else:
        plotted = series_controls(df, slots)
    common_controls(slots)
    try:
        windows = dataset.refresh_windows()
    except Exception as error:
        control = dataset.control_for_error(str(error), state.get("data", "last_control"), slots)
        show_error(error, where=slots[control])
        return plotted
    shapes_table(windows)
    st.caption(
        f"Task: {windows.task}; {windows.n_outputs} model output(s)"
        + ("; padded steps are masked." if windows.mask_value is not None else ".")
    )
    return plotted


def plot(df, columns: list[str], slot) -> None:
    """The chosen columns over time (the first sequence of a long-format table)."""
    columns = [c for c in columns if c in numeric_columns(df)]
    if not columns:
        return
    subset = df
    if dataset.kind() == "sequences" and state.get("data", "id_column") in df:
        first_id = df[state.get("data", "id_column")].iloc[0]
        subset = df[df[state.get("data", "id_column")] == first_id].reset_index(drop=True)
    title = "The first sequence" if dataset.kind() == "sequences" else "The series"
    spec = series_chart(subset, columns, date_column=df.attrs.get("date_column"), title=title)
    slot.vega_lite_chart(spec=spec, width="stretch")


st.title("Data")
st.caption(
    "A recurrent network reads windows of shape (samples, timesteps, features): every sample "
    "is a sequence of timesteps, each a vector of features."
)
state.ensure("data", {"source": SOURCES[0], "sample": samples.sample_names()[0]})
if dataset.frame() is None and state.get("data", "source") == SOURCES[0]:
    # The first visit's sample: a link's epochs and batch size, if any, stay.
    attempt(dataset.load_sample, state.get("data", "sample"), keep_training=True)

st.radio(
    "Where the data comes from",
    SOURCES,
    key="data.source",
    horizontal=True,
    on_change=on_source_change,
    persist_state="session",
)
if state.get("data", "source") == SOURCES[0]:
    st.selectbox(
        "Sample",
        samples.sample_names(),
        key="data.sample",
        format_func=lambda name: samples.SAMPLES[name].title,
        on_change=load_chosen_sample,
        persist_state="session",
    )
    chosen = samples.SAMPLES[state.get("data", "sample")]
    st.caption(f"{chosen.description} Source: {chosen.source}")
else:
    st.file_uploader(
        f"CSV file (comma, semicolon or tab separated; up to {limits().max_upload_mb:g} MB)",
        type=["csv"],
        key=upload_key(),
        on_change=take_upload,
    )
    refused = state.get("data", "refused")
    if refused is not None:
        name, error = refused
        show_error(error, prefix=f"{name} was not loaded: ")
    still_in_use()

df = dataset.frame()
if df is None:
    st.info("Pick a sample or upload a CSV file to begin.")
else:
    chart_slot = preview(df)
    plot(df, windowing(df), chart_slot)
