"""The modules of each package form layers: no module imports, directly or not, one that imports it.

Every import statement counts, wherever it stands (module level, inside a function, under
`TYPE_CHECKING`): an import moved into a function to dodge a cycle still ties the two modules
together, and hides the cycle from whoever reads the file. Only imports between modules of the
same top-level package are followed; the packages' order among themselves is DESIGN.md's.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("content", "channels", "scheduler", "web", "loa", "reports")


def modules_of(package: str, root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported_names(module: str, path: Path) -> Iterator[tuple[str, ...]]:
    """For each name imported by `module`: the modules it may be, the likeliest first."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name,) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = ".".join([*here[: len(here) - node.level + 1], node.module or ""])
                base = base.rstrip(".")
            else:
                base = node.module or ""
            for alias in node.names:
                yield f"{base}.{alias.name}", base  # `from web import i18n` loads web.i18n


def import_graph(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    modules = modules_of(package, root)
    graph = {}
    for module, path in modules.items():
        targets = set()
        for candidates in imported_names(module, path):
            target = next((name for name in candidates if name in modules), None)
            if target is not None and target != module:
                targets.add(target)
        graph[module] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as the path of modules that closes it, or None: a depth-first search."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for target in sorted(graph[module]):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done and (cycle := visit(target)):
                return cycle
        on_path.discard(module)
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        if module not in done and (cycle := visit(module)):
            return cycle
    return None


@pytest.mark.parametrize("package", PACKAGES)
def test_the_modules_of_a_package_import_each_other_without_cycles(package: str) -> None:
    cycle = find_cycle(import_graph(package))
    assert cycle is None, f"import cycle in {package}: {' -> '.join(cycle)}"


def test_the_graph_sees_imports_inside_functions_and_relative_imports(tmp_path: Path) -> None:
    """The rule is worth only what the graph sees: a cycle hidden in a function is one."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def late():\n    from pkg import high\n")
    (package / "high.py").write_text("from . import low\n")
    (package / "alone.py").write_text("import os\n")
    (package / "top.py").write_text("from pkg import VERSION\n")
    graph = import_graph("pkg", tmp_path)
    assert graph["pkg.low"] == {"pkg.high"}
    assert graph["pkg.high"] == {"pkg.low"}
    assert graph["pkg.top"] == {"pkg"}
    assert graph["pkg.alone"] == set()
    assert find_cycle(graph) == ["pkg.high", "pkg.low", "pkg.high"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
