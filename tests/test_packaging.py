"""The package list in pyproject.toml must name every package folder, or a regular
install would silently miss code."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "hebi_desktop").rglob("__init__.py")
        if "__pycache__" not in path.parts
    }
    assert found <= listed, f"add to pyproject.toml packages: {sorted(found - listed)}"
    assert listed - found == {"hebi_desktop._resources"}


def test_resources_and_migrations_are_found() -> None:
    from hebi_desktop.paths import migrations_dir, resource

    assert resource("data", "hebi_divisions.csv").is_file()
    assert resource("icons", "app.svg").is_file()
    assert any((migrations_dir() / "versions").glob("0001_*.py"))
