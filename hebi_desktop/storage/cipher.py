"""SQLCipher files: which key opens a file, raw connections, and encrypting a plain one.

An encrypted database is an ordinary SQLite database whose pages SQLCipher encrypts
(AES-256, each page authenticated), the ``-wal`` included. Its key is a raw 32-byte key
(``PRAGMA key = "x'…'"``): random, so no password stretching is needed and opening is
as fast as opening a plain file. A plain SQLite file (an older version's database or
backup) is recognised by its header and opened without a key.

Everything that touches a database file without the engine (backups, restore, the
adoption check, tests) connects through :func:`connect`, so one place applies the key.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3

from hebi_desktop.storage.keys import (
    PasswordRequired,
    adopt,
    desk_key,
    session_keys,
    stored_keys,
)

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
ENCRYPTING_SUFFIX = ".encrypting"
DatabaseError = sqlcipher3.DatabaseError
OperationalError = sqlcipher3.OperationalError

LOCKED_REASON = (
    "这是加密的数据库，而这台电脑上没有它的密钥（也可能它不是本程序的文件）。"
    "如果是本单位的数据库或备份，请用打印的“数据库恢复密钥”打开："
    "命令行加 --recovery-key-file 恢复密钥文件，或在程序窗口中输入恢复密钥"
)


class KeyMissing(Exception):
    """No key this desk knows opens the file; ``str()`` is the Chinese reason."""

    def __init__(self, path: Path) -> None:
        super().__init__(LOCKED_REASON)
        self.path = path


def is_plain(path: Path) -> bool:
    """True when ``path`` starts with SQLite's plain header (an empty file is not one)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def is_new(path: Path) -> bool:
    """A missing or empty file: a new database gets the desk's key."""
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        return True


def key_pragma(key: bytes) -> str:
    """The statement that gives a connection its raw key (no passphrase stretching)."""
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect(
    database: Path | str, key: bytes | None, *, read_only: bool = False, **options: Any
) -> sqlcipher3.Connection:
    """A DB-API connection to ``database`` with ``key`` applied (None: a plain file).

    ``read_only`` opens through a ``mode=ro`` URI, so a refused file keeps every byte.
    """
    if read_only:
        # as_uri() escapes "#", "?" and "%": unescaped, "备份#2/x.sqlite" would open "备份".
        target: Path | str = Path(database).resolve().as_uri() + "?mode=ro"
        options["uri"] = True
    else:
        target = database
    connection = sqlcipher3.connect(target, **options)
    try:
        quiet(connection)
        if key is not None:
            connection.execute(key_pragma(key))
    except BaseException:
        connection.close()
        raise
    return connection


def quiet(connection: Any) -> None:
    """SQLCipher writes a line to stderr for every wrong key tried; that is no error here."""
    connection.execute("PRAGMA cipher_log_level = NONE")


def opens_with(path: Path, key: bytes) -> bool:
    """Whether ``key`` decrypts ``path``.

    Reads page one of the file as it lies on disk (``immutable``: no lock, no ``-shm``
    made or left behind, so probing a live database or a refused file changes nothing).
    """
    try:
        connection = sqlcipher3.connect(Path(path).resolve().as_uri() + "?immutable=1", uri=True)
    except DatabaseError:
        return False
    try:
        quiet(connection)
        connection.execute(key_pragma(key))
        connection.execute("PRAGMA user_version").fetchone()
        return True
    except DatabaseError:
        return False
    finally:
        connection.close()


def find_key(path: Path) -> bytes | None:
    """The key of the existing file ``path``: None for a plain file; KeyMissing if unknown.

    This run's recovery keys are tried first, so one opens a file even while the store
    is locked by a start-up password (PasswordRequired is raised only without them)."""
    if is_plain(path):
        return None
    given = session_keys()
    for key in given:
        if opens_with(path, key):
            adopt(key)  # a recovery key given this run: this PC opens the file silently now
            return key
    try:
        stored = stored_keys()
    except PasswordRequired:
        if given:  # a recovery key was given and is not this file's: say so, not "password"
            raise KeyMissing(path) from None
        raise
    for key in stored:
        if opens_with(path, key):
            return key
    raise KeyMissing(path)


def key_for(path: Path) -> bytes | None:
    """The key to open ``path`` with: the desk's key for a new database."""
    return desk_key() if is_new(path) else find_key(path)


def table_counts(connection: Any, schema: str = "main") -> dict[str, int]:
    """Rows per table, the check that an encrypted copy holds everything."""
    names = [
        row[0]
        for row in connection.execute(
            f"SELECT name FROM {schema}.sqlite_master "
            "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: connection.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0]
        for name in names
    }


class EncryptionFailed(Exception):
    """The encrypted copy did not match; the plain database is unchanged."""


@dataclass(frozen=True, slots=True)
class Encrypted:
    """The outcome of :func:`encrypt_file`: rows per table copied."""

    counts: dict[str, int]


def encrypted_copy(source: Path, target: Path, key: bytes) -> dict[str, int]:
    """Write ``target``, a verified encrypted copy of the plain database file ``source``."""
    plain = connect(source, None, isolation_level=None)
    try:
        return export_encrypted(plain, target, key)
    finally:
        plain.close()


def export_encrypted(plain: Any, target: Path, key: bytes) -> dict[str, int]:
    """Write ``target``, an encrypted copy of the database ``plain`` is connected to.

    ``sqlcipher_export`` copies schema and rows; then every table's row count and
    SQLite's integrity check are compared on the copy, which is fsynced.
    """
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    expected = table_counts(plain)
    plain.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(target),))
    try:
        plain.execute("SELECT sqlcipher_export('encrypted')")
        version = plain.execute("PRAGMA main.user_version").fetchone()[0]
        plain.execute(f"PRAGMA encrypted.user_version = {int(version)}")
    finally:
        plain.execute("DETACH DATABASE encrypted")
    verify_copy(target, key, expected)
    _fsync(target)
    return expected


def verify_copy(path: Path, key: bytes, expected: dict[str, int]) -> None:
    copy = connect(path, key, isolation_level=None)
    try:
        counts = table_counts(copy)
        health = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
    if counts != expected or health != "ok":
        raise EncryptionFailed(f"encrypted copy differs: {health}")


def encrypt_file(
    database: Path, key: bytes, before_swap: Callable[[], None] | None = None
) -> Encrypted:
    """Encrypt the plain database file ``database`` in place, safe against a kill.

    The plain file is first taken exclusively and switched out of WAL mode (its log
    folded in and removed), so no plain ``-wal`` can outlive it. The encrypted copy is
    written beside it (``<name>.encrypting``), verified, and renamed over the plain
    file in one atomic step: a kill at any moment leaves the plain database or the
    encrypted one, complete. Raises DatabaseError (OperationalError "locked" when
    another connection has the file open) and EncryptionFailed.
    """
    partial = database.with_name(database.name + ENCRYPTING_SUFFIX)
    guard = connect(database, None, timeout=0.5, isolation_level=None)
    try:
        guard.execute("PRAGMA locking_mode=EXCLUSIVE")
        guard.execute("BEGIN EXCLUSIVE")
        guard.execute("COMMIT")
        guard.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        guard.execute("PRAGMA journal_mode=DELETE")
        counts = export_encrypted(guard, partial, key)
        if before_swap is not None:
            before_swap()
        os.replace(partial, database)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
    finally:
        guard.close()
    _fsync_folder(database.parent)
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    log.info("encrypted database %s (%d tables)", database, len(counts))
    return Encrypted(counts)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no folder handles to sync."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
