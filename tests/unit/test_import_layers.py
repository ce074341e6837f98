"""The package's import graph: the pure core stays pure, and no modules import each other in a loop.

Imports inside functions count too: they hide a loop from Python at start-up, not from a reader.
Imports under `if TYPE_CHECKING:` do not: they name types for the checker and never run.
A package's `__init__.py` is left out of the loop check: it only names the blueprint or hands
names on, and the blueprint's routes importing it back is how Flask blueprints are made.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "maturity"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
PACKAGES = {_module_name(path) for path in PACKAGE.rglob("__init__.py")}


def imports_of(name: str) -> set[str]:
    """The project modules a module imports, anywhere in its body."""
    path = MODULES[name]
    base = name if name in PACKAGES else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for block in ast.walk(tree):
        if isinstance(block, ast.If) and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            block.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parent = base.rsplit(".", node.level - 1)[0] if node.level > 1 else base
                origin = f"{parent}.{node.module}" if node.module else parent
            else:
                origin = node.module or ""
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                found.add(submodule if submodule in MODULES else origin)
    return found


def test_the_core_imports_neither_flask_nor_the_database():
    for name in MODULES:
        if name.startswith("maturity.core"):
            outside = {
                module
                for module in imports_of(name)
                if module.split(".")[0] in {"flask", "flask_login", "flask_wtf", "sqlalchemy", "werkzeug"}
                or (module.startswith("maturity.") and not module.startswith("maturity.core"))
            }
            assert not outside, f"{name} imports {sorted(outside)}"


def _loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                loops.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return loops


def test_no_modules_import_each_other_in_a_loop():
    modules = [name for name in MODULES if name not in PACKAGES]
    graph = {name: {m for m in imports_of(name) if m in MODULES and m not in PACKAGES} for name in modules}
    assert _loops(graph) == []


def test_the_loop_check_finds_a_loop():
    assert _loops({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _capability(module: str) -> str:
    """The package a module belongs to (maturity.reviews for maturity.reviews.queries)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if ".".join(parts[:2]) in PACKAGES else module


def test_no_packages_import_each_other_in_a_loop():
    graph: dict[str, set[str]] = {}
    for name in MODULES:
        if name == "maturity":
            continue  # the application factory imports every capability to register it
        graph.setdefault(_capability(name), set()).update(
            _capability(m) for m in imports_of(name) if m in MODULES and _capability(m) != _capability(name)
        )
    assert _loops({name: targets & graph.keys() for name, targets in graph.items()}) == []
