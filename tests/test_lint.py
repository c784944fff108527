"""The code stays lint-clean: ruff's checks (pyproject.toml) over the whole repository."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_ruff_check_passes():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("shell_only", ["streamlit", "altair"])
def test_engine_never_imports_the_shells_libraries(shell_only):
    # The engine is the tested core under a thin shell: drawing belongs to ui/ and pages/.
    offenders = sorted(
        name
        for name, imported in _all_imports().items()
        if any(module == shell_only or module.startswith(shell_only + ".") for module in imported)
    )
    assert offenders == []


def _all_imports(package: str = "lstm_core") -> dict[str, set[str]]:
    """``package``'s module -> every module it imports, lazily or not."""
    modules = {}
    for path in (REPO / package).rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
                imported |= {f"{node.module}.{alias.name}" for alias in node.names}
        modules[name] = imported
    return modules


def _engine_imports() -> dict[str, set[str]]:
    """``lstm_core`` module -> the ``lstm_core`` modules it imports, lazily or not."""
    modules = _all_imports()
    return {name: {m for m in imported if m in modules} for name, imported in modules.items()}


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), list(graph[start])
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(graph[name])
    return False


def test_no_engine_module_imports_itself_back():
    # A package's __init__ re-exporting its own modules is not a cycle; module to module is.
    graph = {
        name: {m for m in imported if m != name and not name.startswith(m + ".")}
        for name, imported in _engine_imports().items()
    }
    graph = {name: {m for m in imported if m in graph} for name, imported in graph.items()}
    cycles = sorted(name for name in graph if _reaches(graph, name, name))
    assert cycles == []


def _room(module: str) -> str:
    """A module's room: its subpackage or top module, ``lstm_core.sweeps.spec`` -> ``sweeps``."""
    return module.split(".")[1]


def _rooms_in_cycles(package: str) -> list[str]:
    """The rooms (subpackages or top modules) of ``package`` that import themselves back,
    through other rooms, lazily or not; the package's own ``__init__`` is left out."""
    modules = _all_imports(package)
    graph: dict[str, set[str]] = {}
    for name, imported in modules.items():
        if name == package:
            continue
        graph.setdefault(_room(name), set()).update(
            _room(module)
            for module in imported
            if module in modules and module != package and _room(module) != _room(name)
        )
    return sorted(room for room in graph if _reaches(graph, room, room))


@pytest.mark.parametrize("package", ["lstm_core", "ui"])
def test_rooms_import_one_way(package):
    # experiments/ below sweeps/, ui.dataset below ui.training: a cycle means two rooms are
    # one concept, or a piece of one belongs in a third.
    assert _rooms_in_cycles(package) == []


def test_a_cycle_between_rooms_is_found(tmp_path, monkeypatch):
    # Room a imports b at the top, b imports a lazily inside a function; c only imports a.
    files = {
        "pkg/a/__init__.py": "from pkg.b import x\n",
        "pkg/b/__init__.py": "def f():\n    import pkg.a\n",
        "pkg/c.py": "import pkg.a\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    assert _rooms_in_cycles("pkg") == ["a", "b"]
