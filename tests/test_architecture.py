"""The package's shape: no import cycle between its modules, no module long without a reason."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

PACKAGE = REPO / "provenance"
MAX_LINES = 500
LONG_REASON = "Longer than 500 lines because"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports anywhere in it (functions included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_no_import_cycle_between_modules() -> None:
    graph = {name: imported_modules(name, path) for name, path in MODULES.items()}
    assert graph["provenance.ingest"] >= {"provenance.store.writes", "provenance.store.versions"}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_writing_to_the_store_runs_no_re_anchoring_and_no_review() -> None:
    imports = imported_modules("provenance.store.writes", MODULES["provenance.store.writes"])
    assert not {m for m in imports if m.startswith(("provenance.review", "provenance.store.v"))}


def test_ingesting_text_loads_neither_the_pdf_library_nor_the_web_client() -> None:
    # PDFium weighs 7.5 MB and httpx with its TLS stack 15 MB: imported when a PDF or an
    # address comes, not by every ingest of text, Markdown or HTML.
    code = (
        "import sys, provenance.ingest, provenance.extract.parse;"
        "print(sorted(m for m in ('httpx', 'ssl', 'pypdfium2') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_long_module_says_why_at_its_top(name: str) -> None:
    path = MODULES[name]
    text = path.read_text(encoding="utf-8")
    lines = len(text.splitlines())
    if lines <= MAX_LINES:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert any(line.startswith(LONG_REASON) for line in docstring.splitlines()), (
        f"{path.relative_to(REPO)} has {lines} lines: split it, or say at its top"
        f' "{LONG_REASON} ..."'
    )


def test_no_test_module_imports_another() -> None:
    for path in sorted((REPO / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                name = node.module.rpartition(".")[2]
                assert not name.startswith(("test_", "conftest")), f"{path.name} imports {name}"
