"""Cold start: a fresh process renders a page (AppTest) against ``import tensorflow``.

Issue targets: Home, Data and Model each render in under a quarter of the time that
``import tensorflow`` takes in a fresh process. Each figure is the median of a few fresh
processes, measured side by side in this one run.

    python benchmarks/bench_cold_start.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPEATS = 3
TARGET_RATIO = 0.25

IMPORT_TF = "import tensorflow"
RENDER_PAGE = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({path!r}, default_timeout=60).run()
assert not at.exception, at.exception
assert 'tensorflow' not in sys.modules, 'the page imported TensorFlow'
"""


def time_fresh_process(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - start


def median_time(code: str) -> float:
    return statistics.median(time_fresh_process(code) for _ in range(REPEATS))


def main() -> list[dict]:
    tf_s = median_time(IMPORT_TF)
    rows = []
    for page in ("home", "data", "model"):
        page_s = median_time(RENDER_PAGE.format(path=f"pages/{page}.py"))
        ratio = page_s / tf_s
        rows.append(
            {
                "target": f"cold start: {page} page vs import tensorflow",
                "measured": f"{page_s:.2f}s vs {tf_s:.2f}s",
                "ratio": ratio,
                "goal": f"< {TARGET_RATIO}",
                "met": ratio < TARGET_RATIO,
            }
        )
    return rows


if __name__ == "__main__":
    for row in main():
        print(f"{row['target']:<45} {row['measured']:<20} ratio {row['ratio']:.3f} "
              f"(goal {row['goal']}) {'met' if row['met'] else 'NOT MET'}")
