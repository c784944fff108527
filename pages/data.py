"""Data: pick a sample or upload a CSV, look at it, and choose how it is cut into windows."""

import streamlit as st

from lstm_core import samples
from lstm_core.data import MISSING_POLICIES, SCALERS, has_time_of_day, numeric_columns
from ui import dataset, state
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


def control(widget, label: str, field: str, slots: dict | None = None, **options) -> None:
    """``widget`` (a Streamlit input) bound to ``data.<key>`` (``key`` in ``options``, else
    ``field``). Changing it marks ``field`` as the control touched last; with ``slots``, an empty
    slot below it is where windowing errors about ``field`` are shown."""
    key = options.pop("key", field)
    widget(
        label,
        key=f"data.{key}",
        on_change=touched,
        args=(field,),
        persist_state="session",
        **options,
    )
    if slots is not None:
        slots[field] = st.empty()


def series_controls(df, slots: dict) -> list[str]:
    """Widgets of a ``WindowSpec``; returns the columns to plot."""
    numeric = numeric_columns(df)
    state.keep_choices("data", "features", numeric, fallback=numeric[:1])
    state.keep_choices("data", "targets", numeric, fallback=numeric[-1:])
    left, right = st.columns(2)
    with left:
        control(
            st.multiselect, "Features: the inputs at every step", "features", slots, options=numeric
        )
    with right:
        control(
            st.multiselect, "Targets: the columns to predict", "targets", slots, options=numeric
        )
    helps = {
        "lookback": "Steps per window: the model's timesteps.",
        "horizon": "Future steps predicted from each window.",
        "stride": "Rows between the starts of consecutive windows.",
    }
    for column, (name, help_text) in zip(st.columns(3), helps.items(), strict=True):
        with column:
            control(
                st.number_input, name.capitalize(), name, slots, min_value=1, step=1, help=help_text
            )
    left, right = st.columns(2, vertical_alignment="bottom")
    with left:
        control(
            st.number_input,
            "Season (rows per cycle)",
            "season",
            slots,
            min_value=0,
            step=1,
            placeholder="from the dates",
            help="For the seasonal naive yardstick. Empty: read from the date column (hourly "
            "24, daily 7, weekly 52, monthly 12, quarterly 4); 0: no season.",
        )
    with right:
        control(
            st.toggle,
            "Difference: predict the change",
            "difference",
            help="Inputs become changes from the row before and targets the change from the "
            "last row before the window; scores are still in levels. Takes a trend out of the "
            "range the scaler was fitted on.",
        )
    return list(dict.fromkeys(state.get("data", "features") + state.get("data", "targets")))


def sequence_controls(df, slots: dict) -> list[str]:
    """Widgets of a ``SequenceSpec``; returns the columns to plot."""
    columns = list(df.columns)
    numeric = numeric_columns(df)
    state.keep_choice("data", "id_column", columns)
    state.keep_choice("data", "target", columns, fallback=columns[-1])
    state.keep_choice("data", "step_column", [None, *columns], fallback=None)
    state.keep_choices("data", "seq_features", numeric, fallback=numeric[:1])
    left, middle, right = st.columns(3)
    with left:
        control(st.selectbox, "Sequence id column", "id_column", slots, options=columns)
        control(
            st.selectbox,
            "Step column (orders the rows)",
            "step_column",
            slots,
            options=[None, *columns],
            format_func=lambda c: "(file order)" if c is None else str(c),
        )
    with middle:
        control(
            st.multiselect,
            "Features: the inputs at every step",
            "features",
            slots,
            key="seq_features",
            options=numeric,
        )
        control(st.selectbox, "Target: one per sequence", "target", slots, options=columns)
    with right:
        control(st.radio, "Task", "task", options=["classification", "regression"], horizontal=True)
        control(
            st.radio,
            "Unequal lengths",
            "length",
            options=["pad", "cut"],
            horizontal=True,
            help="pad: to the longest, with a mask; cut: to the shortest.",
        )
        control(
            st.number_input,
            "Common length (0: automatic)",
            "max_length",
            slots,
            min_value=0,
            step=1,
        )
        st.number_input(
            "Split seed", min_value=0, step=1, key="data.seq_seed", persist_state="session"
        )
    return state.get("data", "seq_features")


MISSING_LABELS = {"interpolate": "interpolate (reads the future)"}


def common_controls(slots: dict) -> None:
    """Scaler, missing values and split: the same for both layouts."""
    columns = st.columns(4)
    with columns[0]:
        control(st.selectbox, "Scaler (fitted on training rows)", "scaler", options=SCALERS)
    with columns[1]:
        control(
            st.selectbox,
            "Missing values",
            "missing",
            slots,
            options=MISSING_POLICIES,
            format_func=lambda policy: MISSING_LABELS.get(policy, policy),
            help="error: refuse; drop: drop rows; ffill: carry the last value forward (only "
            "the past); interpolate: linear between neighbours, which reads the next known "
            "value, the future. Validation and test windows whose target was filled in are "
            "left out of their scores.",
        )
    shares = {"val_fraction": "Validation share", "test_fraction": "Test share"}
    for column, (name, label) in zip(columns[2:], shares.items(), strict=True):
        with column:
            control(st.number_input, label, name, slots, min_value=0.0, step=0.05, format="%.2f")


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
