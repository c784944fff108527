"""``RunStore``: one folder, one database, and the store's concerns over them.

A store is a folder holding ``runs.sqlite`` and ``models/<run_id>.keras``. ``RunStore`` opens
them and hands each concern the same database: runs (``records``), their model files
(``model_files``), sweeps (``sweep_records``), shared links (``links``), workspaces as a whole
(``workspaces``) and exports (``export``). Its methods are those concerns' own, so a caller
needs only the store.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
import weakref
from pathlib import Path

from lstm_core.errors import StoreError
from lstm_core.runs import export
from lstm_core.runs.database import DATABASE, LOCAL_WORKSPACE, Database
from lstm_core.runs.links import ExperimentLinks
from lstm_core.runs.model_files import MODELS, ModelFiles
from lstm_core.runs.records import RunRecords
from lstm_core.runs.sweep_records import SweepRecords
from lstm_core.runs.workspaces import Workspaces


def default_folder() -> Path:
    """The per-user data folder: ``$XDG_DATA_HOME/lstm-lab``, macOS' or Windows' equivalent."""
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "lstm-lab"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "lstm-lab"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "lstm-lab"


def _by(concern: str, method):
    """A ``RunStore`` method that calls ``method`` on the store's ``concern`` attribute,
    with the same name, arguments and docstring."""

    @functools.wraps(method)
    def forwarded(self, *args, **kwargs):
        return method(getattr(self, concern), *args, **kwargs)

    return forwarded


class RunStore:
    """Training runs kept in a folder: a SQLite database and the trained ``.keras`` models.

    Args:
        folder: path of the store's folder; created if missing. Raises ``StoreError`` naming
            the path when it cannot be created or written, or when ``runs.sqlite`` in it is
            damaged (the damaged file is never touched).

    Attributes:
        folder: the store's folder.
        database: its ``Database``.
        runs, models, sweeps, links, workspace_usage: the concerns over that database
            (``RunRecords``, ``ModelFiles``, ``SweepRecords``, ``ExperimentLinks``,
            ``Workspaces``); the store's methods are theirs.

    Example:

    >>> store = RunStore.in_memory()
    >>> store.list_runs().empty
    True
    """

    def __init__(self, folder: str | os.PathLike, *, _database: str | None = None):
        self.folder = Path(folder).expanduser()
        try:
            (self.folder / MODELS).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"The run store folder {self.folder} cannot be created ({error.strerror}); "
                "make it writable or set LSTM_LAB_STORE to another folder."
            ) from None
        self.database = Database(_database or str(self.folder / DATABASE))
        self.models = ModelFiles(self.folder, self.database)
        self.runs = RunRecords(self.database, self.models)
        self.sweeps = SweepRecords(self.database, self.runs)
        self.links = ExperimentLinks(self.database)
        self.workspace_usage = Workspaces(self.database, self.runs, self.models)

    @classmethod
    def in_memory(cls) -> RunStore:
        """A store that lasts as long as this object: the database in memory, the models
        in a temporary folder removed with it."""
        store = cls(tempfile.mkdtemp(prefix="lstm-lab-"), _database=":memory:")
        weakref.finalize(store, shutil.rmtree, store.folder, ignore_errors=True)
        return store

    @classmethod
    def default(cls) -> RunStore:
        """The store in ``$LSTM_LAB_STORE`` if set, else in the per-user data folder."""
        return cls(os.environ.get("LSTM_LAB_STORE") or default_folder())

    @property
    def is_memory(self) -> bool:
        return self.database.is_memory

    def __repr__(self) -> str:
        where = "in memory" if self.is_memory else str(self.folder)
        return f"RunStore({where})"

    def close(self) -> None:
        """Close every thread's connection to the database (the last one folds the WAL into
        ``runs.sqlite``). A thread that uses the store afterwards opens a new one."""
        self.database.close()

    # Each concern's methods, as the store's own (same arguments, docstrings and errors).

    # Writing a run (the training job).
    create_run = _by("runs", RunRecords.create_run)
    record_epoch = _by("runs", RunRecords.record_epoch)
    heartbeat = _by("runs", RunRecords.heartbeat)
    save_model = _by("models", ModelFiles.save_model)
    save_model_bytes = _by("models", ModelFiles.save_model_bytes)
    save_diagnosis = _by("runs", RunRecords.save_diagnosis)
    finish_run = _by("runs", RunRecords.finish_run)

    # Reading runs (the pages and the command line).
    count_runs = _by("runs", RunRecords.count_runs)
    list_runs = _by("runs", RunRecords.list_runs)
    get_run = _by("runs", RunRecords.get_run)
    load_model = _by("runs", RunRecords.load_model)
    delete_run = _by("runs", RunRecords.delete_run)

    # Sweeps and their trials.
    create_sweep = _by("sweeps", SweepRecords.create_sweep)
    get_sweep = _by("sweeps", SweepRecords.get_sweep)
    list_sweeps = _by("sweeps", SweepRecords.list_sweeps)
    sweep_trials = _by("sweeps", SweepRecords.sweep_trials)

    # Workspaces as a whole (retention).
    workspaces = _by("workspace_usage", Workspaces.workspaces)
    delete_workspace = _by("workspace_usage", Workspaces.delete_workspace)

    # Experiments kept for shared links too long for an address bar.
    save_experiment = _by("links", ExperimentLinks.save_experiment)
    load_experiment = _by("links", ExperimentLinks.load_experiment)
    forget_experiments = _by("links", ExperimentLinks.forget_experiments)

    # Exports (lstm_core.runs.export), of a run read first.

    def export_files(self, run_id: str, workspace: str = LOCAL_WORKSPACE) -> dict[str, bytes]:
        """The run's files by name (``export.run_files``), for download buttons."""
        return export.run_files(self.get_run(run_id, workspace))

    def export_zip(self, run_id: str, workspace: str = LOCAL_WORKSPACE) -> bytes:
        """``export_files`` as one zip archive, in memory."""
        return export.run_zip(self.get_run(run_id, workspace))

    def export_run(
        self, run_id: str, folder: str | os.PathLike, workspace: str = LOCAL_WORKSPACE
    ) -> list[Path]:
        """Write ``export_files`` into ``folder`` (created if missing); return the paths."""
        return export.write_run(self.get_run(run_id, workspace), folder)
