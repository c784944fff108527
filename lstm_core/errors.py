"""Exceptions a user can cause.

Every error that follows from something a user typed, uploaded or chose is a subclass of
``LabError`` (itself a ``ValueError``), so the dashboard and the command line can show its
message as it is, and never a traceback. A message names the input, what was expected, what
was received, and how to fix it, in the manner of scikit-learn's validation messages.
"""


class LabError(ValueError):
    """Base class of every error a user can cause; its message is meant to be shown as is."""


class DataError(LabError):
    """A problem with a user's data file or with how it is to be windowed."""


class SpecError(LabError):
    """An impossible layer stack or an out-of-range model setting."""


class ConfigError(LabError):
    """An out-of-range training setting, limit, or imported experiment file."""


class StoreError(LabError):
    """The run store cannot be opened, read or written."""
