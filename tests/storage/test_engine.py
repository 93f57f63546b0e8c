"""Which database is opened, and how SQLite is set up so that nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from hebi_desktop.errors import UserError
from hebi_desktop.paths import DB_ENV_VAR
from hebi_desktop.services.book import Book
from hebi_desktop.storage.cipher import OperationalError
from hebi_desktop.storage.engine import make_engine, resolve_url, sqlite_path
from tests.raw_db import raw_connect


@pytest.mark.sqlite_only
def test_pragmas_on_every_connection(book: Book) -> None:
    with book.reading() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(book: Book) -> None:
    from hebi_desktop.errors import ConflictError

    with pytest.raises(ConflictError), book.writing() as connection:
        connection.execute(
            text(
                "INSERT INTO villages (township_code, name, use_count, last_used) "
                "VALUES ('999999999', '无', 1, '2024-01-01 00:00:00')"
            )
        )


def test_writers_take_the_write_lock_at_begin(book: Book, db_path: Path) -> None:
    other = raw_connect(db_path, timeout=0, isolation_level=None)
    try:
        # Nothing written yet, but the lock is already ours: a second writer must wait.
        with book.writing(), pytest.raises(OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released at the end of the block
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_readers_do_not_block_on_a_writer(book: Book) -> None:
    with book.writing() as connection:
        connection.execute(text("INSERT INTO settings (key, value) VALUES ('x', '1')"))
        assert book.settings.get("x") is None  # another connection: not committed yet
    assert book.settings.get("x") == "1"


def test_path_becomes_an_absolute_sqlite_url(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = resolve_url("ledgers.sqlite")
    assert url.startswith("sqlite:///")
    assert sqlite_path(url) == (tmp_path / "ledgers.sqlite").resolve()


@pytest.mark.parametrize("folder", ["台账 2024", "a#b", "c%20d", "e?f"])
def test_awkward_folder_names_survive_the_url(tmp_path: Path, folder: str) -> None:
    target = tmp_path / folder / "ledgers.sqlite"
    target.parent.mkdir()
    assert sqlite_path(resolve_url(target)) == target.resolve()
    engine = make_engine(resolve_url(target))
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
    engine.dispose()
    assert target.is_file()


def test_urls_are_passed_through() -> None:
    assert resolve_url("postgresql+psycopg://clerk@server/ledgers") == (
        "postgresql+psycopg://clerk@server/ledgers"
    )
    assert sqlite_path("postgresql+psycopg://clerk@server/ledgers") is None
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("sqlite:///:memory:") is None


def test_default_database_is_in_the_data_folder(data_dir: Path) -> None:
    assert sqlite_path(resolve_url(None)) == (data_dir / "hebi-desktop.sqlite").resolve()


def test_environment_variable_overrides_the_default_and_db_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DB_ENV_VAR, str(tmp_path / "from-env.sqlite"))
    assert sqlite_path(resolve_url(None)) == (tmp_path / "from-env.sqlite").resolve()
    assert (
        sqlite_path(resolve_url(tmp_path / "given.sqlite")) == (tmp_path / "given.sqlite").resolve()
    )


def test_missing_folders_are_refused_not_made(tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "ledgers.sqlite"
    with pytest.raises(UserError, match="文件夹不存在"):
        Book.open(target, create=True)
    assert not (tmp_path / "new").exists()
