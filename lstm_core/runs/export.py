"""A stored run as files: its settings and results as JSON, its history as CSV, its model.

For the download buttons, the zip archive of the Runs page and ``python -m lstm_core runs
export``. Everything here reads a ``Run`` already read from the store.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from lstm_core.errors import StoreError
from lstm_core.runs.records import Run


def run_files(run: Run) -> dict[str, bytes]:
    """The run's files, by name: ``<id>_config.json``, ``<id>_history.csv`` and, when
    saved, ``<id>.keras``."""
    config = {
        "run_id": run.run_id,
        "name": run.name,
        "status": run.status,
        "created_at": datetime.fromtimestamp(run.created_at, UTC).isoformat(),
        "dataset": run.dataset,
        "window_spec": run.window_spec,
        "model_spec": run.model_spec,
        "train_config": run.train_config,
        "test_metrics": run.test_metrics,
        "timings": run.timings,
        "diagnosis": run.diagnosis,
        "error": run.error,
    }
    files = {
        f"{run.run_id}_config.json": json.dumps(config, indent=2).encode(),
        f"{run.run_id}_history.csv": run.history.to_csv(index=False).encode(),
    }
    if run.model_path is not None and run.model_path.exists():
        files[run.model_path.name] = run.model_path.read_bytes()
    return files


def run_zip(run: Run) -> bytes:
    """``run_files`` as one zip archive, in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in run_files(run).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def write_run(run: Run, folder: str | os.PathLike) -> list[Path]:
    """Write ``run_files`` into ``folder`` (created if missing); return the paths."""
    folder = Path(folder).expanduser()
    paths = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in run_files(run).items():
            path = folder / name
            path.write_bytes(content)
            paths.append(path)
    except OSError as error:
        raise StoreError(
            f"Run {run.run_id} cannot be exported to {folder} ({error.strerror}); "
            "choose a writable folder."
        ) from None
    return paths
