"""Backups are consistent snapshots even while someone writes; restore keeps what it replaces."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from hebi_desktop.services.book import Book
from hebi_desktop.storage.backup import (
    BackupError,
    backup_file,
    check_backup,
    restore_file,
    timestamped_name,
)
from tests.raw_db import raw_connect
from tests.samples import HOUSEHOLD_HEAD_ID, housing


def counts(path: Path) -> tuple[int, int]:
    """(records, their create entries in the audit log) of a database file."""
    # closing(): sqlite3's own context manager only commits and would leave the file open
    with closing(raw_connect(path)) as connection:
        records = connection.execute("SELECT count(*) FROM housing_checks").fetchone()[0]
        audits = connection.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'create'"
        ).fetchone()[0]
    return records, audits


def integrity(path: Path) -> str:
    with closing(raw_connect(path)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def on_day(day: int) -> dict:
    return housing(check_date=dt.date(2020, 1, 1) + dt.timedelta(days=day))


def test_backup_is_a_consistent_copy_while_another_connection_writes(
    book: Book, db_path: Path, tmp_path: Path
) -> None:
    writer_book = Book.open(db_path)
    started = threading.Event()
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        service = writer_book.records("housing")
        for day in range(400):
            if stop.is_set():
                return
            service.create(on_day(day))  # record + audit entry + village: one transaction
            written.append(day)
            if day == 20:
                started.set()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert started.wait(30)
        snapshots = []
        for number in range(6):
            target = backup_file(db_path, tmp_path / f"copy{number}.sqlite")
            snapshots.append(counts(target))
            assert integrity(target) == "ok"
            check_backup(target)
            # one self-contained file: no write-ahead log needed next to it
            assert not Path(f"{target}-wal").exists()
    finally:
        stop.set()
        thread.join()
        writer_book.close()
    for records, audits in snapshots:
        assert records == audits  # never a record without its audit entry, or the reverse
    assert snapshots[0][0] >= 21
    assert len({s[0] for s in snapshots}) > 1, "the writer never ran during the backups"


def test_uncommitted_changes_are_not_in_the_backup(
    book: Book, db_path: Path, tmp_path: Path
) -> None:
    book.records("housing").create(on_day(1))
    with book.writing() as connection:
        book.records("housing").insert_checked(
            connection,
            [book.records("housing").check(on_day(2))],
            "测试员",
            dt.datetime.now(),
        )
        copy = backup_file(db_path, tmp_path / "mid-write.sqlite")
    assert counts(copy) == (1, 1)
    assert counts(db_path)[0] == 2


def test_book_backup_reports_progress_and_remembers_it(book: Book, tmp_path: Path) -> None:
    book.records("housing").create(housing())
    seen: list[tuple[int, int]] = []
    target = book.backup(
        tmp_path / "sub" / "b.sqlite", lambda done, total: seen.append((done, total))
    )
    assert target.is_file() and counts(target) == (1, 1)
    assert seen and seen[-1][0] == seen[-1][1]
    assert book.settings.get("last_backup_file") == str(target)
    assert book.settings.get("last_backup_at")


def test_backup_in_a_folder_with_url_characters(tmp_path: Path) -> None:
    folder = tmp_path / "台账#2 100%"
    folder.mkdir()
    with Book.open(folder / "ledgers.sqlite") as book:
        book.records("housing").create(housing())
        target = book.backup(folder / "备份?.sqlite")
    assert counts(target) == (1, 1)


def test_backup_errors_are_chinese(book: Book, db_path: Path, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="数据库文件不存在"):
        backup_file(tmp_path / "none.sqlite", tmp_path / "b.sqlite")
    with pytest.raises(BackupError, match="备份文件不能是数据库文件本身"):
        backup_file(db_path, db_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(BackupError, match="无法写入备份文件"):
        backup_file(db_path, blocker / "b.sqlite")
    with pytest.raises(BackupError, match="无法写入备份文件"):
        backup_file(db_path, tmp_path)  # a folder
    assert not list(tmp_path.glob("*.part"))


def test_restore_keeps_a_copy_of_what_it_replaces(tmp_path: Path) -> None:
    database = tmp_path / "ledgers.sqlite"
    keep = tmp_path / "kept"
    with Book.open(database) as book:
        book.records("housing").create(on_day(1))
        saved = book.backup(tmp_path / "saved.sqlite")
        book.records("housing").create(on_day(2))  # after the backup: 2 records now
    assert counts(database) == (2, 2)

    kept = restore_file(saved, database, keep)

    assert kept is not None and kept.parent == keep and "before-restore" in kept.name
    assert counts(kept) == (2, 2)  # what was replaced
    assert counts(database) == (1, 1)  # what was restored
    assert not Path(f"{database}-wal").exists()
    with Book.open(database) as book:
        assert book.records("housing").count() == 1
        assert book.integrity_problems() == []


def test_restore_into_a_new_place_keeps_nothing(book: Book, tmp_path: Path) -> None:
    saved = book.backup(tmp_path / "saved.sqlite")
    target = tmp_path / "new" / "ledgers.sqlite"
    assert restore_file(saved, target, tmp_path / "kept") is None
    assert target.is_file()


def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(
    book: Book, db_path: Path, tmp_path: Path
) -> None:
    book.records("housing").create(housing())
    book.close()
    text_file = tmp_path / "notes.sqlite"
    text_file.write_text("这不是数据库", encoding="utf-8")
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")
    keep = tmp_path / "kept"
    with pytest.raises(BackupError, match="不是有效的数据库备份"):
        restore_file(text_file, db_path, keep)
    with pytest.raises(BackupError, match="不是本程序的数据库备份"):
        restore_file(foreign, db_path, keep)
    with pytest.raises(BackupError, match="不是有效的数据库备份"):
        restore_file(tmp_path / "missing.sqlite", db_path, keep)
    with pytest.raises(BackupError, match="就是当前数据库文件"):
        restore_file(db_path, db_path, keep)
    assert not keep.exists()
    assert counts(db_path) == (1, 1)
    assert f"{HOUSEHOLD_HEAD_ID}" in str(raw_connect(db_path).execute(
        "SELECT id_number FROM housing_checks").fetchone())  # fmt: skip


def test_timestamped_names_sort_by_time() -> None:
    early = timestamped_name("exit", dt.datetime(2024, 5, 9, 8, 0, 0))
    late = timestamped_name("exit", dt.datetime(2024, 5, 9, 18, 0, 0))
    assert early == "hebi-desktop-20240509-080000-exit.sqlite"
    assert early < late
