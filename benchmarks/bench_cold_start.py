"""Cold start: a fresh process renders a page (AppTest) against ``import tensorflow``.

Issue targets: Home, Data and Model each render in under a quarter of the time that
``import tensorflow`` takes in a fresh process. A render runs the real ``app.py`` router with
the page chosen before its first run, as a visitor's deep link does, and checks that the page
drew its own title without importing TensorFlow. Each figure is the median of a few fresh
processes (interpreter start-up included on both sides), measured side by side in one run.

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


def median_fresh_time(code: str, repeats: int, env: dict[str, str]) -> float:
    return statistics.median(time_fresh_process(code, env) for _ in range(repeats))


def main(quick: bool = False) -> list[dict]:
    repeats = 1 if quick else 3
    with tempfile.TemporaryDirectory() as store:  # the pages may open the run store
        env = {**os.environ, "LSTM_LAB_STORE": store}
        tf_s = median_fresh_time(IMPORT_TF, repeats, env)
        rows = []
        for page, title in PAGES.items():
            code = RENDER_PAGE.format(app=str(REPO / "app.py"), page=page, title=title)
            page_s = median_fresh_time(code, repeats, env)
            ratio = page_s / tf_s
            rows.append(
                row(
                    f"cold start: {page} page vs import tensorflow",
                    f"{page_s:.2f}s vs {tf_s:.2f}s",
                    ratio,
                    f"< {TARGET_RATIO}",
                    ratio < TARGET_RATIO,
                )
            )
    return rows


if __name__ == "__main__":
    run_cli(main)
