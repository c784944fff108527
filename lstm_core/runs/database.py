"""The store's SQLite database: its schema, one connection per thread, one transaction at a time.

The database runs in WAL mode, so a reader never blocks the training job writing its epochs,
and every thread has its own connection with a busy timeout, so concurrent jobs (threads or
processes) write safely. An in-memory database (``Database.in_memory``) lives in one connection
shared by every thread. Every ``sqlite3`` error becomes a ``StoreError`` naming the file and the
fix; a damaged file is reported when the store opens, and never touched.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import threading
from collections.abc import Mapping
from contextlib import contextmanager

from lstm_core.errors import StoreError

DATABASE = "runs.sqlite"
# The workspace of the app run on one's own machine and of the command line.
LOCAL_WORKSPACE = "local"
SCHEMA_VERSION = 3
SCHEMA = """
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
# Run ids are short random hex strings and never come from user input, so a file name built
# from one can never point outside the store.
RUN_ID = re.compile(r"[0-9a-f]{12}")


class Database:
    """The store's database: ``path`` on disk, or ``":memory:"``; opened and checked here.

    Args:
        path: the database file (its folder exists), or ``":memory:"``.
    """

    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        # One connection for every thread in memory: an in-memory database lives in it.
        self._shared = (
            sqlite3.connect(":memory:", check_same_thread=False) if path == ":memory:" else None
        )
        self._opened: list[sqlite3.Connection] = []  # every thread's connection, for close()
        with self.transaction() as connection:
            self._check(connection)

    @property
    def is_memory(self) -> bool:
        return self._shared is not None

    def _connection(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        connection = getattr(self._local, "connection", None)
        if connection is None:
            # Used by one thread at a time (self._lock), closed by close() from any thread.
            connection = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
            connection.execute("PRAGMA busy_timeout = 30000")
            connection.execute("PRAGMA journal_mode = WAL")
            self._local.connection = connection
            self._opened.append(connection)
        return connection

    def close(self) -> None:
        """Close every thread's connection (the last one folds the WAL into the file). A
        thread that uses the database afterwards opens a new one."""
        with self._lock:
            for connection in self._opened:
                connection.close()
            self._opened.clear()
            self._local = threading.local()

    @contextmanager
    def transaction(self):
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
        return StoreError(f"The run store {self.path} cannot be used ({text}); {fix}.")

    def _check(self, connection: sqlite3.Connection) -> None:
        """Refuse a newer schema or a damaged file; bring an older schema up to this one."""
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The run store {self.path} was written by a newer LSTM Lab (schema "
                f"{version}, this one reads {SCHEMA_VERSION}); upgrade, or set LSTM_LAB_STORE "
                "to another folder."
            )
        # A damaged file is reported here, at open, rather than halfway through a run.
        check = connection.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed: {check}")
        connection.executescript(SCHEMA)
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


def to_json(value: Mapping) -> str:
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


def from_json(text: str | None):
    """The value of JSON ``text``; ``None`` for ``None`` (a column not written yet)."""
    return None if text is None else json.loads(text)
