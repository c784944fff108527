"""What every subcommand of ``python -m lstm_core`` shares: exit statuses, the one-line
parser, the run store options, and the one loop that watches a background job.

No subcommand module imports another; ``lstm_core.cli`` imports them all, so the package has
no import cycle.
"""

from __future__ import annotations

import argparse
import sys

EXIT_FAILED = 1  # the run failed (diverged, out of memory, ...)
EXIT_BAD_INPUT = 2  # argparse's status for bad arguments; used for every LabError too
EXIT_INTERRUPTED = 130  # stopped with Ctrl-C, the shell's 128 + SIGINT
POLL_S = 0.1  # how often the terminal reads the job's progress


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line, like every other bad input."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def add_store_options(parser: argparse.ArgumentParser, default=argparse.SUPPRESS) -> None:
    """``--store`` and ``--workspace``; on the main parser and on each subcommand, so that
    ``--store DIR`` may come before or after the subcommand."""
    parser.add_argument(
        "--store",
        metavar="DIR",
        default=default,
        help="run store folder (default: $LSTM_LAB_STORE, else the per-user data folder)",
    )
    parser.add_argument(
        "--workspace",
        default=default,
        help="the store's workspace (default: 'local', the one the app uses on this machine)",
    )


def watch(job, show):
    """Poll a started job until it ends; return its last snapshot.

    Every job of the runtime (``lstm_core.jobs.Job``) has ``wait(timeout)``, ``stop()`` and a
    snapshot with ``done``. ``show(snapshot)`` is called after every poll, to print what is
    new. Ctrl-C stops the job (after the epoch or the train-function call in progress); the
    loop goes on until the job has ended, so what was done is still reported.
    """
    while True:
        try:
            snapshot = job.wait(POLL_S)
        except KeyboardInterrupt:
            job.stop()
            continue
        show(snapshot)
        if snapshot.done:
            return snapshot


def exit_status(snapshot) -> int:
    """The exit status of a job that ended as ``snapshot`` says; a failure is one line on
    stderr."""
    if snapshot.status == "failed":
        print(f"error: {one_line(snapshot.error)}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_INTERRUPTED if snapshot.status == "stopped" else 0


def store(args):
    """The ``RunStore`` of ``--store``, else the default one."""
    from lstm_core.runs import RunStore

    folder = getattr(args, "store", None)
    return RunStore(folder) if folder else RunStore.default()


def workspace(args) -> str:
    from lstm_core.runs import LOCAL_WORKSPACE

    return getattr(args, "workspace", None) or LOCAL_WORKSPACE


def number(value) -> str:
    """A metric for a table: 4 significant digits, ``-`` for a missing one."""
    return "-" if value is None or value != value else f"{value:.4g}"


def one_line(text: str) -> str:
    return " ".join(str(text).split())
