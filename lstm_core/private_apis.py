"""The private APIs of Keras and Ray that LSTM Lab uses, in one place, each behind a version check.

A private name (``keras.src...``, ``ray._private...``) may move in any release. Each one used is
declared here once, as a ``PrivateName`` of its ``Library``, with what it is used for; the code
that needs it calls the function below, never the library's private module. Before a name is
read, the installed release is compared with the range the use was written for (the range of
``requirements.txt``), once per library: outside it, a ``PrivateAPIWarning`` says so. A name that
is gone raises ``ConfigError`` naming the library, its release, the range and the fix, unless
its use has a public fallback (``keras_array_data_adapter``, ``dead_ray_node_processes``).
``tests/test_private_apis.py`` reads every declared name, so a release that moves one fails
there first. Streamlit's private names are in ``ui/streamlit_private.py``, declared the same way.

Nothing here imports the libraries until a function is called.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import re
import warnings
from dataclasses import dataclass

from lstm_core.errors import ConfigError


class PrivateAPIWarning(UserWarning):
    """A library's installed release is outside the range its private uses were written for."""


@dataclass(frozen=True)
class Library:
    """A library whose private names LSTM Lab uses, and the releases they were written for."""

    distribution: str  # its name on PyPI, as requirements.txt spells it: "keras"
    requirement: str  # its range, exactly as in requirements.txt: ">=3.15.1,<4"

    @property
    def version(self) -> str:
        """The installed release, ``"3.15.1"``."""
        return importlib.metadata.version(self.distribution)

    def in_range(self) -> bool:
        """Whether the installed release satisfies ``requirement`` (``>=`` and ``<`` clauses)."""
        installed = _release(self.version)
        for clause in self.requirement.split(","):
            operator, bound = re.fullmatch(r"\s*(>=|<)\s*(\S+)\s*", clause).groups()
            if (installed >= _release(bound)) != (operator == ">="):
                return False
        return True

    def check_version(self) -> None:
        """Warn when the installed release is out of range; checked once per process."""
        if self.distribution in _checked:
            return
        _checked.add(self.distribution)
        if self.in_range():
            return
        warnings.warn(
            f"{self.distribution} {self.version} is outside the releases LSTM Lab's uses of its "
            f"private API were written for ({self.distribution}{self.requirement}); they may "
            f"fail. Install a release in that range: pip install -r requirements.txt.",
            PrivateAPIWarning,
            stacklevel=3,
        )


@dataclass(frozen=True)
class PrivateName:
    """One private name of a library: a module and the path to the name in it."""

    library: Library  # the library it belongs to
    module: str  # the module holding it: "keras.src.utils.module_utils"
    path: str  # the name in the module, dotted for an attribute: "tensorflow._available"
    use: str  # what LSTM Lab uses it for, for the message when it moves

    def load(self):
        """The object the name holds now; ``ConfigError`` with the fix when it is gone.

        Attributes are read with ``inspect.getattr_static``: a lazy module's ``__getattr__``
        (Keras' ``LazyModule`` imports TensorFlow) never runs.
        """
        found = self.find()
        if found is _MISSING:
            raise ConfigError(
                f"{self.library.distribution} {self.library.version} has no "
                f"{self.module}.{self.path}, which LSTM Lab uses {self.use} (written for "
                f"{self.library.distribution}{self.library.requirement}); install a release in "
                "that range: pip install -r requirements.txt."
            )
        return found

    def find(self):
        """The object the name holds now, or ``_MISSING`` when the release moved it."""
        self.library.check_version()
        try:
            value = importlib.import_module(self.module)
            for part in self.path.split("."):
                value = inspect.getattr_static(value, part)
        except (ImportError, AttributeError):
            return _MISSING
        return value

    def set(self, value) -> None:
        """Give the attribute this name is a new value; ``ConfigError`` when it is gone."""
        self.load()
        owner, _, attribute = self.path.rpartition(".")
        holder = importlib.import_module(self.module)
        for part in owner.split(".") if owner else ():
            holder = inspect.getattr_static(holder, part)
        setattr(holder, attribute, value)


_MISSING = object()
_checked: set[str] = set()  # libraries whose release this process has checked

KERAS = Library("keras", ">=3.15.1,<4")
RAY = Library("ray", ">=2.40,<3")

KERAS_TENSORFLOW_AVAILABLE = PrivateName(
    KERAS,
    "keras.src.utils.module_utils",
    "tensorflow._available",  # LazyModule's cached answer to "is TensorFlow installed?"
    "to save a model on JAX without importing TensorFlow",
)
KERAS_ARRAY_DATA_ADAPTER = PrivateName(
    KERAS,
    "keras.src.trainers.data_adapters.array_data_adapter",
    "ArrayDataAdapter",
    "to shuffle training batches in plain fit's order without tf.data's autotuning",
)
RAY_GLOBAL_NODE = PrivateName(
    RAY,
    "ray._private.worker",
    "_global_node",  # this process's local node, None when connected to a cluster or not at all
    "to tell whether the local Ray node is still alive",
)
RAY_DEAD_PROCESSES = PrivateName(
    RAY,
    "ray._private.node",
    "Node.dead_processes",
    "to tell whether the local Ray node is still alive",
)


def keras_without_tensorflow() -> None:
    """Tell Keras that TensorFlow is not available, for the rest of this process.

    Keras asks its lazy ``tensorflow`` module, and the question imports TensorFlow wherever
    it is installed (see ``lstm_core.backend.save_model``); the answer is cached in the module.
    """
    KERAS_TENSORFLOW_AVAILABLE.set(False)


def keras_array_data_adapter():
    """Keras' ``ArrayDataAdapter`` class, or ``None`` when a release moved it (the caller
    then hands ``fit`` the arrays)."""
    adapter = KERAS_ARRAY_DATA_ADAPTER.find()
    return None if adapter is _MISSING else adapter


def dead_ray_node_processes() -> list[str]:
    """The names of this process's local Ray node processes that died (e.g. ``"gcs_server"``);
    empty when connected to a cluster, when not connected, or when a release moved the names
    (no public API tells whether a local node is alive)."""
    node = RAY_GLOBAL_NODE.find()
    if node is None or node is _MISSING or RAY_DEAD_PROCESSES.find() is _MISSING:
        return []
    return [name for name, _ in node.dead_processes()]


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: ``"2.60.0rc1"`` -> ``(2, 60, 0)``."""
    numbers = re.match(r"\d+(\.\d+)*", version)
    return tuple(int(part) for part in numbers.group(0).split(".")) if numbers else ()
