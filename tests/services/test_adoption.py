"""Only our own database files are opened; a refused file keeps every byte, a typo'd path
creates nothing, and a new database is made only when the clerk asks for one."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from hebi_desktop.errors import UserError
from hebi_desktop.services.book import Book
from tests.cli_helpers import call, run
from tests.raw_db import raw_connect


def fingerprint(path: Path) -> tuple[str, list[str]]:
    """The file's hash and the names of everything beside it."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(
        p.name for p in path.parent.iterdir()
    )


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    """Another program's SQLite database (its own folder, nothing else in it)."""
    path = tmp_path / "other" / "contacts.db"
    path.parent.mkdir()
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE people (name TEXT)")
        connection.execute("INSERT INTO people VALUES ('张三')")
        connection.commit()
    return path


def test_another_programs_database_is_refused_untouched(
    foreign: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(foreign)
    for extra in ((), ("--create",)):
        code, _out, err = call(capsys, "stats", "--db", str(foreign), *extra)
        assert code == 1 and "不是本程序的数据库" in err
    assert fingerprint(foreign) == before
    with closing(sqlite3.connect(foreign)) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master")]
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert tables == ["people"] and mode == "delete"


def test_a_newer_programs_database_keeps_its_journal_mode(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite"
    Book.open(path).close()
    with closing(raw_connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
        connection.commit()
    before = fingerprint(path)
    done = run("stats", "--db", str(path))
    assert done.returncode == 1 and "更新版本" in done.stderr
    assert fingerprint(path) == before  # not even switched to WAL


def test_a_typo_in_the_folder_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "台帐" / "ledgers.sqlite"  # the folder is really called 台账
    for command in (("stats",), ("demo", "--rows", "1"), ("stats", "--create")):
        code, _out, err = call(capsys, *command, "--db", str(target))
        assert code == 1 and "文件夹不存在" in err
    assert not target.parent.exists()


def test_a_new_database_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "ledger.sqlite"
    code, _out, err = call(capsys, "stats", "--db", str(target))
    assert code == 1 and "--create" in err
    assert not target.exists()
    assert call(capsys, "stats", "--db", str(target), "--create")[0] == 0
    assert target.is_file()
    other = tmp_path / "demo.sqlite"
    assert call(capsys, "demo", "--rows", "2", "--db", str(other))[0] == 0  # demo may create
    with Book.open(other, create=False) as book:
        assert book.records("housing").count() == 2


def test_an_empty_file_is_only_initialised_when_asked(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with pytest.raises(UserError, match="--create"):
        Book.open(empty, create=False)
    assert empty.stat().st_size == 0
    Book.open(empty, create=True).close()
    assert empty.stat().st_size > 0
