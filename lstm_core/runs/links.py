"""Shared links: experiments kept in the store for links too long for an address bar.

An experiment's JSON is kept under the first 16 hex digits of its SHA-256, so the same
document always gets the same id (``lstm_core.experiment_url.to_link_params``); retention
forgets those not saved again for as long as runs are kept.
"""

from __future__ import annotations

import hashlib
import re
import time

from lstm_core.errors import StoreError
from lstm_core.runs.database import Database

EXPERIMENT_ID = re.compile(r"[0-9a-f]{16}")


class ExperimentLinks:
    """The ``experiments`` table of a store.

    Args:
        database: the store's database.
    """

    def __init__(self, database: Database):
        self._database = database

    def save_experiment(self, document: str) -> str:
        """Keep an experiment's JSON; return its id (16 hex digits of its SHA-256).

        The same document always gets the same id; saving it again marks it as used now.
        """
        experiment_id = hashlib.sha256(document.encode()).hexdigest()[:16]
        with self._database.transaction() as connection:
            connection.execute(
                "INSERT INTO experiments (id, document, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at",
                (experiment_id, document, time.time()),
            )
        return experiment_id

    def load_experiment(self, experiment_id: str) -> str:
        """The JSON kept by ``save_experiment``; ``StoreError`` if there is none."""
        row = None
        if isinstance(experiment_id, str) and EXPERIMENT_ID.fullmatch(experiment_id):
            with self._database.transaction() as connection:
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
        with self._database.transaction() as connection:
            cursor = connection.execute("DELETE FROM experiments WHERE created_at < ?", (before,))
        return cursor.rowcount
