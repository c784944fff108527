"""The run store: every training run kept in SQLite, its trained model saved beside it.

A store is a folder holding ``runs.sqlite`` and ``models/<run_id>.keras``. The database runs
in WAL mode, so a reader never blocks the training job writing its epochs, and every thread
has its own connection with a busy timeout, so concurrent jobs (threads or processes) write
safely. Each epoch is committed as it ends: a process killed mid-training leaves its history
up to the last completed epoch, and the run reads back as ``"interrupted"``.

Runs belong to a workspace (a hosted app gives each visitor one); a run of another workspace
is invisible. A run may be a trial of a sweep (``lstm_core.sweeps``): the ``sweeps`` table keeps
the sweep's spec, and the run its ``sweep_id`` and ``trial`` key (schema 3). On one's own
machine the app and the command line share ``LOCAL_WORKSPACE``. Run ids are short random hex strings and never come from user input, so a file
name built from one can never point outside the store.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import secrets
import shutil
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import weakref
import zipfile
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lstm_core import backend
from lstm_core.cells import load_custom_layers
from lstm_core.errors import StoreError

if TYPE_CHECKING:
    import pandas as pd

DATABASE = "runs.sqlite"
MODELS = "models"
STATUSES = ("running", "finished", "stopped", "failed", "interrupted")
ENDINGS = ("finished", "stopped", "failed", "interrupted")  # how a run may be ended
# The workspace of the app run on one's own machine and of the command line.
LOCAL_WORKSPACE = "local"
# A running run whose heartbeat is older than this is taken as interrupted even when its
# process id looks alive (another machine, Windows, or the id reused after a restart).
STALE_AFTER_S = 600.0
SCHEMA_VERSION = 3
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at REAL NOT NULL,
    finished_at REAL,
    status TEXT NOT NULL,
    dataset TEXT NOT NULL,
    window_spec TEXT,
    model_spec TEXT NOT NULL,
    train_config TEXT NOT NULL,
    test_metrics TEXT,
    timings TEXT,
    error TEXT,
    model_file TEXT,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    process TEXT NOT NULL,
    heartbeat REAL NOT NULL,
    sweep_id TEXT,
    trial TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_workspace ON runs (workspace, created_at);
CREATE TABLE IF NOT EXISTS sweeps (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS experiments (
    id TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (run_id, epoch)
);
CREATE TABLE IF NOT EXISTS diagnoses (
    run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    record TEXT NOT NULL
);
"""
_RUN_ID = re.compile(r"[0-9a-f]{12}")
_EXPERIMENT_ID = re.compile(r"[0-9a-f]{16}")
_HOST = socket.gethostname()
# Tells this process apart from an earlier one that had the same pid (a restarted container).
_PROCESS = secrets.token_hex(8)


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


@dataclass(frozen=True)
class WorkspaceUsage:
    """One workspace of a store, as retention sees it."""

    workspace: str  # its id
    last_active: float  # the latest start, end or heartbeat of its runs, Unix time
    size_bytes: int  # its runs' records and saved models, in bytes
    runs: int  # how many runs it holds
    training: bool  # whether one of its runs is still training


def default_folder() -> Path:
    """The per-user data folder: ``$XDG_DATA_HOME/lstm-lab``, macOS' or Windows' equivalent."""
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "lstm-lab"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "lstm-lab"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "lstm-lab"


class RunStore:
    """Training runs kept in a folder: a SQLite database and the trained ``.keras`` models.

    Args:
        folder: path of the store's folder; created if missing. Raises ``StoreError`` naming
            the path when it cannot be created or written, or when ``runs.sqlite`` in it is
            damaged (the damaged file is never touched).

    Example:

    >>> store = RunStore.in_memory()
    >>> store.list_runs().empty
    True
    """

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder).expanduser()
        self._database = str(self.folder / DATABASE)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._shared: sqlite3.Connection | None = None
        self._opened: list[sqlite3.Connection] = []  # every thread's connection, for close()
        try:
            (self.folder / MODELS).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"The run store folder {self.folder} cannot be created ({error.strerror}); "
                "make it writable or set LSTM_LAB_STORE to another folder."
            ) from None
        with self._transaction() as connection:
            self._check_database(connection)

    @classmethod
    def in_memory(cls) -> RunStore:
        """A store that lasts as long as this object: the database in memory, the models
        in a temporary folder removed with it."""
        store = cls.__new__(cls)
        store.folder = Path(tempfile.mkdtemp(prefix="lstm-lab-"))
        (store.folder / MODELS).mkdir()
        store._database = ":memory:"
        store._local = threading.local()
        store._lock = threading.Lock()
        store._opened = []
        # One connection for every thread: an in-memory database lives in its connection.
        store._shared = sqlite3.connect(":memory:", check_same_thread=False)
        weakref.finalize(store, shutil.rmtree, store.folder, ignore_errors=True)
        with store._transaction() as connection:
            store._check_database(connection)
        return store

    @classmethod
    def default(cls) -> RunStore:
        """The store in ``$LSTM_LAB_STORE`` if set, else in the per-user data folder."""
        return cls(os.environ.get("LSTM_LAB_STORE") or default_folder())

    @property
    def is_memory(self) -> bool:
        return self._shared is not None

    def __repr__(self) -> str:
        where = "in memory" if self.is_memory else str(self.folder)
        return f"RunStore({where})"

    # Connections and errors.

    def _connection(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        connection = getattr(self._local, "connection", None)
        if connection is None:
            # Used by one thread at a time (self._lock), closed by close() from any thread.
            connection = sqlite3.connect(self._database, timeout=30.0, check_same_thread=False)
            connection.execute("PRAGMA busy_timeout = 30000")
            connection.execute("PRAGMA journal_mode = WAL")
            self._local.connection = connection
            self._opened.append(connection)
        return connection

    def close(self) -> None:
        """Close every thread's connection to the database (the last one folds the WAL into
        ``runs.sqlite``). A thread that uses the store afterwards opens a new one."""
        with self._lock:
            for connection in self._opened:
                connection.close()
            self._opened.clear()
            self._local = threading.local()

    @contextmanager
    def _transaction(self):
        """Yield a connection inside one transaction; sqlite errors become ``StoreError``."""
        with self._lock:
            try:
                connection = self._connection()
                with connection:
                    yield connection
            except sqlite3.Error as error:
                raise self._store_error(error) from None

    def _store_error(self, error: sqlite3.Error) -> StoreError:
        text = str(error)
        if isinstance(error, sqlite3.DatabaseError) and (
            "not a database" in text or "malformed" in text
        ):
            fix = (
                "the file is damaged and was left untouched; move it aside to start a new "
                "store, or set LSTM_LAB_STORE to another folder"
            )
        else:
            fix = "make the folder writable or set LSTM_LAB_STORE to another folder"
        return StoreError(f"The run store {self._database} cannot be used ({text}); {fix}.")

    def _check_database(self, connection: sqlite3.Connection) -> None:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The run store {self._database} was written by a newer LSTM Lab (schema "
                f"{version}, this one reads {SCHEMA_VERSION}); upgrade, or set LSTM_LAB_STORE "
                "to another folder."
            )
        # A damaged file is reported here, at open, rather than halfway through a run.
        check = connection.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed: {check}")
        connection.executescript(_SCHEMA)
        columns = {row[1] for row in connection.execute("PRAGMA table_info(runs)")}
        for column in ("sweep_id", "trial"):  # schema 3: a run may be a trial of a sweep
            if column not in columns:
                connection.execute(f"ALTER TABLE runs ADD COLUMN {column} TEXT")
        connection.execute("CREATE INDEX IF NOT EXISTS runs_by_sweep ON runs (sweep_id)")
        if version == 1:
            # Schema 1's app wrote workspace "local", its command line "default": one workspace.
            connection.execute(
                "UPDATE runs SET workspace = ? WHERE workspace = 'default'", (LOCAL_WORKSPACE,)
            )
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # Writing a run (the training job).

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
        with self._transaction() as connection:
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
                    _to_json(dataset or {}),
                    None if window_spec is None else _to_json(window_spec),
                    _to_json(model_spec),
                    _to_json(train_config),
                    os.getpid(),
                    _HOST,
                    _PROCESS,
                    now,
                    sweep_id,
                    trial,
                ),
            )
        return run_id

    def record_epoch(self, run_id: str, epoch: int, record: Mapping[str, float]) -> None:
        """Keep one completed epoch's logs (``{"loss": ..., "val_loss": ..., ...}``)."""
        with self._transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO history (run_id, epoch, record) VALUES (?, ?, ?)",
                (run_id, int(epoch), _to_json(record)),
            )
            connection.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", (time.time(), run_id))

    def heartbeat(self, run_id: str) -> None:
        """Say that the run's process is still training it."""
        with self._transaction() as connection:
            connection.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", (time.time(), run_id))

    def save_model(self, run_id: str, model) -> Path:
        """Save a Keras model as the run's ``models/<run_id>.keras``; return the path."""
        return self._keep_model(run_id, lambda partial: backend.save_model(model, partial))

    def save_model_bytes(self, run_id: str, data: bytes) -> Path:
        """Keep a ``.keras`` file's bytes (a model saved on another machine: a sweep's
        worker) as the run's model; return the path."""
        return self._keep_model(run_id, lambda partial: partial.write_bytes(data))

    def _keep_model(self, run_id: str, write) -> Path:
        """``write(path)`` the run's model beside its file, rename it into place (a reader
        never sees a half-written file), and record it with the run; return the path.

        A write that fails, for any reason, leaves nothing behind: its partial file is
        removed, and the run keeps the model it had (if any).
        """
        path = self._model_file(run_id)
        partial = path.with_name(f"{run_id}.partial.keras")
        try:
            write(partial)
            os.replace(partial, path)
        except BaseException as error:
            partial.unlink(missing_ok=True)
            if not isinstance(error, OSError):
                raise
            raise StoreError(
                f"The model of run {run_id} cannot be saved to {path} ({error}); "
                "make the store folder writable or set LSTM_LAB_STORE to another folder."
            ) from None
        with self._transaction() as connection:
            connection.execute(
                "UPDATE runs SET model_file = ? WHERE id = ?", (f"{MODELS}/{path.name}", run_id)
            )
        return path

    def save_diagnosis(self, run_id: str, diagnosis: Mapping) -> None:
        """Keep the trained model's ``lstm_core.inspect.diagnose`` figures with the run."""
        with self._transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO diagnoses (run_id, record) VALUES (?, ?)",
                (run_id, _to_json(diagnosis)),
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
        with self._transaction() as connection:
            connection.execute(
                "UPDATE runs SET status = ?, finished_at = ?, test_metrics = ?, timings = ?, "
                "error = ? WHERE id = ?",
                (
                    status,
                    time.time(),
                    None if test_metrics is None else _to_json(test_metrics),
                    None if timings is None else _to_json(timings),
                    error,
                    run_id,
                ),
            )

    # Reading runs (the pages and the command line).

    def count_runs(self, workspace: str = LOCAL_WORKSPACE) -> int:
        """How many runs ``workspace`` holds, whatever their status."""
        with self._transaction() as connection:
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

        with self._transaction() as connection:
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
                    "status": _effective_status(status, pid, host, process, beat, now),
                    "created_at": created,
                    "dataset": json.loads(dataset).get("name", ""),
                    "epochs": epochs,
                    "loss": last.get("loss"),
                    "val_loss": last.get("val_loss"),
                    "has_model": bool(model) and (self.folder / model).exists(),
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

        with self._transaction() as connection:
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
            status=_effective_status(
                row["status"], row["pid"], row["host"], row["process"], row["heartbeat"]
            ),
            created_at=row["created_at"],
            finished_at=row["finished_at"],
            dataset=json.loads(row["dataset"]),
            window_spec=_from_json(row["window_spec"]),
            model_spec=json.loads(row["model_spec"]),
            train_config=json.loads(row["train_config"]),
            history=frame,
            test_metrics=_from_json(row["test_metrics"]),
            timings=_from_json(row["timings"]),
            error=row["error"],
            model_path=self.folder / row["model_file"] if row["model_file"] else None,
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
        import keras

        load_custom_layers()  # registers the LSTM variants' cell with Keras first
        return keras.saving.load_model(run.model_path, safe_mode=True)

    def delete_run(self, run_id: str, workspace: str = LOCAL_WORKSPACE) -> None:
        """Remove a run, its history and its model file."""
        run = self.get_run(run_id, workspace)
        if run.status == "running":
            raise StoreError(f"Run {run_id} is still training; stop it before deleting it.")
        with self._transaction() as connection:
            connection.execute("DELETE FROM history WHERE run_id = ?", (run_id,))
            connection.execute("DELETE FROM diagnoses WHERE run_id = ?", (run_id,))
            connection.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        self._model_file(run_id).unlink(missing_ok=True)

    # Sweeps (lstm_core.sweeps): a spec, and its trials as runs.

    def create_sweep(
        self, spec: Mapping, *, name: str = "", workspace: str = LOCAL_WORKSPACE
    ) -> str:
        """Keep a sweep's spec (``SweepSpec.to_dict()``); return its id (12 hex digits)."""
        sweep_id = secrets.token_hex(6)
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO sweeps (id, workspace, name, spec, created_at) VALUES (?, ?, ?, ?, ?)",
                (sweep_id, workspace, name, _to_json(spec), time.time()),
            )
        return sweep_id

    def get_sweep(self, sweep_id: str, workspace: str = LOCAL_WORKSPACE) -> dict:
        """``{"sweep_id", "name", "spec", "created_at"}`` of a sweep of ``workspace``."""
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT id, name, spec, created_at FROM sweeps WHERE id = ? AND workspace = ?",
                (sweep_id, workspace),
            ).fetchone()
        if row is None:
            raise StoreError(
                f"There is no sweep {sweep_id!r} in this workspace; list the sweeps to see "
                "their ids."
            )
        return {
            "sweep_id": row[0],
            "name": row[1],
            "spec": json.loads(row[2]),
            "created_at": row[3],
        }

    def list_sweeps(self, workspace: str = LOCAL_WORKSPACE) -> list[dict]:
        """The workspace's sweeps, newest first, as ``get_sweep`` returns them."""
        with self._transaction() as connection:
            ids = connection.execute(
                "SELECT id FROM sweeps WHERE workspace = ? ORDER BY created_at DESC", (workspace,)
            ).fetchall()
        return [self.get_sweep(sweep_id, workspace) for (sweep_id,) in ids]

    def sweep_trials(self, sweep_id: str, workspace: str = LOCAL_WORKSPACE) -> dict[str, Run]:
        """The runs of a sweep by trial key (one run per trial: a rerun replaces the last)."""
        with self._transaction() as connection:
            rows = connection.execute(
                "SELECT trial, id FROM runs WHERE sweep_id = ? AND workspace = ? "
                "ORDER BY created_at",
                (sweep_id, workspace),
            ).fetchall()
        return {trial: self.get_run(run_id, workspace) for trial, run_id in rows}

    # Workspaces, as a whole (retention).

    def workspaces(self) -> list[WorkspaceUsage]:
        """Every workspace in the store: when it was last used, its size, whether it trains."""
        with self._transaction() as connection:
            rows = connection.execute(
                "SELECT workspace, status, pid, host, process, heartbeat, model_file, "
                "MAX(created_at, COALESCE(finished_at, 0), heartbeat), "
                "LENGTH(dataset) + LENGTH(model_spec) + LENGTH(train_config) "
                "+ COALESCE(LENGTH(window_spec), 0) + COALESCE(LENGTH(test_metrics), 0) "
                "+ COALESCE(LENGTH(timings), 0) + COALESCE(LENGTH(error), 0) "
                "+ (SELECT COALESCE(SUM(LENGTH(record)), 0) FROM history WHERE run_id = runs.id) "
                "FROM runs"
            ).fetchall()
        now = time.time()
        usage: dict[str, dict] = {}
        for workspace, status, pid, host, process, beat, model, last, size in rows:
            entry = usage.setdefault(
                workspace, {"last_active": 0.0, "size_bytes": 0, "runs": 0, "training": False}
            )
            entry["last_active"] = max(entry["last_active"], last)
            entry["size_bytes"] += size + self._file_size(model)
            entry["runs"] += 1
            entry["training"] |= (
                _effective_status(status, pid, host, process, beat, now) == "running"
            )
        return [WorkspaceUsage(workspace=name, **entry) for name, entry in usage.items()]

    def delete_workspace(self, workspace: str) -> int:
        """Remove every run of ``workspace`` and its models; return how many runs went.

        Raises:
            StoreError: a run of the workspace is still training (nothing is removed).
        """
        listed = self.list_runs(workspace)
        training = list(listed["run_id"][listed["status"] == "running"])
        run_ids = list(listed["run_id"])
        if training:
            raise StoreError(
                f"Workspace {workspace!r} has a run still training ({training[0]}); stop it "
                "before removing the workspace."
            )
        for run_id in run_ids:
            self.delete_run(run_id, workspace)
        with self._transaction() as connection:
            connection.execute("DELETE FROM sweeps WHERE workspace = ?", (workspace,))
        return len(run_ids)

    def _file_size(self, model_file: str | None) -> int:
        try:
            return (self.folder / model_file).stat().st_size if model_file else 0
        except OSError:
            return 0

    # Experiments kept for links too long for an address bar.

    def save_experiment(self, document: str) -> str:
        """Keep an experiment's JSON; return its id (16 hex digits of its SHA-256).

        The same document always gets the same id; saving it again marks it as used now.
        """
        experiment_id = hashlib.sha256(document.encode()).hexdigest()[:16]
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO experiments (id, document, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at",
                (experiment_id, document, time.time()),
            )
        return experiment_id

    def load_experiment(self, experiment_id: str) -> str:
        """The JSON kept by ``save_experiment``; ``StoreError`` if there is none."""
        row = None
        if isinstance(experiment_id, str) and _EXPERIMENT_ID.fullmatch(experiment_id):
            with self._transaction() as connection:
                row = connection.execute(
                    "SELECT document FROM experiments WHERE id = ?", (experiment_id,)
                ).fetchone()
        if row is None:
            raise StoreError(
                f"There is no stored experiment {experiment_id!r} (it may have expired); ask "
                "for the link again, or set up the experiment by hand."
            )
        return row[0]

    def forget_experiments(self, before: float) -> int:
        """Remove the experiments last saved before ``before`` (Unix time); return how many."""
        with self._transaction() as connection:
            cursor = connection.execute("DELETE FROM experiments WHERE created_at < ?", (before,))
        return cursor.rowcount

    # Exports.

    def export_files(self, run_id: str, workspace: str = LOCAL_WORKSPACE) -> dict[str, bytes]:
        """The run's files, by name: ``<id>_config.json``, ``<id>_history.csv`` and, when
        saved, ``<id>.keras``; for download buttons."""
        run = self.get_run(run_id, workspace)
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
            f"{run_id}_config.json": json.dumps(config, indent=2).encode(),
            f"{run_id}_history.csv": run.history.to_csv(index=False).encode(),
        }
        if run.model_path is not None and run.model_path.exists():
            files[run.model_path.name] = run.model_path.read_bytes()
        return files

    def export_zip(self, run_id: str, workspace: str = LOCAL_WORKSPACE) -> bytes:
        """``export_files`` as one zip archive, in memory."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in self.export_files(run_id, workspace).items():
                archive.writestr(name, content)
        return buffer.getvalue()

    def export_run(
        self, run_id: str, folder: str | os.PathLike, workspace: str = LOCAL_WORKSPACE
    ) -> list[Path]:
        """Write ``export_files`` into ``folder`` (created if missing); return the paths."""
        folder = Path(folder).expanduser()
        paths = []
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, content in self.export_files(run_id, workspace).items():
                path = folder / name
                path.write_bytes(content)
                paths.append(path)
        except OSError as error:
            raise StoreError(
                f"Run {run_id} cannot be exported to {folder} ({error.strerror}); "
                "choose a writable folder."
            ) from None
        return paths

    # Helpers.

    def _owned_row(self, connection, run_id: str, workspace: str) -> sqlite3.Row:
        connection.row_factory = sqlite3.Row
        try:
            row = None
            if isinstance(run_id, str) and _RUN_ID.fullmatch(run_id):
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

    def _model_file(self, run_id: str) -> Path:
        # run_id comes from create_run, never from a user: still, refuse anything else.
        if not _RUN_ID.fullmatch(run_id):
            raise StoreError(f"Run ids are 12 hex digits, got {run_id!r}.")
        return self.folder / MODELS / f"{run_id}.keras"


def _effective_status(status, pid, host, process, heartbeat, now=None) -> str:
    """``"interrupted"`` for a running run whose process is gone, else the stored status."""
    if status != "running":
        return status
    now = time.time() if now is None else now
    if now - heartbeat > STALE_AFTER_S:
        return "interrupted"
    if host != _HOST:
        return status
    if pid == os.getpid():
        return status if process == _PROCESS else "interrupted"
    return status if _pid_alive(pid) else "interrupted"


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":
        # os.kill(pid, 0) would terminate the process on Windows: rely on the heartbeat.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _to_json(value: Mapping) -> str:
    """JSON text of ``value``, with NaN and infinities written as null (valid JSON)."""
    return json.dumps(_finite(value))


def _finite(value):
    if hasattr(value, "tolist"):  # a NumPy scalar or array
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(key): _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _from_json(text: str | None):
    return None if text is None else json.loads(text)
