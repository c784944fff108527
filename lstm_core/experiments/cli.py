"""Moved to ``lstm_core.cli.lab``; this name stays for code written against it."""

from lstm_core.cli.lab import add_parsers, compare_command, vanishing_command

__all__ = ["add_parsers", "compare_command", "vanishing_command"]
