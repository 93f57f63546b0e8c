"""Consistent copies of the database file, safe while the program is running.

SQLite's online backup API copies pages under a read transaction, so the copy
is a snapshot even if another process writes meanwhile. Backups are written to a
temporary name and moved into place, so a copy that exists is a complete copy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class BackupError(Exception):
    """A backup or restore that could not be done; ``str()`` is Chinese for the clerk."""


def _read_only_uri(path: Path) -> str:
    # as_uri() escapes "#", "?" and "%": unescaped, "备份#2/x.sqlite" would silently open
    # (and create) "备份" instead.
    return path.resolve().as_uri() + "?mode=ro"


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def backup_file(source: Path, target: Path, progress: Progress | None = None) -> Path:
    """Copy the SQLite database ``source`` to ``target`` (atomically replaced)."""
    if not source.exists():
        raise BackupError(f"数据库文件不存在：{source}")
    if _same_file(source, target):
        raise BackupError(f"备份文件不能是数据库文件本身：{target}")
    try:
        return _backup_file(source, target, progress)
    except OSError as error:
        with contextlib.suppress(OSError):
            target.with_name(target.name + ".part").unlink(missing_ok=True)
        raise BackupError(f"无法写入备份文件“{target}”：{error.strerror or error}") from None


def _backup_file(source: Path, target: Path, progress: Progress | None) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(_read_only_uri(source), uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:

            def report(_status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress(total - remaining, total)

            src.backup(dst, pages=1024, progress=report)
            dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
        finally:
            dst.close()
    finally:
        src.close()
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    log.info("backed up %s to %s", source, target)
    return target


def timestamped_name(reason: str, when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now()
    return f"hebi-desktop-{when:%Y%m%d-%H%M%S}-{reason}.sqlite"


def check_backup(path: Path) -> None:
    """Refuse a file that is not a healthy SQLite database of this program."""
    try:
        connection = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"“{path.name}”不是有效的数据库备份：{error}") from None
    if result != "ok":
        raise BackupError(f"“{path.name}”已损坏：{result}")
    if "alembic_version" not in tables:
        raise BackupError(f"“{path.name}”不是本程序的数据库备份")


def restore_file(backup: Path, database: Path, keep_dir: Path) -> Path | None:
    """Replace ``database`` by ``backup``; the replaced file is first kept in ``keep_dir``.

    Returns the path of the kept copy (``None`` when there was no database yet).
    The caller must have closed every connection to ``database``.
    """
    check_backup(backup)
    if database.exists() and _same_file(backup, database):
        raise BackupError(f"“{backup.name}”就是当前数据库文件，无需恢复")
    kept: Path | None = None
    if database.exists():
        kept = backup_file(database, keep_dir / timestamped_name("before-restore"))
    partial = database.with_name(database.name + ".restoring")
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(backup, partial)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        for suffix in ("-wal", "-shm"):
            Path(str(database) + suffix).unlink(missing_ok=True)
        os.replace(partial, database)
    except OSError as error:
        raise BackupError(f"无法写入数据库文件“{database}”：{error.strerror or error}") from None
    log.info("restored %s from %s (previous copy: %s)", database, backup, kept)
    return kept
