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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hebi_desktop.storage.checksums import (
    changed_since_backup,
    remove_manifest,
    sha256_file,
    write_manifest,
)
from hebi_desktop.storage.cipher import (
    SQLITE_HEADER,
    DatabaseError,
    KeyMissing,
    OperationalError,
    connect,
    desk_key,
    export_encrypted,
    find_key,
    is_plain,
)
from hebi_desktop.storage.keys import KeyStoreError
from hebi_desktop.storage.oserrors import name_too_long, reason

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class BackupError(Exception):
    """A backup or restore that could not be done; ``str()`` is Chinese for the clerk."""


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def backup_file(
    source: Path, target: Path, progress: Progress | None = None, checksum: bool = True
) -> Path:
    """Copy the SQLite database ``source`` to ``target`` (atomically replaced), with its
    SHA-256 manifest beside it unless ``checksum`` is False (a restore's staged copy).

    The copy is encrypted with the source's key; a plain source gives a plain copy
    (``encrypt`` turns a plain database and its backups into encrypted ones).
    """
    if not source.exists():
        raise BackupError(f"数据库文件不存在：{source}")
    check_backup_target(source, target)
    key = file_key(source)
    try:
        return _backup_file(source, target, progress, key, checksum)
    except (OSError, DatabaseError) as error:
        with contextlib.suppress(OSError):
            partial_name(target).unlink(missing_ok=True)  # never a 0-byte .part on the stick
        if isinstance(error, OSError):
            raise BackupError(f"无法写入备份文件“{target}”：{reason(error)}") from None
        if _disk_full(error):
            raise BackupError(
                f"无法写入备份文件“{target}”：磁盘空间不足，没有生成备份；"
                "请清理磁盘或换一个有空间的位置后重试"
            ) from None
        raise


def _disk_full(error: DatabaseError) -> bool:
    """SQLite's way of saying the target disk is full (SQLITE_FULL, or an I/O error)."""
    text = str(error).lower()
    return "disk is full" in text or "disk i/o error" in text


__all__ = ["SQLITE_HEADER"]


def file_key(path: Path) -> bytes | None:
    """The key of the database file ``path`` (None: plain); BackupError when unknown."""
    try:
        return find_key(path)
    except KeyMissing as error:
        raise BackupError(f"无法打开“{path.name}”：{error}") from None
    except KeyStoreError as error:
        raise BackupError(str(error)) from None


def is_sqlite_file(path: Path) -> bool:
    """True when ``path`` is a database file of ours: plain SQLite, or encrypted with a key
    this desk knows (an empty file is not one)."""
    if is_plain(path):
        return True
    try:
        return path.stat().st_size > 0 and find_key(path) is not None
    except (OSError, KeyMissing, KeyStoreError):
        return False


def check_backup_target(source: Path, target: Path) -> None:
    """A backup never replaces the database, its companions, or a file that is not one."""
    if not str(target).strip() or not target.name or str(target) in (".", ".."):
        raise BackupError("请指定备份文件名")
    if name_too_long(str(target)):
        raise BackupError("备份文件名太长，请起一个短一些的文件名")
    companions = [source, *(Path(f"{source}{s}") for s in ("-wal", "-shm", "-journal"))]
    for path in companions:
        if _same_file(path, target):
            raise BackupError(f"备份文件不能是数据库文件本身（或它的日志文件）：{target}")
    if target.is_dir():
        raise BackupError(f"无法写入备份文件“{target}”：这是一个文件夹")
    if target.is_file() and target.stat().st_size and not is_sqlite_file(target):
        raise BackupError(f"“{target}”已存在且不是数据库备份，不会覆盖它；请另起备份文件名")


def _backup_file(
    source: Path, target: Path, progress: Progress | None, key: bytes | None, checksum: bool
) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_name(target)
    partial.unlink(missing_ok=True)
    src = connect(source, key, read_only=True)
    try:
        dst = connect(partial, key)
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
    _move_with_manifest(partial, target, checksum)
    log.info("backed up %s to %s", source, target)
    return target


def _move_with_manifest(partial: Path, target: Path, checksum: bool) -> None:
    """Record the copy's SHA-256 beside ``target``, then move the copy into place."""
    if not checksum:
        os.replace(partial, target)
        return
    write_manifest(target, sha256_file(partial))
    try:
        os.replace(partial, target)
    except BaseException:
        remove_manifest(target)
        raise


def free_name(path: Path) -> Path:
    """``path``, or ``<stem>-2<suffix>``, ``-3``… when taken: a copy never replaces another."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def partial_name(target: Path) -> Path:
    """Where a copy is written before it is moved to ``target``.

    The process id in the name lets the next start remove a killed copy's leftover, and
    only that (services/leftovers.py).
    """
    return target.with_name(f"{target.name}.{os.getpid()}.part")


def timestamped_name(reason: str, when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now()
    return f"hebi-desktop-{when:%Y%m%d-%H%M%S}-{reason}.sqlite"


# Tables every revision of our schema has: a file without them is not ours.
OUR_TABLES = frozenset({"alembic_version", "settings", "audit_log", "submissions"})
STAGED_SUFFIX = ".restoring"


class DatabaseInUse(BackupError):
    """Another connection (a window, a command) has the database open."""


def check_backup(path: Path) -> str | None:
    """Refuse a file that is not a healthy SQLite database of this program.

    Returns the schema revision the file is at. Reads the file without changing it
    (read-only, so a refused file keeps its bytes); its ``-wal``, if any, is read too.
    """
    if not path.is_file():
        raise BackupError(f"“{path.name}”不是有效的数据库备份：文件不存在")
    try:
        key = find_key(path)
    except KeyMissing as error:
        raise BackupError(f"“{path.name}”不是有效的数据库备份，或无法打开：{error}") from None
    except KeyStoreError as error:
        raise BackupError(str(error)) from None
    try:
        connection = connect(path, key, read_only=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            connection.close()
    except DatabaseError as error:
        raise BackupError(f"“{path.name}”不是有效的数据库备份：{_sqlite_reason(error)}") from None
    if result != "ok":
        raise BackupError(f"“{path.name}”已损坏，不能使用")
    if not tables >= OUR_TABLES:
        raise BackupError(f"“{path.name}”不是本程序的数据库备份")
    return revision


def _sqlite_reason(error: DatabaseError) -> str:
    text = str(error)
    if "not a database" in text or "malformed" in text:
        return "文件不是数据库或已损坏"
    if "unable to open" in text:
        return "无法打开文件"
    return "无法读取"


@contextlib.contextmanager
def exclusive_use(database: Path) -> Iterator[Any]:
    """Hold ``database`` exclusively for the block; refuse if anyone else has it open.

    In WAL mode every open connection, even an idle one, keeps a shared lock on the
    database, so taking SQLite's exclusive lock succeeds only when no window or
    command of any process has it open. ``None`` when there is no database yet.
    """
    if not database.exists():
        yield None
        return
    key = file_key(database) if database.stat().st_size else None
    try:
        guard = connect(database, key, timeout=0.5, isolation_level=None)
    except DatabaseError as error:
        raise BackupError(f"无法打开数据库文件“{database}”：{_sqlite_reason(error)}") from None
    try:
        try:
            guard.execute("PRAGMA locking_mode=EXCLUSIVE")
            guard.execute("BEGIN EXCLUSIVE")
            guard.execute("SELECT count(*) FROM sqlite_master").fetchone()
            guard.execute("COMMIT")
        except OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise DatabaseInUse(
                    "数据库正在被程序窗口或另一个命令使用；请先关闭所有使用它的程序窗口，再恢复"
                ) from None
            raise BackupError(f"无法打开数据库文件“{database}”：{_sqlite_reason(error)}") from None
        yield guard
    finally:
        guard.close()


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def restore_file(
    backup: Path,
    database: Path,
    keep_dir: Path,
    known_revision: Callable[[str | None], bool] | None = None,
    step: Callable[[str], object] | None = None,
    checked: bool = False,
) -> Path | None:
    """Replace ``database`` by ``backup``; the replaced file is first kept in ``keep_dir``.

    Returns the path of the kept copy (``None`` when there was no database yet).
    Refused (DatabaseInUse) while any connection has ``database`` open. The backup is
    copied with SQLite's backup API (so committed changes still in its ``-wal`` come
    along) to a staged file beside the database, checked there (ours, healthy, a
    revision ``known_revision`` accepts), and only then moved over the database in one
    atomic rename. On any failure the database is left exactly as it was.

    ``step`` hears, in Chinese, what is being done (a long database takes a while at
    each); ``checked`` says the caller has just checked ``backup`` (not checked again).
    """
    say = step or (lambda _text: None)
    backup, database = Path(backup), Path(database)
    # The checksum first: it names what happened (changed after the backup) more plainly
    # than the cipher's page check would ("not a database").
    if backup.is_file() and changed_since_backup(backup):
        raise BackupError(
            f"备份“{backup.name}”的内容与备份时记录的校验值（{backup.name}.sha256）不符："
            "文件在备份后被改动或已损坏（如U盘故障），不能用来恢复；请换一个备份。当前数据库没有改动"
        )
    if not checked:
        say("正在检查备份文件…")
        check_backup(backup)
    if database.exists() and _same_file(backup, database):
        raise BackupError(f"“{backup.name}”就是当前数据库文件，无需恢复")
    staged = database.with_name(database.name + STAGED_SUFFIX)
    kept: Path | None = None
    key = file_key(database) if database.is_file() and database.stat().st_size else None
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_use(database) as guard:
            _stage(backup, staged, known_revision, say)
            if guard is not None:
                say("正在保留恢复前的数据库…")
                kept = _keep(guard, free_name(keep_dir / timestamped_name("before-restore")), key)
        # The guard was the last connection: closing it folded the WAL into the file.
        if Path(f"{database}-wal").exists() and Path(f"{database}-wal").stat().st_size:
            raise DatabaseInUse("数据库刚刚被另一个程序打开；请先关闭所有使用它的程序窗口，再恢复")
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(staged, database)
    except OSError as error:
        raise BackupError(f"无法写入数据库文件“{database}”：{reason(error)}") from None
    finally:
        with contextlib.suppress(OSError):
            staged.unlink(missing_ok=True)
    log.info("restored %s from %s (previous copy: %s)", database, backup, kept)
    return kept


def _stage(
    backup: Path,
    staged: Path,
    known_revision: Callable[[str | None], bool] | None,
    say: Callable[[str], object],
) -> None:
    say("正在复制备份…")
    if is_plain(backup):
        # An older version's plain backup comes back encrypted, with the desk's key.
        _encrypted_stage(backup, staged)
    else:
        backup_file(backup, staged, checksum=False)
    say("正在检查复制好的数据库…")
    revision = check_backup(staged)
    if known_revision is not None and not known_revision(revision):
        raise BackupError(
            f"备份“{backup.name}”是更新版本的程序建立的（数据库版本{revision}），"
            "请安装最新版本的程序后再恢复；当前数据库没有改动"
        )
    _fsync(staged)


def _encrypted_stage(backup: Path, staged: Path) -> None:
    try:
        key = desk_key()
    except KeyStoreError as error:
        raise BackupError(str(error)) from None
    partial = partial_name(staged)
    plain = connect(backup, None)  # ATTACH needs a writable connection; only the copy is written
    try:
        export_encrypted(plain, partial, key)
    except DatabaseError as error:
        raise BackupError(f"“{backup.name}”不是有效的数据库备份：{_sqlite_reason(error)}") from None
    finally:
        plain.close()
    os.replace(partial, staged)


def _keep(guard: Any, target: Path, key: bytes | None) -> Path:
    """The before-restore copy, read through the connection that holds the lock."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_name(target)
    try:
        dst = connect(partial, key)
        try:
            guard.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
        _fsync(partial)
        _move_with_manifest(partial, target, checksum=True)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
    return target
