"""The encrypted database: keys from the key store, the recovery key, plain→encrypted.

Each test is a fresh desk (conftest's ``key_dir``); a "new PC" is another, empty key
folder. Files are checked on their bytes: an encrypted file has no SQLite header and
the plain sqlite3 module cannot read it.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from hebi_desktop.paths import default_backup_folder
from hebi_desktop.services import backups
from hebi_desktop.services.adoption import LockedDatabase
from hebi_desktop.services.book import Book
from hebi_desktop.services.encryption import (
    encrypt_database,
    mark_recovery_key_saved,
    needs_encryption,
    recovery_key,
    recovery_key_saved,
)
from hebi_desktop.storage.backup import BackupError, check_backup
from hebi_desktop.storage.cipher import is_plain
from hebi_desktop.storage.engine import resolve_url
from hebi_desktop.storage.file_keys import file_encryption_key
from hebi_desktop.storage.keys import (
    KEY_DIR_ENV_VAR,
    forget_session,
    parse_recovery_key,
    use_recovery_key,
)
from tests.samples import housing


def new_pc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str = "new-pc") -> Path:
    """Another desk: an empty key folder, nothing remembered from this run."""
    folder = tmp_path / name
    monkeypatch.setenv(KEY_DIR_ENV_VAR, str(folder))
    forget_session()
    return folder


def make_plain_database(path: Path, records: int = 3) -> None:
    """A database as an older version left it: a plain SQLite file with records."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA user_version = 0")
        connection.execute("PRAGMA journal_mode = WAL")  # writes page one: not a new file
    assert is_plain(path)
    with Book.open(path, create=True) as book:
        book.settings.set("operator", "测试员")
        book.settings.set("township_code", "410622102")
        for day in range(records):
            when = dt.date(2020, 1, 1) + dt.timedelta(days=day)
            book.records("housing").create(housing(head_name=f"王{day}", check_date=when))


def test_a_new_database_is_encrypted_and_opens_silently(db_path: Path, key_dir: Path) -> None:
    with Book.open(db_path) as book:
        book.records("housing").create(housing())
    assert not is_plain(db_path)
    with closing(sqlite3.connect(db_path)) as plain, pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    with Book.open(db_path) as book:  # no password asked: the key store opens it
        assert book.records("housing").count() == 1
        assert book.integrity_problems() == []
    assert (key_dir / "database-keys.txt").stat().st_mode & 0o777 == 0o600


def test_a_missing_key_is_explained_with_the_way_back(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Book.open(db_path).close()
    new_pc(monkeypatch, tmp_path)
    with pytest.raises(LockedDatabase, match="恢复密钥") as refused:
        Book.open(db_path)
    assert "--recovery-key-file" in str(refused.value)
    # A wrong recovery key does not open it either.
    use_recovery_key(bytes(32))
    with pytest.raises(LockedDatabase):
        Book.open(db_path)


def test_the_recovery_key_opens_the_database_and_a_backup_on_a_new_pc(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Book.open(db_path) as book:
        book.records("housing").create(housing())
        printed = recovery_key(book)
        saved = backups.make_backup(book, folder=tmp_path / "usb")
    assert not is_plain(saved)
    new_pc(monkeypatch, tmp_path)
    with pytest.raises(BackupError, match="恢复密钥"):
        check_backup(saved)
    use_recovery_key(parse_recovery_key(printed.lower().replace("-", " ")))
    with Book.open(db_path) as book:
        assert book.records("housing").count() == 1
    check_backup(saved)
    # The key was learnt: the next run opens both without it.
    forget_session()
    with Book.open(saved) as book:
        assert book.records("housing").count() == 1


def test_the_recovery_key_reminder_stays_until_saved(book: Book) -> None:
    assert not recovery_key_saved(book)
    mark_recovery_key_saved(book)
    assert recovery_key_saved(book)


def test_a_plain_database_and_its_backups_are_encrypted(db_path: Path, tmp_path: Path) -> None:
    make_plain_database(db_path)
    folder = default_backup_folder(db_path)
    with Book.open(db_path) as book:
        plain_backup = backups.make_backup(book, backups.AUTOMATIC)
        damaged = folder / "hebi-desktop-20200101-000000-auto.sqlite"
        damaged.write_bytes(plain_backup.read_bytes()[:4096] + b"\0" * 100)
    assert is_plain(plain_backup) and needs_encryption(db_path)

    outcome = encrypt_database(db_path)

    assert not is_plain(db_path) and not needs_encryption(db_path)
    assert not Path(f"{db_path}-wal").exists() and not Path(f"{db_path}-shm").exists()
    assert not list(tmp_path.glob("*.encrypting"))
    assert outcome.counts["housing_checks"] == 3
    assert outcome.reencrypted == [plain_backup] and not is_plain(plain_backup)
    assert outcome.removed == [damaged] and not damaged.exists()
    with Book.open(db_path) as book:
        assert sorted(r.values["head_name"] for r in book.records("housing").list()) == [
            "王0",
            "王1",
            "王2",
        ]
        assert book.integrity_problems() == []
    with Book.open(plain_backup) as copy:
        assert copy.records("housing").count() == 3


def test_plain_backups_in_the_chosen_folder_are_encrypted_too(
    db_path: Path, tmp_path: Path
) -> None:
    make_plain_database(db_path, records=1)
    chosen = tmp_path / "U盘备份"
    with Book.open(db_path) as book:
        backups.save_policy(book, chosen, keep=5, on_exit=True)
        plain_backup = backups.make_backup(book, backups.AUTOMATIC)
    assert plain_backup.parent == chosen and is_plain(plain_backup)
    outcome = encrypt_database(db_path)
    assert outcome.reencrypted == [plain_backup] and not is_plain(plain_backup)


def test_encrypting_twice_or_a_server_is_refused_plainly(db_path: Path) -> None:
    Book.open(db_path).close()
    with pytest.raises(Exception, match="已经是加密的"):
        encrypt_database(db_path)
    with pytest.raises(Exception, match="服务器数据库"):
        encrypt_database("postgresql+psycopg://clerk@server/ledgers")


def test_a_plain_backup_is_restored_encrypted(db_path: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    make_plain_database(old, records=2)
    Book.open(db_path).close()
    outcome = backups.restore_database(resolve_url(db_path), old, tmp_path / "kept")
    with outcome.book as book:
        assert book.records("housing").count() == 2
    assert not is_plain(db_path)


def test_the_file_secret_for_other_files(db_path: Path, tmp_path: Path) -> None:
    with Book.open(db_path) as book:
        secret = file_encryption_key(book)
        assert secret is not None and len(secret) == 32
        assert file_encryption_key(str(db_path)) == secret
        assert secret.hex().upper() not in recovery_key(book).replace("-", "")
    plain = tmp_path / "plain.sqlite"
    make_plain_database(plain, records=0)
    assert file_encryption_key(plain) is None
    assert file_encryption_key("postgresql+psycopg://clerk@server/ledgers") is None


def test_the_key_file_without_a_key_store_is_private_and_announced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hebi_desktop.storage import keys

    monkeypatch.delenv(KEY_DIR_ENV_VAR)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(keys, "_keyring", lambda: None)  # a headless machine
    forget_session()
    Book.open(tmp_path / "a.sqlite").close()
    Book.open(tmp_path / "b.sqlite").close()
    key_file = keys.key_file()
    assert key_file.is_relative_to(tmp_path / "config")
    assert os.stat(key_file).st_mode & 0o777 == 0o600
    notices = keys.take_notices()
    assert len(notices) == 1 and "只有当前用户能读" in notices[0]
    assert keys.take_notices() == []


def test_a_backup_for_another_pc_opens_there_with_the_recovery_key(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the backup API's copy, on a server the portable backup: encrypted both."""
    book.records("housing").create(housing())
    printed = recovery_key(book)
    saved = book.backup(tmp_path / "portable.sqlite")
    assert not is_plain(saved)
    new_pc(monkeypatch, tmp_path)
    with pytest.raises(LockedDatabase):
        Book.open(saved)
    use_recovery_key(parse_recovery_key(printed))
    with Book.open(saved) as copy:
        assert copy.records("housing").count() == 1
