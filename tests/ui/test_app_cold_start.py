"""The Home, Data and Model pages open without importing TensorFlow, Keras or Altair, and
Home and Model without pandas: the cold-start benchmark's figures depend on it.

Checked in a fresh Python process, so nothing another test imported can hide an import.
"""

import os
import subprocess
import sys

import pytest
from app_session import APP

SCRIPT = """
import sys

import pytest
from streamlit.testing.v1 import AppTest

at = AppTest.from_file(sys.argv[1], default_timeout=60).run()
for page in ("home", "model", "data"):
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    heavy = [name for name in ("tensorflow", "keras", "altair", "pandas") if name in sys.modules]
    print(page, ",".join(heavy) or "none")
"""


@pytest.mark.quick
def test_home_model_and_data_pages_open_without_heavy_imports(tmp_path):
    env = {**os.environ, "LSTM_LAB_STORE": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(APP)],
        cwd=APP.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The pages run in turn in one process, the Data page last: it shows a DataFrame.
    assert done.stdout.split() == ["home", "none", "model", "none", "data", "pandas"]
