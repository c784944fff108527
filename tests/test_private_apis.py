"""Every private name of Keras, Ray and Streamlit that LSTM Lab uses is still where it was.

A release that moves one fails here first, naming it; the ranges the uses were written for
are requirements.txt's, and a release outside one, or a name gone, says so with the fix.
"""

import sys
import types
import warnings
from pathlib import Path

import pytest

from lstm_core import private_apis
from lstm_core.errors import ConfigError
from lstm_core.private_apis import Library, PrivateAPIWarning, PrivateName
from ui import streamlit_private

REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"


def declared(module, kind):
    return [value for value in vars(module).values() if isinstance(value, kind)]


NAMES = declared(private_apis, PrivateName) + declared(streamlit_private, PrivateName)
LIBRARIES = declared(private_apis, Library) + declared(streamlit_private, Library)


def test_every_library_with_private_uses_is_declared():
    assert sorted(library.distribution for library in LIBRARIES) == ["keras", "ray", "streamlit"]
    assert {name.library for name in NAMES} == set(LIBRARIES)


@pytest.mark.parametrize("name", NAMES, ids=lambda name: f"{name.module}.{name.path}")
def test_each_private_name_is_where_it_was_written_for(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivateAPIWarning)  # the installed release is in range
        name.load()


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda library: library.distribution)
def test_each_range_is_the_one_in_requirements_txt(library):
    lines = {line.split("#")[0].strip() for line in REQUIREMENTS.read_text().splitlines()}
    assert library.distribution + library.requirement in lines
    assert library.in_range()


@pytest.mark.parametrize(
    "requirement, inside",
    [(">=3.15.1,<4", True), (">=3.16,<4", False), (">=3,<3.15.1", False), (">=3.15", True)],
)
def test_a_release_is_compared_with_both_bounds(requirement, inside, monkeypatch):
    monkeypatch.setattr("importlib.metadata.version", lambda distribution: "3.15.1rc2")
    assert Library("keras", requirement).in_range() is inside


def test_a_release_out_of_range_warns_once_with_the_fix(monkeypatch):
    monkeypatch.setattr(private_apis, "_checked", set())
    old = Library("keras", ">=99,<100")
    name = PrivateName(old, "keras.src.utils.module_utils", "LazyModule", "in this test")
    with pytest.warns(
        PrivateAPIWarning, match=r"keras \S+ is outside .*keras>=99,<100.*pip install"
    ):
        name.load()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivateAPIWarning)
        name.load()  # once per library and process


@pytest.mark.parametrize(
    "module, path",
    [("keras.src.no_such_module", "LazyModule"), ("keras.src.utils.module_utils", "Gone.name")],
)
def test_a_moved_name_is_refused_naming_it_its_use_and_the_fix(module, path):
    name = PrivateName(private_apis.KERAS, module, path, "to prove this test")
    message = rf"keras \S+ has no {module}.{path}, which LSTM Lab uses to prove this test"
    with pytest.raises(ConfigError, match=message + r".*keras>=3.15.1,<4.*requirements.txt"):
        name.load()


def test_a_lazy_module_is_read_and_set_without_importing_what_it_stands_for(monkeypatch):
    # getattr would run LazyModule.__getattr__, which imports its module (TensorFlow on JAX).
    from keras.src.utils.module_utils import LazyModule

    holder = types.ModuleType("lstm_lab_holder")
    holder.lazy = LazyModule("lstm_lab_no_such_module")
    monkeypatch.setitem(sys.modules, holder.__name__, holder)
    name = PrivateName(private_apis.KERAS, holder.__name__, "lazy._available", "in this test")
    assert name.load() is None and holder.lazy.module is None
    name.set(True)
    assert holder.lazy.available is True and holder.lazy.module is None  # cached, no import


def test_without_ray_running_no_node_process_is_dead():
    assert private_apis.dead_ray_node_processes() == []
