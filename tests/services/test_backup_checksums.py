"""Backups carry a SHA-256; a restore refuses a changed backup; safety copies before a
restore never overwrite each other and stay in the restored database's own folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hebi_desktop.domain import resident_id
from hebi_desktop.services import backups
from hebi_desktop.services.book import Book
from hebi_desktop.storage import backup as storage_backup
from hebi_desktop.storage.backup import BackupError
from hebi_desktop.storage.checksums import manifest_of, sha256_file
from hebi_desktop.storage.engine import resolve_url
from tests.cli_helpers import run
from tests.samples import housing

ID = resident_id.make("410622", dt.date(1960, 4, 5), 321)


def _database_and_backup(tmp_path: Path) -> tuple[Path, Path]:
    database = tmp_path / "ledgers.sqlite"
    with Book.open(database) as book:
        book.records("housing").create(housing(id_number=ID))
        saved = book.backup(tmp_path / "saved.sqlite")
        book.records("housing").create(housing(check_date=dt.date(2021, 2, 3)))
    return database, saved


def test_a_backup_records_its_checksum(tmp_path: Path) -> None:
    _database, saved = _database_and_backup(tmp_path)
    line = manifest_of(saved).read_text(encoding="utf-8")
    assert line == f"{sha256_file(saved)}  saved.sqlite\n"


def test_a_backup_with_one_changed_digit_is_refused(tmp_path: Path) -> None:
    database, saved = _database_and_backup(tmp_path)
    data = bytearray(saved.read_bytes())
    at = len(data) - 100  # bit rot in the last page (encrypted: the records are not legible)
    data[at] ^= 0x01
    saved.write_bytes(bytes(data))
    before = database.read_bytes()
    done = run("restore", str(saved), "--db", str(database))
    assert done.returncode == 1
    assert "校验值" in done.stderr and "不能用来恢复" in done.stderr
    assert database.read_bytes() == before


def test_safety_copies_never_overwrite_each_other_and_stay_with_the_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, saved = _database_and_backup(tmp_path)
    fixed = "hebi-desktop-20261204-101010-before-restore.sqlite"  # two restores, one second
    monkeypatch.setattr(storage_backup, "timestamped_name", lambda _reason: fixed)
    kept = []
    for _ in range(2):
        restored = backups.restore_database(resolve_url(str(database)), saved)
        restored.book.close()
        kept.append(restored.kept)
    own_folder = tmp_path / "ledgers-backups"
    assert kept[0] == own_folder / fixed
    assert kept[1] == own_folder / fixed.replace(".sqlite", "-2.sqlite")
    assert all(path is not None and path.is_file() for path in kept)
    assert kept[0].read_bytes() != kept[1].read_bytes()  # the first copy kept its records


def test_restore_command_keeps_the_safety_copy_beside_a_db_file(
    tmp_path: Path, data_dir: Path
) -> None:
    database, saved = _database_and_backup(tmp_path)
    done = run("restore", str(saved), "--db", str(database))
    assert done.returncode == 0, done.stderr
    copies = list((tmp_path / "ledgers-backups").glob("*before-restore*.sqlite"))
    assert len(copies) == 1 and manifest_of(copies[0]).is_file()
    default_folder = data_dir / "backups"
    assert not default_folder.exists() or not list(default_folder.glob("*.sqlite"))


def test_restore_file_refuses_before_touching_anything(tmp_path: Path) -> None:
    database, saved = _database_and_backup(tmp_path)
    manifest_of(saved).write_text("0" * 64 + "  saved.sqlite\n", encoding="utf-8")
    with pytest.raises(BackupError, match="校验值"):
        storage_backup.restore_file(saved, database, tmp_path / "keep")
    assert not (tmp_path / "keep").exists()
