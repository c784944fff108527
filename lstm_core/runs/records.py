"""Runs, one row each: written by the training job epoch by epoch, read by pages and commands.

Each epoch is committed as it ends: a process killed mid-training leaves its history up to the
last completed epoch, and the run reads back as ``"interrupted"`` (``liveness``). A run of
another workspace is invisible: every read names the workspace.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lstm_core.errors import StoreError
from lstm_core.runs import liveness
from lstm_core.runs.database import LOCAL_WORKSPACE, RUN_ID, Database, from_json, to_json
from lstm_core.runs.model_files import ModelFiles

if TYPE_CHECKING:
    import pandas as pd

STATUSES = ("running", "finished", "stopped", "failed", "interrupted")
ENDINGS = ("finished", "stopped", "failed", "interrupted")  # how a run may be ended


@dataclass(frozen=True, eq=False)
class Run:
    """One stored run, as read back from the store."""

    run_id: str  # 12 hex digits
    workspace: str  # the workspace that owns the run
    name: str  # a label for lists, e.g. "airline.csv, lstm:32:seq,lstm:16"
    status: str  # one of STATUSES
    created_at: float  # seconds since the Unix epoch
    finished_at: float | None  # seconds since the Unix epoch, None while running
    dataset: dict  # summary of the data: name, shapes, feature and target names
    window_spec: dict | None  # WindowSpec.to_dict() (or SequenceSpec), None if unknown
    model_spec: dict  # ModelSpec.to_dict()
    train_config: dict  # TrainConfig.to_dict()
    history: pd.DataFrame  # one row per completed epoch: epoch, loss, val_loss, metrics
    test_metrics: dict | None  # final test-set metrics in the data's units, None until finished
    timings: dict | None  # seconds spent training, per epoch, ...
    error: str | None  # why a failed run failed
    model_path: Path | None  # the saved .keras file, None until saved
    diagnosis: dict | None = None  # lstm_core.inspect.diagnose of the trained model, if kept
    sweep_id: str | None = None  # the sweep this run is a trial of (create_sweep), if any
    trial: str | None = None  # its trial key in that sweep, e.g. "kind=lstm,seed=0"


class RunRecords:
    """The ``runs``, ``history`` and ``diagnoses`` tables of a store.

    Args:
        database: the store's database.
        models: the store's model files, for a run's saved model.
    """

    def __init__(self, database: Database, models: ModelFiles):
        self._database = database
        self._models = models

    def create_run(
        self,
        *,
        model_spec: Mapping,
        train_config: Mapping,
        dataset: Mapping | None = None,
        window_spec: Mapping | None = None,
        workspace: str = LOCAL_WORKSPACE,
        name: str = "",
        sweep_id: str | None = None,
        trial: str | None = None,
    ) -> str:
        """Add a run with status ``"running"`` owned by this process; return its id.

        ``sweep_id`` and ``trial`` link a sweep's trial to its sweep (``create_sweep``).
        """
        run_id = secrets.token_hex(6)
        now = time.time()
        with self._database.transaction() as connection:
            connection.execute(
                "INSERT INTO runs (id, workspace, name, created_at, status, dataset, "
                "window_spec, model_spec, train_config, pid, host, process, heartbeat, "
                "sweep_id, trial) "
                "VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    workspace,
                    name,
                    now,
                    to_json(dataset or {}),
                    None if window_spec is None else to_json(window_spec),
                    to_json(model_spec),
                    to_json(train_config),
                    os.getpid(),
                    liveness.HOST,
                    liveness.PROCESS,
                    now,
                    sweep_id,
                    trial,
                ),
            )
        return run_id

    def record_epoch(self, run_id: str, epoch: int, record: Mapping[str, float]) -> None:
        """Keep one completed epoch's logs (``{"loss": ..., "val_loss": ..., ...}``)."""
        with self._database.transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO history (run_id, epoch, record) VALUES (?, ?, ?)",
                (run_id, int(epoch), to_json(record)),
            )
            connection.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", (time.time(), run_id))

    def heartbeat(self, run_id: str) -> None:
        """Say that the run's process is still training it."""
        with self._database.transaction() as connection:
            connection.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", (time.time(), run_id))

    def save_diagnosis(self, run_id: str, diagnosis: Mapping) -> None:
        """Keep the trained model's ``lstm_core.inspect.diagnose`` figures with the run."""
        with self._database.transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO diagnoses (run_id, record) VALUES (?, ?)",
                (run_id, to_json(diagnosis)),
            )

    def finish_run(
        self,
        run_id: str,
        status: str,
        *,
        test_metrics: Mapping | None = None,
        timings: Mapping | None = None,
        error: str | None = None,
    ) -> None:
        """End a run as ``"finished"``, ``"stopped"``, ``"failed"`` or ``"interrupted"``
        (its process was shut down: the epochs recorded so far are kept, no model)."""
        if status not in ENDINGS:
            raise StoreError(f"A run ends as one of {ENDINGS}, got status={status!r}.")
        with self._database.transaction() as connection:
            connection.execute(
                "UPDATE runs SET status = ?, finished_at = ?, test_metrics = ?, timings = ?, "
                "error = ? WHERE id = ?",
                (
                    status,
                    time.time(),
                    None if test_metrics is None else to_json(test_metrics),
                    None if timings is None else to_json(timings),
                    error,
                    run_id,
                ),
            )

    def count_runs(self, workspace: str = LOCAL_WORKSPACE) -> int:
        """How many runs ``workspace`` holds, whatever their status."""
        with self._database.transaction() as connection:
            (count,) = connection.execute(
                "SELECT COUNT(*) FROM runs WHERE workspace = ?", (workspace,)
            ).fetchone()
        return count

    def list_runs(self, workspace: str = LOCAL_WORKSPACE) -> pd.DataFrame:
        """The workspace's runs, newest first.

        Returns:
            A DataFrame with one row per run and the columns ``run_id``, ``name``,
            ``status``, ``created_at`` (UTC timestamps), ``dataset`` (its name),
            ``epochs`` (completed), ``loss`` and ``val_loss`` (of the last completed epoch),
            ``has_model`` (its trained model is saved, for ``load_model``), and ``sweep_id``
            (the sweep it is a trial of, or None).
        """
        import pandas as pd  # here, not at the top: pages that only count runs open without it

        with self._database.transaction() as connection:
            rows = connection.execute(
                "SELECT id, name, status, created_at, dataset, pid, host, process, heartbeat, "
                "model_file, sweep_id, "
                "(SELECT COUNT(*) FROM history WHERE run_id = runs.id), "
                "(SELECT record FROM history WHERE run_id = runs.id ORDER BY epoch DESC LIMIT 1) "
                "FROM runs WHERE workspace = ? ORDER BY created_at DESC",
                (workspace,),
            ).fetchall()
        now = time.time()
        records = []
        for (
            run_id, name, status, created, dataset, pid, host, process, beat, model, sweep_id,
            epochs, last,
        ) in rows:  # fmt: skip
            last = json.loads(last) if last else {}
            records.append(
                {
                    "run_id": run_id,
                    "name": name,
                    "status": liveness.effective_status(status, pid, host, process, beat, now),
                    "created_at": created,
                    "dataset": json.loads(dataset).get("name", ""),
                    "epochs": epochs,
                    "loss": last.get("loss"),
                    "val_loss": last.get("val_loss"),
                    "has_model": bool(model) and (self._models.folder / model).exists(),
                    "sweep_id": sweep_id,
                }
            )
        frame = pd.DataFrame(
            records,
            columns=["run_id", "name", "status", "created_at", "dataset", "epochs", "loss"]
            + ["val_loss", "has_model", "sweep_id"],
        )
        frame["created_at"] = pd.to_datetime(frame["created_at"], unit="s", utc=True)
        frame[["loss", "val_loss"]] = frame[["loss", "val_loss"]].astype(float)
        return frame

    def get_run(self, run_id: str, workspace: str = LOCAL_WORKSPACE) -> Run:
        """One run of ``workspace``, with its history; ``StoreError`` if there is none."""
        import pandas as pd

        with self._database.transaction() as connection:
            row = self._owned_row(connection, run_id, workspace)
            history = connection.execute(
                "SELECT epoch, record FROM history WHERE run_id = ? ORDER BY epoch", (run_id,)
            ).fetchall()
            # Runs stored before diagnoses were kept have none.
            diagnosis = connection.execute(
                "SELECT record FROM diagnoses WHERE run_id = ?", (run_id,)
            ).fetchone()
        frame = pd.DataFrame(
            [{"epoch": epoch, **json.loads(record)} for epoch, record in history],
            columns=None if history else ["epoch", "loss", "val_loss"],
        )
        return Run(
            run_id=row["id"],
            workspace=row["workspace"],
            name=row["name"],
            status=liveness.effective_status(
                row["status"], row["pid"], row["host"], row["process"], row["heartbeat"]
            ),
            created_at=row["created_at"],
            finished_at=row["finished_at"],
            dataset=json.loads(row["dataset"]),
            window_spec=from_json(row["window_spec"]),
            model_spec=json.loads(row["model_spec"]),
            train_config=json.loads(row["train_config"]),
            history=frame,
            test_metrics=from_json(row["test_metrics"]),
            timings=from_json(row["timings"]),
            error=row["error"],
            model_path=self._models.folder / row["model_file"] if row["model_file"] else None,
            diagnosis=None if diagnosis is None else json.loads(diagnosis[0]),
            sweep_id=row["sweep_id"],
            trial=row["trial"],
        )

    def load_model(self, run_id: str, workspace: str = LOCAL_WORKSPACE):
        """The run's trained ``keras.Model``, loaded with Keras' safe mode on."""
        run = self.get_run(run_id, workspace)
        if run.model_path is None or not run.model_path.exists():
            raise StoreError(
                f"Run {run_id} has no saved model (status {run.status!r}); only finished "
                "and stopped runs keep one. Train it again to get a model."
            )
        return self._models.load(run.model_path)

    def delete_run(self, run_id: str, workspace: str = LOCAL_WORKSPACE) -> None:
        """Remove a run, its history and its model file."""
        run = self.get_run(run_id, workspace)
        if run.status == "running":
            raise StoreError(f"Run {run_id} is still training; stop it before deleting it.")
        with self._database.transaction() as connection:
            connection.execute("DELETE FROM history WHERE run_id = ?", (run_id,))
            connection.execute("DELETE FROM diagnoses WHERE run_id = ?", (run_id,))
            connection.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        self._models.delete(run_id)

    def _owned_row(self, connection, run_id: str, workspace: str) -> sqlite3.Row:
        connection.row_factory = sqlite3.Row
        try:
            row = None
            if isinstance(run_id, str) and RUN_ID.fullmatch(run_id):
                row = connection.execute(
                    "SELECT * FROM runs WHERE id = ? AND workspace = ?", (run_id, workspace)
                ).fetchone()
        finally:
            connection.row_factory = None
        if row is None:
            raise StoreError(
                f"There is no run {run_id!r} in this workspace; list the runs to see their ids."
            )
        return row
