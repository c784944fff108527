"""Sweeps (``lstm_core.sweeps``) in the store: a sweep's spec, and its trials as runs.

The ``sweeps`` table keeps a sweep's spec; each trial is a run holding the sweep's id and its
trial key (schema 3), written by the sweep's driver alone.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping

from lstm_core.errors import StoreError
from lstm_core.runs.database import LOCAL_WORKSPACE, Database, to_json
from lstm_core.runs.records import Run, RunRecords


class SweepRecords:
    """The ``sweeps`` table of a store, and the runs that are their trials.

    Args:
        database: the store's database.
        runs: the store's runs, which a sweep's trials are.
    """

    def __init__(self, database: Database, runs: RunRecords):
        self._database = database
        self._runs = runs

    def create_sweep(
        self, spec: Mapping, *, name: str = "", workspace: str = LOCAL_WORKSPACE
    ) -> str:
        """Keep a sweep's spec (``SweepSpec.to_dict()``); return its id (12 hex digits)."""
        sweep_id = secrets.token_hex(6)
        with self._database.transaction() as connection:
            connection.execute(
                "INSERT INTO sweeps (id, workspace, name, spec, created_at) VALUES (?, ?, ?, ?, ?)",
                (sweep_id, workspace, name, to_json(spec), time.time()),
            )
        return sweep_id

    def get_sweep(self, sweep_id: str, workspace: str = LOCAL_WORKSPACE) -> dict:
        """``{"sweep_id", "name", "spec", "created_at"}`` of a sweep of ``workspace``."""
        with self._database.transaction() as connection:
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
        with self._database.transaction() as connection:
            ids = connection.execute(
                "SELECT id FROM sweeps WHERE workspace = ? ORDER BY created_at DESC", (workspace,)
            ).fetchall()
        return [self.get_sweep(sweep_id, workspace) for (sweep_id,) in ids]

    def sweep_trials(self, sweep_id: str, workspace: str = LOCAL_WORKSPACE) -> dict[str, Run]:
        """The runs of a sweep by trial key (one run per trial: a rerun replaces the last)."""
        with self._database.transaction() as connection:
            rows = connection.execute(
                "SELECT trial, id FROM runs WHERE sweep_id = ? AND workspace = ? "
                "ORDER BY created_at",
                (sweep_id, workspace),
            ).fetchall()
        return {trial: self._runs.get_run(run_id, workspace) for trial, run_id in rows}
