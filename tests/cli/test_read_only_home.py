"""A data folder that cannot be written (a read-only home folder): the program says in
Chinese which folder and what still works; ``--db`` elsewhere works without a word of
English on the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from hebi_desktop.services.book import Book
from tests import samples
from tests.cli_helpers import run


@pytest.fixture
def unwritable(tmp_path: Path) -> Path:
    """A data folder that cannot be made, for any user (root ignores permission bits):
    a part of its path is a file."""
    blocker = tmp_path / "home-is-read-only"
    blocker.write_text("")
    return blocker / ".local" / "share" / "hebi-desktop"


@pytest.mark.sqlite_only
@pytest.mark.parametrize("command", [("stats",), ("check",)])
def test_without_db_the_folder_and_what_still_works_are_named(
    unwritable: Path, command: tuple[str, ...]
) -> None:
    done = run(*command, env={"HEBI_DESKTOP_DATA_DIR": str(unwritable)})
    assert done.returncode == 1
    assert f"无法写入数据文件夹 {unwritable}" in done.stderr
    assert "--db" in done.stderr and "仍然可以" in done.stderr
    assert "unexpected error" not in done.stderr and "日志文件" not in done.stderr


@pytest.mark.sqlite_only
def test_with_db_elsewhere_everything_works_silently(unwritable: Path, tmp_path: Path) -> None:
    db = tmp_path / "elsewhere.sqlite"
    with Book.open(db, create=True) as book:
        book.settings.set("operator", "测试员")
        book.records("housing").create(samples.housing())
    env = {"HEBI_DESKTOP_DATA_DIR": str(unwritable)}
    done = run("--db", str(db), "stats", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no "could not clean up leftover files" traceback
    target = tmp_path / "out.xlsx"
    done = run("--db", str(db), "export", "housing", "-o", str(target), env=env)
    assert done.returncode == 0, done.stderr
    assert target.is_file() and "Traceback" not in done.stderr
