"""No import cycle anywhere in advisor/ or probes/, found statically by parsing every import.

Every import counts, wherever it is written: a cycle hidden inside a function (imported late to dodge the
ImportError) or under TYPE_CHECKING still ties two modules into one unit that cannot be read, tested or
moved apart. Records flow one way (DESIGN.md), and so should imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("advisor", "probes")
# Cycles that exist and are being broken elsewhere; each is listed with where. A new cycle fails the
# test, and so does an entry here once its cycle is gone (delete the entry then).
# Cycles tolerated for now, each with the reason; an entry goes as soon as its cycle does (the test below says so).
KNOWN_CYCLES: set[tuple[str, str]] = set()


def module_files(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """{dotted module name: file} for every module of the packages."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of `modules` the file imports, anywhere in it (`from a import b`: a.b when that is a module)."""

    def known(dotted: str) -> str | None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {known(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, `level - 1` packages up
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else known(base))
    return {module for module in found if module and module != name}


def import_cycles(root: Path, packages: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Each group of modules that import one another in a circle (Tarjan's strongly connected components)."""
    modules = module_files(root, packages)
    graph = {name: sorted(imports_of(name, path, modules)) for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                cycles.append(tuple(sorted(group)))

    for name in graph:
        if name not in index:
            visit(name)
    return sorted(cycles)


def test_no_module_of_advisor_or_probes_takes_part_in_an_import_cycle():
    assert [c for c in import_cycles(ROOT, PACKAGES) if c not in KNOWN_CYCLES] == []


def test_every_known_cycle_still_exists_or_its_entry_goes():
    assert set(KNOWN_CYCLES) <= set(import_cycles(ROOT, PACKAGES))


def test_probes_have_no_import_cycle_at_all():
    assert import_cycles(ROOT, ("probes",)) == []


def test_a_cycle_through_an_import_inside_a_function_or_a_relative_import_is_found(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("def late():\n    from ..c import name\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n")
    (package / "d.py").write_text("import pkg.a\n")  # imports into the cycle, is not part of it
    assert import_cycles(tmp_path, ("pkg",)) == [("pkg.a", "pkg.c", "pkg.sub.b")]
