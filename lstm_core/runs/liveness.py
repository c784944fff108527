"""Whether a run stored as ``"running"`` still has a process training it.

A run records the process that trains it (its pid, host, and a random token telling this
process apart from an earlier one with the same pid, as in a restarted container) and a
heartbeat on every epoch. A running run whose process is gone reads back as ``"interrupted"``.
"""

from __future__ import annotations

import os
import secrets
import socket
import time

HOST = socket.gethostname()
# Tells this process apart from an earlier one that had the same pid (a restarted container).
PROCESS = secrets.token_hex(8)
# A running run whose heartbeat is older than this is taken as interrupted even when its
# process id looks alive (another machine, Windows, or the id reused after a restart).
STALE_AFTER_S = 600.0


def effective_status(status, pid, host, process, heartbeat, now=None) -> str:
    """``"interrupted"`` for a running run whose process is gone, else the stored status."""
    if status != "running":
        return status
    now = time.time() if now is None else now
    if now - heartbeat > STALE_AFTER_S:
        return "interrupted"
    if host != HOST:
        return status
    if pid == os.getpid():
        return status if process == PROCESS else "interrupted"
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
