"""Encrypting the desk's data: the plain→encrypted migration and the recovery key.

An older version kept the database and its automatic backups as plain SQLite files.
:func:`encrypt_database` turns such a database into an encrypted one (the same code runs
on the window's first start and for ``hebi-desktop encrypt``) and then the program's
plain backups beside it: each is re-encrypted, or removed when it cannot be (damaged),
and the clerk is told which. The recovery key is the database's key written for a
person; the overview reminds the clerk until it has been saved or printed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hebi_desktop.errors import UserError
from hebi_desktop.services.instances import window_pid
from hebi_desktop.storage.backup import BackupError, partial_name
from hebi_desktop.storage.cipher import (
    DatabaseError,
    EncryptionFailed,
    KeyMissing,
    encrypt_file,
    encrypted_copy,
    find_key,
    is_new,
    is_plain,
)
from hebi_desktop.storage.engine import resolve_url, sqlite_path
from hebi_desktop.storage.keys import KeyStoreError, desk_key, fingerprint, format_recovery_key

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)

RECOVERY_SAVED = "recovery_key_saved"  # setting: fingerprint of the key last saved/printed
BACKUP_PREFIX = "hebi-desktop-"
UNCHANGED = "（原数据库没有改动）"


@dataclass(frozen=True, slots=True)
class EncryptOutcome:
    """What :func:`encrypt_database` did: rows per table, and the backups it handled."""

    database: Path
    counts: dict[str, int]
    reencrypted: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


KEEP_PLAIN_ENV_VAR = "HEBI_DESKTOP_KEEP_PLAIN"  # "1": no migration at start (benchmarks)


def needs_encryption(db: str | Path | None) -> bool:
    """True for an existing plain SQLite database file (an older version's) that the
    window should encrypt on start; never with ``HEBI_DESKTOP_KEEP_PLAIN=1``, which
    bench/encryption.py sets to time the same work on a plain database."""
    if os.environ.get(KEEP_PLAIN_ENV_VAR) == "1":
        return False
    path = sqlite_path(resolve_url(db))
    return path is not None and not is_new(path) and is_plain(path) and _has_tables(path)


def _has_tables(path: Path) -> bool:
    from hebi_desktop.storage.cipher import connect

    try:
        connection = connect(path, None, read_only=True)
        try:
            return connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        finally:
            connection.close()
    except DatabaseError:
        return False


def encrypt_database(
    db: str | Path | None, backup_folders: list[Path] | None = None
) -> EncryptOutcome:
    """Encrypt the plain database ``db`` in place, then the program's plain backups.

    Refused (UserError) for a server database, one already encrypted, and one another
    window or command has open. A kill at any moment leaves the plain or the encrypted
    database, complete (storage/cipher.py). ``backup_folders``: where to look for plain
    backups (default: the database's default backup folder).
    """
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is None:
        raise UserError("服务器数据库不在本机加密的范围内；请使用 sslmode=verify-full 连接服务器")
    if not path.is_file():
        raise UserError(f"数据库文件不存在：{path}")
    if not is_plain(path):
        raise UserError(f"数据库“{path}”已经是加密的，无需再加密")
    if window_pid(url) is not None:
        raise UserError("这个数据库正在程序窗口中打开；请先关闭程序窗口再加密")
    try:
        key = desk_key()
        outcome = encrypt_file(path, key)
    except KeyStoreError as error:
        raise UserError(str(error)) from None
    except EncryptionFailed:
        log.error("encrypted copy of %s did not verify", path)
        raise UserError(f"数据库“{path}”加密时核对不一致，已放弃加密，原数据库没有改动") from None
    except DatabaseError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise UserError(
                "数据库正在被程序窗口或另一个命令使用；请先关闭所有使用它的程序，再加密"
            ) from None
        raise UserError(
            f"无法加密数据库“{path}”：文件已损坏或不是数据库（原数据库没有改动）"
        ) from None
    except OSError as error:
        raise UserError(
            f"无法加密数据库“{path}”：{error.strerror or error}（原数据库没有改动）"
        ) from None
    from hebi_desktop.paths import default_backup_folder as default_folder

    folders = (
        backup_folders
        if backup_folders is not None
        else [default_folder(path), *_chosen_backup_folder(path, key)]
    )
    reencrypted: list[Path] = []
    removed: list[Path] = []
    for folder in dict.fromkeys(folders):
        done, gone = encrypt_backups(folder, key)
        reencrypted += done
        removed += gone
    return EncryptOutcome(path, outcome.counts, reencrypted, removed)


def _chosen_backup_folder(database: Path, key: bytes) -> list[Path]:
    """The backup folder the clerk chose in the settings, if any (read from the database)."""
    from hebi_desktop.services.settings import BACKUP_DIR
    from hebi_desktop.storage.cipher import connect

    try:
        connection = connect(database, key, read_only=True)
        try:
            row = connection.execute(
                "SELECT value FROM settings WHERE key = ?", (BACKUP_DIR,)
            ).fetchone()
        finally:
            connection.close()
    except DatabaseError:
        return []
    return [Path(row[0])] if row and row[0] else []


def encrypt_backups(folder: Path, key: bytes) -> tuple[list[Path], list[Path]]:
    """Re-encrypt the program's plain backups in ``folder``; those that cannot be
    (damaged) are removed, for a plain copy of the data must not stay behind.
    Returns (re-encrypted, removed)."""
    reencrypted: list[Path] = []
    removed: list[Path] = []
    if not folder.is_dir():
        return reencrypted, removed
    for backup in sorted(folder.glob(f"{BACKUP_PREFIX}*.sqlite")):
        if not backup.is_file() or not is_plain(backup):
            continue
        partial = partial_name(backup)
        try:
            encrypted_copy(backup, partial, key)
            os.replace(partial, backup)
            reencrypted.append(backup)
        except (DatabaseError, EncryptionFailed, OSError):
            log.warning("plain backup %s could not be re-encrypted; removing it", backup.name)
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            try:
                backup.unlink()
                removed.append(backup)
            except OSError:
                log.warning("could not remove plain backup %s", backup.name, exc_info=True)
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                Path(f"{backup}{suffix}").unlink(missing_ok=True)
    if reencrypted or removed:
        log.info(
            "plain backups in %s: %d re-encrypted, %d removed",
            folder,
            len(reencrypted),
            len(removed),
        )
    return reencrypted, removed


def describe(outcome: EncryptOutcome) -> list[str]:
    """The clerk's summary of an encryption, in Chinese."""
    rows = sum(n for name, n in outcome.counts.items() if name not in ("divisions", "villages"))
    lines = [f"数据库已加密：{outcome.database}（核对了{len(outcome.counts)}张表、{rows}行数据）"]
    if outcome.reencrypted:
        names = "、".join(p.name for p in outcome.reencrypted)
        lines.append(f"已把{len(outcome.reencrypted)}个未加密的自动备份重新加密：{names}")
    if outcome.removed:
        names = "、".join(p.name for p in outcome.removed)
        lines.append(f"已删除{len(outcome.removed)}个无法重新加密（已损坏）的未加密备份：{names}")
    return lines


# --- the recovery key ---------------------------------------------------------------


def database_key(book: Book) -> bytes | None:
    """The key of ``book``'s file; for a server database the desk's key (its portable
    backups are encrypted with it); None for a plain SQLite file."""
    try:
        path = book.sqlite_file
        if path is None:
            return desk_key()
        return find_key(path)
    except (KeyMissing, KeyStoreError) as error:
        raise UserError(str(error)) from None


def recovery_key(book: Book) -> str:
    """The recovery key of ``book`` as printed; UserError for a plain database."""
    key = database_key(book)
    if key is None:
        raise UserError("数据库没有加密，没有恢复密钥；请先运行 encrypt 加密数据库")
    return format_recovery_key(key)


def recovery_key_saved(book: Book) -> bool:
    """Whether the clerk has saved or printed the recovery key of ``book``'s key."""
    key = database_key(book)
    if key is None:
        return True  # nothing to remind of
    return book.settings.get(RECOVERY_SAVED) == fingerprint(key)


def mark_recovery_key_saved(book: Book) -> None:
    key = database_key(book)
    if key is not None:
        book.settings.set(RECOVERY_SAVED, fingerprint(key))
        log.info("recovery key saved or printed on %s", dt.date.today().isoformat())


def write_recovery_text(book: Book, target: Path) -> Path:
    """The recovery key as a text file, the form ``--recovery-key-file`` reads."""
    text = recovery_key(book)
    try:
        target.write_text(
            f"鹤壁乡镇台账 数据库恢复密钥\n{text}\n"
            "用法：hebi-desktop --recovery-key-file 本文件 --db 数据库或备份文件 …\n",
            encoding="utf-8",
        )
    except OSError as error:
        raise BackupError(f"无法写入“{target}”：{error.strerror or error}") from None
    mark_recovery_key_saved(book)
    return target
