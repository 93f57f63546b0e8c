"""The quit-time backup respects the disk: none when nothing changed, a total size cap,
and a ``--db`` database keeps its backups beside itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from hebi_desktop.paths import backups_dir, default_database_path
from hebi_desktop.services import backups
from hebi_desktop.services.book import Book
from tests import samples

pytestmark = pytest.mark.sqlite_only  # backups copy the SQLite file


def test_quitting_without_changes_makes_no_second_backup(book: Book) -> None:
    first = backups.backup_on_exit(book)
    assert first is not None and first.is_file()
    assert backups.backup_on_exit(book) is None  # nothing changed since
    book.records("housing").create(samples.housing())
    second = backups.backup_on_exit(book)
    assert second is not None and second != first
    assert backups.backup_on_exit(book) is None
    book.settings.set("operator", "王会计")  # a changed setting counts too
    assert backups.backup_on_exit(book) is not None


def test_a_deleted_last_backup_is_made_again(book: Book) -> None:
    first = backups.backup_on_exit(book)
    assert first is not None
    first.unlink()
    assert backups.backup_on_exit(book) is not None


def test_total_size_cap_deletes_the_oldest_but_keeps_the_newest(book: Book, tmp_path: Path) -> None:
    folder = tmp_path / "auto"
    made = [backups.make_backup(book, backups.AUTOMATIC, folder) for _ in range(4)]
    size = made[0].stat().st_size
    deleted = backups.prune(folder, keep=10, max_bytes=2 * size)
    assert deleted == made[:2]
    assert backups.automatic_backups(folder) == made[2:]
    assert backups.prune(folder, keep=10, max_bytes=1) == made[2:3]
    assert backups.automatic_backups(folder) == made[3:]  # the newest always stays


def test_size_cap_comes_from_the_settings(book: Book) -> None:
    book.settings.set(backups.BACKUP_MAX_MB, "300")
    assert backups.policy(book).max_bytes == 300 * 1024 * 1024


def test_a_db_file_keeps_its_backups_beside_itself(tmp_path: Path) -> None:
    database = tmp_path / "demo" / "demo.sqlite"
    database.parent.mkdir()
    with Book.open(database) as book:
        assert backups.policy(book).folder == tmp_path / "demo" / "demo-backups"
        made = backups.backup_on_exit(book)
    assert made is not None and made.parent == tmp_path / "demo" / "demo-backups"
    assert not list(backups_dir().glob("*.sqlite"))  # the default folder stays clean


def test_the_default_database_uses_the_data_folder() -> None:
    with Book.open(default_database_path()) as book:
        assert backups.policy(book).folder == backups_dir()
