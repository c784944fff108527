"""The run store: every training run kept in SQLite, its trained model saved beside it.

A store is a folder holding ``runs.sqlite`` and ``models/<run_id>.keras``. ``RunStore``
(``store``) opens both and is all a caller needs; behind it, one module per concern, over one
``Database``:

- ``database``: the schema, one connection per thread in WAL mode, transactions, the errors.
- ``records``: runs (``Run``), their epochs and diagnoses, written by the training job.
- ``liveness``: whether a running run's process is still there (else it reads
  ``"interrupted"``).
- ``model_files``: a run's ``.keras`` file, renamed into place; a failed save leaves nothing.
- ``sweep_records``: sweeps (``lstm_core.sweeps``) and their trials' runs.
- ``links``: experiments kept for links too long for an address bar.
- ``workspaces``: each workspace's size and last use, and removing one (retention).
- ``export``: a run as files, a zip, or a folder.

Runs belong to a workspace (a hosted app gives each visitor one); a run of another workspace
is invisible. On one's own machine the app and the command line share ``LOCAL_WORKSPACE``.
"""

from lstm_core.runs.database import LOCAL_WORKSPACE, SCHEMA_VERSION
from lstm_core.runs.records import ENDINGS, STATUSES, Run
from lstm_core.runs.store import RunStore, default_folder
from lstm_core.runs.workspaces import WorkspaceUsage

__all__ = [
    "ENDINGS",
    "LOCAL_WORKSPACE",
    "SCHEMA_VERSION",
    "STATUSES",
    "Run",
    "RunStore",
    "WorkspaceUsage",
    "default_folder",
]
