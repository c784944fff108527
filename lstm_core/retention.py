"""How long a hosted app keeps visitors' runs: by age, then by size, oldest first.

A workspace is as old as its latest run (its start, last epoch or end). ``prune`` removes the
workspaces older than ``Limits.retention_days``, then, while the store still holds more than
``Limits.store_cap_mb``, the oldest of the others. A workspace with a run still training is
never removed, however old or large. Stored experiments (the ids of links too long for an
address bar) are kept as long as runs.
"""

from __future__ import annotations

import time

from lstm_core.errors import StoreError
from lstm_core.settings import Limits

DAY_S = 86_400.0


def prune(store, limits: Limits, *, now: float | None = None) -> list[str]:
    """Remove expired workspaces from ``store`` (a ``RunStore``); return their ids, oldest
    first."""
    now = time.time() if now is None else now
    oldest_kept = now - limits.retention_days * DAY_S
    cap_bytes = limits.store_cap_mb * 1e6
    usage = sorted(store.workspaces(), key=lambda workspace: workspace.last_active)
    total = sum(workspace.size_bytes for workspace in usage)
    removed = []
    for workspace in usage:
        expired = workspace.last_active < oldest_kept or total > cap_bytes
        if not expired or workspace.training:
            continue
        try:
            store.delete_workspace(workspace.workspace)
        except StoreError:  # a run started in it since it was measured
            continue
        total -= workspace.size_bytes
        removed.append(workspace.workspace)
    store.forget_experiments(before=oldest_kept)
    return removed


def promise(limits: Limits) -> str:
    """What a visitor is told about how long their runs are kept."""
    return (
        f"Your runs are kept for {limits.retention_days:g} days after your last training run. "
        f"When the server's store passes {limits.store_cap_mb:g} MB, the workspaces unused "
        "longest are removed sooner. A run still training is never removed."
    )
