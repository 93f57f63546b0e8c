"""Backups with attachments: unchanged files are not copied again, a restore brings the
records and their files back together, and a portable backup carries them inside."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hebi_desktop.services.backups import make_backup, restore_database
from hebi_desktop.services.book import Book
from hebi_desktop.services.transfer import portable_backup, restore_into
from hebi_desktop.storage.blobs import backup_folder, folder_beside
from hebi_desktop.storage.engine import resolve_url
from tests.photo_files import write_photo
from tests.samples import housing


def attach(book: Book, folder: Path, name: str, color: tuple[int, int, int]) -> int:
    record = book.records("housing").find_duplicate(housing())
    record_id = record.id if record else book.records("housing").create(housing()).record.id
    photo = write_photo(folder / name, color=color)
    return book.attachments("housing").attach(record_id, photo, "改造前").id


def shared_files(folder: Path) -> dict[str, int]:
    root = backup_folder(folder)
    return {p.name: p.stat().st_mtime_ns for p in root.glob("??/*")}


@pytest.mark.sqlite_only
def test_backups_copy_each_attachment_once(db_path: Path, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    with Book.open(db_path) as book:
        attach(book, tmp_path, "a.jpg", (200, 0, 0))
        attach(book, tmp_path, "b.jpg", (0, 200, 0))
        make_backup(book, folder=backups)
        first = shared_files(backups)
        assert len(first) == 2
        make_backup(book, folder=backups)  # nothing new: nothing copied again
        assert shared_files(backups) == first
        attach(book, tmp_path, "c.jpg", (0, 0, 200))
        make_backup(book, folder=backups)
        after = shared_files(backups)
        assert len(after) == 3
        assert {k: after[k] for k in first} == first


@pytest.mark.sqlite_only
def test_restore_brings_records_and_files_back_on_another_pc(db_path: Path, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    with Book.open(db_path) as book:
        attachment_id = attach(book, tmp_path, "a.jpg", (200, 0, 0))
        backup = make_backup(book, folder=backups)
        expected = book.attachments("housing").content(
            book.attachments("housing").get(attachment_id)
        )
    # Another PC: the backup folder copied over, a fresh data folder without any files.
    other = tmp_path / "other-pc"
    shutil.copytree(backups, other / "backups")
    target = other / "ledgers.sqlite"
    Book.open(target).close()
    url = resolve_url(target)
    outcome = restore_database(url, other / "backups" / backup.name, other / "kept")
    with outcome.book as restored:
        service = restored.attachments("housing")
        assert service.content(service.get(attachment_id)) == expected
    assert (folder_beside(target)).is_dir()


def test_portable_backup_carries_the_files_inside(book: Book, tmp_path: Path) -> None:
    attachment_id = attach(book, tmp_path, "a.jpg", (200, 0, 0))
    expected = book.attachments("housing").content(book.attachments("housing").get(attachment_id))
    target = portable_backup(book, tmp_path / "portable" / "带走.sqlite")
    moved = tmp_path / "elsewhere" / "带走.sqlite"
    moved.parent.mkdir()
    shutil.move(target, moved)  # alone: no attachment folder beside it
    with Book.open(moved) as copy:
        service = copy.attachments("housing")
        assert service.content(service.get(attachment_id)) == expected


def test_restore_into_a_database_brings_the_files(book: Book, tmp_path: Path) -> None:
    """A desk's backup (files in the shared folder) restored into this database."""
    desk_db = tmp_path / "desk" / "ledgers.sqlite"
    desk_db.parent.mkdir()
    with Book.open(desk_db) as desk:
        attachment_id = attach(desk, tmp_path, "a.jpg", (0, 90, 200))
        expected = desk.attachments("housing").content(
            desk.attachments("housing").get(attachment_id)
        )
        backup = make_backup(desk, folder=tmp_path / "desk-backups")
    shutil.rmtree(folder_beside(desk_db))  # only the backup has the files now
    restore_into(book, backup, tmp_path / "kept")
    service = book.attachments("housing")
    assert service.content(service.get(attachment_id)) == expected
