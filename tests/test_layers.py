"""Every import points down the layers, and the services import no circle.

The layers, bottom first: errors and paths < domain < storage < services < exchange < county
< printing < ui < cli < entry points. Read from the source with ``ast`` (every import counts:
at module level, inside functions, under ``TYPE_CHECKING``), so a new arrow up fails the
README's test command, hence CI.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Package prefix -> rank; the longest matching prefix decides. Modules may import their own
# rank and below.
RANKS: dict[str, int] = {
    "hebi_desktop": 0,  # __init__ (name, version), paths, logging_setup, process_guard
    "hebi_desktop.errors": 0,
    "hebi_desktop.domain": 1,
    "hebi_desktop.storage": 2,
    "hebi_desktop.services": 3,
    "hebi_desktop.exchange": 4,
    "hebi_desktop.county": 5,
    "hebi_desktop.printing": 6,
    "hebi_desktop.ui": 7,
    "hebi_desktop.cli": 8,  # `hebi-desktop` without a subcommand starts the window
    "hebi_desktop.selftest": 8,  # `hebi-desktop selftest`
    "hebi_desktop.__main__": 9,
}
# Type-only imports allowed to point up, with the reason.
TYPE_ONLY_EXCEPTIONS = {
    # ValidationFailed carries the domain's Issue objects; errors imports nothing at run time.
    ("hebi_desktop.errors", "hebi_desktop.domain.fields"),
}
# Layers that must be free of import circles (the book builds the services and passes
# itself in through services/transactions.py; the services never import it back).
ACYCLIC = ("hebi_desktop.storage", "hebi_desktop.services")


def modules(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module under ``package``."""
    found: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """The program's modules that ``name`` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            # `from package import module` imports the module; `from module import name`
            # the module.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        for target in targets:
            if target in known and target != name:
                yield target


def graph(package: Path) -> dict[str, set[str]]:
    found = modules(package)
    known = set(found)
    return {name: set(imported(name, path, known)) for name, path in found.items()}


def rank(module: str) -> int:
    prefix = max((p for p in RANKS if module == p or module.startswith(p + ".")), key=len)
    return RANKS[prefix]


def arrows_up(imports: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{source} imports {target}"
        for source, targets in imports.items()
        for target in targets
        if rank(target) > rank(source) and (source, target) not in TYPE_ONLY_EXCEPTIONS
    )


def circles(imports: dict[str, set[str]], prefixes: tuple[str, ...]) -> list[list[str]]:
    """The import circles among the modules under ``prefixes`` (Tarjan's components)."""
    inside = {m for m in imports if m.startswith(prefixes)}
    edges = {m: sorted(t for t in imports[m] if t in inside) for m in inside}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component: list[str] = []
            while not component or component[-1] != module:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(inside):
        if module not in index:
            visit(module)
    return found


def test_no_import_runs_up_a_layer() -> None:
    assert arrows_up(graph(ROOT / "hebi_desktop")) == []


def test_storage_and_services_never_import_the_layers_above() -> None:
    above = ("hebi_desktop.exchange", "hebi_desktop.county", "hebi_desktop.printing")
    above += ("hebi_desktop.ui", "hebi_desktop.cli")
    imports = graph(ROOT / "hebi_desktop")
    wrong = [
        f"{source} imports {target}"
        for source, targets in imports.items()
        if source.startswith(("hebi_desktop.storage", "hebi_desktop.services"))
        for target in targets
        if target.startswith(above)
    ]
    assert wrong == []


def test_the_book_and_its_services_import_no_circle() -> None:
    assert circles(graph(ROOT / "hebi_desktop"), ACYCLIC) == []


@pytest.fixture
def fake_program(tmp_path: Path) -> Path:
    """A tiny package laid out like the program, with its imports pointing down."""
    package = tmp_path / "hebi_desktop"
    for folder in ("storage", "services", "exchange"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "errors.py").write_text("class UserError(Exception): ...\n")
    (package / "storage" / "engine.py").write_text("from hebi_desktop.errors import UserError\n")
    (package / "services" / "book.py").write_text("from hebi_desktop.storage import engine\n")
    (package / "services" / "records.py").write_text("X = 1\n")
    (package / "exchange" / "reader.py").write_text("from ..services.book import *\n")
    return package


def test_the_check_sees_an_arrow_up_even_inside_a_function(fake_program: Path) -> None:
    assert arrows_up(graph(fake_program)) == []
    (fake_program / "storage" / "engine.py").write_text(
        "def later():\n    from hebi_desktop.exchange import reader\n"
    )
    assert arrows_up(graph(fake_program)) == [
        "hebi_desktop.storage.engine imports hebi_desktop.exchange.reader"
    ]


def test_the_check_sees_a_circle_through_type_checking(fake_program: Path) -> None:
    assert circles(graph(fake_program), ACYCLIC) == []
    (fake_program / "services" / "book.py").write_text("from . import records\n")
    (fake_program / "services" / "records.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from hebi_desktop.services.book import Book\n"
    )
    assert circles(graph(fake_program), ACYCLIC) == [
        ["hebi_desktop.services.book", "hebi_desktop.services.records"]
    ]
