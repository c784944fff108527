"""A run's trained model: ``models/<run_id>.keras`` in the store's folder, recorded with the run.

A model is written beside its file and renamed into place, so a reader never sees a
half-written one, and a write that fails leaves nothing behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from lstm_core import backend
from lstm_core.cells import load_custom_layers
from lstm_core.errors import StoreError
from lstm_core.runs.database import RUN_ID, Database

MODELS = "models"


class ModelFiles:
    """The ``.keras`` files of a store's runs.

    Args:
        folder: the store's folder; its ``models`` folder exists.
        database: the store's database, where a run's file is recorded.
    """

    def __init__(self, folder: Path, database: Database):
        self.folder = folder
        self._database = database

    def path(self, run_id: str) -> Path:
        """Where the run's model is kept: ``<folder>/models/<run_id>.keras``."""
        # run_id comes from create_run, never from a user: still, refuse anything else.
        if not RUN_ID.fullmatch(run_id):
            raise StoreError(f"Run ids are 12 hex digits, got {run_id!r}.")
        return self.folder / MODELS / f"{run_id}.keras"

    def save_model(self, run_id: str, model) -> Path:
        """Save a Keras model as the run's ``models/<run_id>.keras``; return the path."""
        return self._keep(run_id, lambda partial: backend.save_model(model, partial))

    def save_model_bytes(self, run_id: str, data: bytes) -> Path:
        """Keep a ``.keras`` file's bytes (a model saved on another machine: a sweep's
        worker) as the run's model; return the path."""
        return self._keep(run_id, lambda partial: partial.write_bytes(data))

    def _keep(self, run_id: str, write) -> Path:
        """``write(path)`` the run's model beside its file, rename it into place (a reader
        never sees a half-written file), and record it with the run; return the path.

        A write that fails, for any reason, leaves nothing behind: its partial file is
        removed, and the run keeps the model it had (if any).
        """
        path = self.path(run_id)
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
        with self._database.transaction() as connection:
            connection.execute(
                "UPDATE runs SET model_file = ? WHERE id = ?", (f"{MODELS}/{path.name}", run_id)
            )
        return path

    def load(self, path: Path):
        """The ``keras.Model`` saved at ``path``, loaded with Keras' safe mode on."""
        import keras

        load_custom_layers()  # registers the LSTM variants' cell with Keras first
        return keras.saving.load_model(path, safe_mode=True)

    def size(self, model_file: str | None) -> int:
        """Bytes of a run's recorded ``model_file`` (relative to the folder); 0 if none."""
        try:
            return (self.folder / model_file).stat().st_size if model_file else 0
        except OSError:
            return 0

    def delete(self, run_id: str) -> None:
        """Remove the run's model file, if there is one."""
        self.path(run_id).unlink(missing_ok=True)
