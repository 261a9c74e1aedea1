"""The package's shape: no module imports itself back through others, and the core never
imports the faces (the API, the dashboard, the pages and the server)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "moderation"
#: The faces and the app that wires them; everything else is the core and its tools.
FACES = ("moderation.api", "moderation.dashboard", "moderation.demo", "moderation.embed",
         "moderation.cli", "moderation.serving", "moderation.front", "moderation.gunicorn_conf",
         "moderation.fastpath")  # fmt: skip
APP = "moderation"
#: The app factory builds the faces from the core: it may import both (the package's
#: ``create_app`` is the factory's, imported when first asked for).
FACTORY = ("moderation", "moderation.app")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules ``name`` imports, wherever in it (a function-level import is a
    dependency too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith(APP)}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            if not origin.startswith(APP):
                continue
            for alias in node.names:
                # "from . import auth" imports the module moderation.dashboard.auth.
                submodule = f"{origin}.{alias.name}"
                found.add(submodule if submodule in modules else origin)
    return {m for m in found if m in modules} - {name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _is_face(name: str) -> bool:
    return any(name == face or name.startswith(face + ".") for face in FACES)


def test_the_core_never_imports_the_faces():
    graph = _graph()
    crossings = {
        (name, target)
        for name, targets in graph.items()
        if name not in FACTORY and not _is_face(name)
        for target in targets
        if _is_face(target)
    }
    assert crossings == set()


def test_no_module_imports_itself_back():
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == []


def test_the_graph_is_read_at_all():
    """The check above can fail: it sees the imports that are there."""
    graph = _graph()
    assert "moderation.comments.writes" in graph["moderation.comments.submit"]
    assert "moderation.dashboard.auth" in graph["moderation.dashboard.moderate"]
