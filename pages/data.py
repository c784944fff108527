"""Data: pick a sample or upload a CSV, look at it, and choose how it is cut into windows."""

import streamlit as st

from lstm_core import samples
from lstm_core.data import MISSING_POLICIES, SCALERS, numeric_columns
from lstm_core.series_chart import series_chart
from ui import dataset, state
from ui.errors import attempt, show_error
from ui.router import ensure_routed
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
    attempt(dataset.load_sample, state.get("data", "sample"))


def on_source_change() -> None:
    if state.get("data", "source") == SOURCES[0]:
        load_chosen_sample()


def series_controls(df, slots: dict) -> list[str]:
    """Widgets of a ``WindowSpec``; returns the columns to plot."""
    numeric = numeric_columns(df)
    state.keep_choices("data", "features", numeric, fallback=numeric[:1])
    state.keep_choices("data", "targets", numeric, fallback=numeric[-1:])
    left, right = st.columns(2)
    with left:
        st.multiselect(
            "Features: the inputs at every step",
            numeric,
            key="data.features",
            on_change=touched,
            args=("features",),
            persist_state="session",
        )
        slots["features"] = st.empty()
    with right:
        st.multiselect(
            "Targets: the columns to predict",
            numeric,
            key="data.targets",
            on_change=touched,
            args=("targets",),
            persist_state="session",
        )
        slots["targets"] = st.empty()
    columns = st.columns(3)
    helps = {
        "lookback": "Steps per window: the model's timesteps.",
        "horizon": "Future steps predicted from each window.",
        "stride": "Rows between the starts of consecutive windows.",
    }
    for column, (name, help_text) in zip(columns, helps.items(), strict=True):
        with column:
            st.number_input(
                name.capitalize(),
                min_value=1,
                step=1,
                key=f"data.{name}",
                help=help_text,
                on_change=touched,
                args=(name,),
                persist_state="session",
            )
            slots[name] = st.empty()
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
        st.selectbox(
            "Sequence id column",
            columns,
            key="data.id_column",
            on_change=touched,
            args=("id_column",),
            persist_state="session",
        )
        slots["id_column"] = st.empty()
        st.selectbox(
            "Step column (orders the rows)",
            [None, *columns],
            key="data.step_column",
            format_func=lambda c: "(file order)" if c is None else str(c),
            on_change=touched,
            args=("step_column",),
            persist_state="session",
        )
        slots["step_column"] = st.empty()
    with middle:
        st.multiselect(
            "Features: the inputs at every step",
            numeric,
            key="data.seq_features",
            on_change=touched,
            args=("features",),
            persist_state="session",
        )
        slots["features"] = st.empty()
        st.selectbox(
            "Target: one per sequence",
            columns,
            key="data.target",
            on_change=touched,
            args=("target",),
            persist_state="session",
        )
        slots["target"] = st.empty()
    with right:
        st.radio(
            "Task",
            ["classification", "regression"],
            key="data.task",
            horizontal=True,
            on_change=touched,
            args=("task",),
            persist_state="session",
        )
        st.radio(
            "Unequal lengths",
            ["pad", "cut"],
            key="data.length",
            horizontal=True,
            help="pad: to the longest, with a mask; cut: to the shortest.",
            on_change=touched,
            args=("length",),
            persist_state="session",
        )
        st.number_input(
            "Common length (0: automatic)",
            min_value=0,
            step=1,
            key="data.max_length",
            on_change=touched,
            args=("max_length",),
            persist_state="session",
        )
        slots["max_length"] = st.empty()
        st.number_input(
            "Split seed", min_value=0, step=1, key="data.seq_seed", persist_state="session"
        )
    return state.get("data", "seq_features")


def common_controls(slots: dict) -> None:
    """Scaler, missing values and split: the same for both layouts."""
    columns = st.columns(4)
    with columns[0]:
        st.selectbox(
            "Scaler (fitted on training rows)",
            SCALERS,
            key="data.scaler",
            on_change=touched,
            args=("scaler",),
            persist_state="session",
        )
    with columns[1]:
        st.selectbox(
            "Missing values",
            MISSING_POLICIES,
            key="data.missing",
            on_change=touched,
            args=("missing",),
            help="error: refuse; drop: drop rows; ffill: carry forward; "
            "interpolate: linear between neighbours.",
            persist_state="session",
        )
        slots["missing"] = st.empty()
    for column, name in zip(columns[2:], ("val_fraction", "test_fraction"), strict=True):
        with column:
            label = "Validation share" if name == "val_fraction" else "Test share"
            st.number_input(
                label,
                min_value=0.0,
                step=0.05,
                format="%.2f",
                key=f"data.{name}",
                on_change=touched,
                args=(name,),
                persist_state="session",
            )
            slots[name] = st.empty()


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


def preview(df):
    """The table and, for an upload, its layout; returns the slot the plot goes in."""
    st.subheader("Preview")
    st.caption(escape_markdown(f"{dataset.title()}: {len(df):,} rows x {len(df.columns)} columns."))
    st.dataframe(df.head(500), height=240)
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
    attempt(dataset.load_sample, state.get("data", "sample"))

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
    upload = st.file_uploader(
        f"CSV file (comma, semicolon or tab separated; up to {limits().max_upload_mb:g} MB)",
        type=["csv"],
        key="_data.upload",
    )
    if upload is not None:
        attempt(dataset.load_upload, upload.name, upload.getvalue())

df = dataset.frame()
if df is None:
    st.info("Pick a sample or upload a CSV file to begin.")
else:
    chart_slot = preview(df)
    plot(df, windowing(df), chart_slot)
