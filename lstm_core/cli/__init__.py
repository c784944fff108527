"""``python -m lstm_core``: the engine without the dashboard, for scripts and larger runs.

Subcommands: ``train`` (``lstm_core.cli.train``: train on a CSV file or a bundled sample and
keep the run), ``runs`` (``lstm_core.cli.runs``: ``list``, ``show ID``, ``export ID DIR``), and
the vanishing-gradient lab's ``vanishing`` and ``compare`` (``lstm_core.cli.lab``), the
ablation lab's ``ablation`` (``lstm_core.cli.ablation``), and ``sweep`` (``lstm_core.cli.sweep``:
a comparison over axes and seeds, on Ray). Bad input
(a missing column, a bad CSV, an impossible layer string, an out-of-range setting) ends with
exit status 2 and one line on stderr, never a traceback; a job that fails ends with status 1,
one stopped with Ctrl-C with 130.
"""

from __future__ import annotations

import argparse
import sys

from lstm_core.cli import ablation, lab, runs, sweep, train
from lstm_core.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    POLL_S,
    Parser,
    add_store_options,
    one_line,
)
from lstm_core.errors import LabError

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_INTERRUPTED", "POLL_S", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand."""
    parser = Parser(
        prog="python -m lstm_core",
        description="LSTM Lab's engine without the dashboard: train recurrent models, keep "
        "and export the runs, and run the vanishing-gradient and ablation labs.",
        epilog="Example: python -m lstm_core train --sample airline --layers "
        "'lstm:32:seq,lstm:16' --epochs 20",
    )
    add_store_options(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (train, runs, lab, ablation, sweep):
        module.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LabError as error:
        print(f"error: {one_line(str(error))}", file=sys.stderr)
        return EXIT_BAD_INPUT
