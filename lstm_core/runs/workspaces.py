"""Workspaces as a whole: what each holds and when it was last used, and removing one.

Runs belong to a workspace (a hosted app gives each visitor one; on one's own machine the app
and the command line share ``LOCAL_WORKSPACE``). Retention (``lstm_core.retention``) reads
``workspaces`` and removes the oldest with ``delete_workspace``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from lstm_core.errors import StoreError
from lstm_core.runs import liveness
from lstm_core.runs.database import Database
from lstm_core.runs.model_files import ModelFiles
from lstm_core.runs.records import RunRecords


@dataclass(frozen=True)
class WorkspaceUsage:
    """One workspace of a store, as retention sees it."""

    workspace: str  # its id
    last_active: float  # the latest start, end or heartbeat of its runs, Unix time
    size_bytes: int  # its runs' records and saved models, in bytes
    runs: int  # how many runs it holds
    training: bool  # whether one of its runs is still training


class Workspaces:
    """Every workspace of a store, over its runs and their model files.

    Args:
        database: the store's database.
        runs: the store's runs.
        models: the store's model files, counted in a workspace's size.
    """

    def __init__(self, database: Database, runs: RunRecords, models: ModelFiles):
        self._database = database
        self._runs = runs
        self._models = models

    def workspaces(self) -> list[WorkspaceUsage]:
        """Every workspace in the store: when it was last used, its size, whether it trains."""
        with self._database.transaction() as connection:
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
            entry["size_bytes"] += size + self._models.size(model)
            entry["runs"] += 1
            entry["training"] |= (
                liveness.effective_status(status, pid, host, process, beat, now) == "running"
            )
        return [WorkspaceUsage(workspace=name, **entry) for name, entry in usage.items()]

    def delete_workspace(self, workspace: str) -> int:
        """Remove every run of ``workspace`` and its models; return how many runs went.

        Raises:
            StoreError: a run of the workspace is still training (nothing is removed).
        """
        listed = self._runs.list_runs(workspace)
        training = list(listed["run_id"][listed["status"] == "running"])
        run_ids = list(listed["run_id"])
        if training:
            raise StoreError(
                f"Workspace {workspace!r} has a run still training ({training[0]}); stop it "
                "before removing the workspace."
            )
        for run_id in run_ids:
            self._runs.delete_run(run_id, workspace)
        with self._database.transaction() as connection:
            connection.execute("DELETE FROM sweeps WHERE workspace = ?", (workspace,))
        return len(run_ids)
