"""``python -m lstm_core`` in a fresh process, as a user runs it, for the command-line tests."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args, store, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m lstm_core *args --store store`` from the repository; its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "lstm_core", *map(str, args), "--store", str(store)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=timeout,
    )
