"""Cold start: a fresh process renders a page (AppTest) against ``import tensorflow``.

Issue targets: Home, Data and Model each render in under a quarter of the time that
``import tensorflow`` takes in a fresh process. A render runs the real ``app.py`` router with
the page chosen before its first run, as a visitor's deep link does, and checks that the page
drew its own title without importing TensorFlow. Every process is a fresh interpreter
(start-up included on both sides). The processes run in rounds, one of each per round, and
a page's ratio is the median over the rounds of its time against that round's import. A
reference row renders a bare Streamlit page that shows one small pandas DataFrame the same
way: the floor under any page that shows a table of data (``st.dataframe`` needs pandas and
pyarrow) on this machine.

    python benchmarks/bench_cold_start.py [--quick]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from benchmarks.common import REPO, row, run_cli, time_fresh_process  # noqa: E402

TARGET_RATIO = 0.25
PAGES = {"home": "LSTM Lab", "data": "Data", "model": "Model"}  # file: title

IMPORT_TF = "import tensorflow"
RENDER_PAGE = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=60)
at.switch_page("pages/{page}.py").run()
assert not at.exception, at.exception
assert [title.value for title in at.title] == [{title!r}], at.title
assert "tensorflow" not in sys.modules, "the page imported TensorFlow"
"""
# The floor under any page that shows a table of data: a bare Streamlit page that shows one
# small pandas DataFrame (``st.dataframe`` needs pandas and pyarrow), rendered the same way.
BARE_PAGE = """
import streamlit as st
import pandas as pd
st.title("Bare")
st.dataframe(pd.DataFrame({"a": [1.0, 2.0]}))
"""
RENDER_BARE = """
from streamlit.testing.v1 import AppTest
at = AppTest.from_string({page!r}, default_timeout=60).run()
assert not at.exception, at.exception
"""
BARE = "bare page with one DataFrame"


def main(quick: bool = False) -> list[dict]:
    rounds = 1 if quick else 5
    codes = {"tensorflow": IMPORT_TF, BARE: RENDER_BARE.format(page=BARE_PAGE)}
    for page, title in PAGES.items():
        codes[page] = RENDER_PAGE.format(app=str(REPO / "app.py"), page=page, title=title)
    times: dict[str, list[float]] = {name: [] for name in codes}
    with tempfile.TemporaryDirectory() as store:  # the pages may open the run store
        env = {**os.environ, "LSTM_LAB_STORE": store}
        for turn in range(rounds):
            # One round times every process once, in an order that rotates from round to
            # round, so a slow spell of a shared machine falls on all of them alike.
            names = list(codes)
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                times[name].append(time_fresh_process(codes[name], env))
    tf_s = statistics.median(times["tensorflow"])

    def against_tensorflow(name: str) -> tuple[float, str]:
        """The median of the rounds' ratios (each compares processes run moments apart), and
        the median times in words."""
        ratio = statistics.median(
            s / tf for s, tf in zip(times[name], times["tensorflow"], strict=True)
        )
        seconds = statistics.median(times[name])
        return ratio, f"{seconds:.2f}s vs {tf_s:.2f}s (medians of {rounds} rounds)"

    rows = []
    for page in PAGES:
        ratio, measured = against_tensorflow(page)
        target = f"cold start: {page} page vs import tensorflow"
        rows.append(row(target, measured, ratio, f"< {TARGET_RATIO}", ratio < TARGET_RATIO))
    ratio, measured = against_tensorflow(BARE)
    rows.append(
        row(f"cold start floor: a {BARE} vs import tensorflow", measured, ratio, "reference", None)
    )
    return rows


if __name__ == "__main__":
    run_cli(main)
