"""The backup policy: where backups go, the automatic one on exit, and keeping the last N.

A township PC has one disk and no administrator, so the program keeps its own copies:
an exit after changes makes an automatic backup (unless turned off; an exit with nothing
changed since the last backup makes none), and only the newest ``backup_keep`` automatic
ones are kept, within a total size cap (``backup_max_mb``) so a large database cannot
fill the disk. Backups the clerk makes by hand are never deleted by the program. The
default database keeps its backups in the data folder; any other database file (``--db``)
keeps them beside itself. Usable without Qt (the window and the tests call it alike).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from hebi_desktop import __version__
from hebi_desktop.errors import UserError
from hebi_desktop.paths import default_backup_folder
from hebi_desktop.services.instances import window_pid
from hebi_desktop.services.settings import BACKUP_DIR, BACKUP_KEEP, BACKUP_ON_EXIT
from hebi_desktop.storage.backup import (
    BackupError,
    DatabaseInUse,
    Progress,
    check_backup,
    restore_file,
    timestamped_name,
)
from hebi_desktop.storage.blobs import backup_folder, copy_missing, folder_beside
from hebi_desktop.storage.checksums import remove_manifest
from hebi_desktop.storage.engine import sqlite_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)

AUTOMATIC = "auto"
MANUAL = "manual"
DEFAULT_KEEP = 10
MAX_KEEP = 999
LAST_BACKUP_AT = "last_backup_at"
LAST_BACKUP_FILE = "last_backup_file"
LAST_BACKUP_MARK = "last_backup_mark"
LAST_BACKUP_VERSION = "last_backup_version"  # the program that made the copy (for the list)
BACKUP_MAX_MB = "backup_max_mb"
DEFAULT_MAX_MB = 2048  # all automatic backups together; the newest one is always kept

# hebi-desktop-20240509-173000-auto.sqlite, also with a -2 suffix when two fall in one second
_AUTOMATIC_NAME = re.compile(r"^hebi-desktop-\d{8}-\d{6}-auto(?:-\d+)?\.sqlite$")


@dataclass(frozen=True, slots=True)
class BackupPolicy:
    """The backup settings of a book, with their defaults filled in."""

    folder: Path
    keep: int
    on_exit: bool
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024


def _whole(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


def policy(book: Book) -> BackupPolicy:
    values = book.settings.all()
    folder_text = values.get(BACKUP_DIR)
    folder = Path(folder_text) if folder_text else default_backup_folder(book.sqlite_file)
    keep = _whole(values.get(BACKUP_KEEP), DEFAULT_KEEP)
    on_exit = values.get(BACKUP_ON_EXIT, "1") not in ("0", "false", "否", "")
    max_mb = max(_whole(values.get(BACKUP_MAX_MB), DEFAULT_MAX_MB), 1)
    return BackupPolicy(folder, min(max(keep, 1), MAX_KEEP), on_exit, max_mb * 1024 * 1024)


def change_mark(book: Book) -> str:
    """A fingerprint of what a backup would hold: the last audit entry (every record
    write has one), the last submission and the settings. Equal marks: nothing to back up."""
    from hebi_desktop.storage.models import AuditEntry, Setting, Submission

    with book.reading() as connection:
        last_entry = connection.scalar(select(func.max(AuditEntry.id)))
        last_submission = connection.scalar(select(func.max(Submission.id)))
        settings = {
            key: value
            for key, value in connection.execute(select(Setting.key, Setting.value))
            if not key.startswith("last_backup")
        }
    text = json.dumps([last_entry, last_submission, sorted(settings.items())], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def save_policy(book: Book, folder: Path | None, keep: int, on_exit: bool) -> None:
    """Store the settings page's choices (``folder`` None: the default folder)."""
    book.settings.set(BACKUP_DIR, str(folder) if folder is not None else None)
    book.settings.set(BACKUP_KEEP, str(min(max(int(keep), 1), MAX_KEEP)))
    book.settings.set(BACKUP_ON_EXIT, "1" if on_exit else "0")


def last_backup_at(book: Book) -> dt.datetime | None:
    text = book.settings.get(LAST_BACKUP_AT)
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _free_name(folder: Path, reason: str) -> Path:
    """A new timestamped name; within one second, numbered after the highest present."""
    stem = Path(timestamped_name(reason)).stem
    taken = [1] if (folder / f"{stem}.sqlite").exists() else []
    if folder.is_dir():
        for path in folder.glob(f"{stem}-*.sqlite"):
            suffix = path.stem.removeprefix(f"{stem}-")
            if suffix.isdigit():
                taken.append(int(suffix))
    if not taken:
        return folder / f"{stem}.sqlite"
    return folder / f"{stem}-{max(taken) + 1}.sqlite"


def make_backup(
    book: Book,
    reason: str = MANUAL,
    folder: Path | None = None,
    progress: Progress | None = None,
) -> Path:
    """Back the book up into ``folder`` (default: the policy's) under a timestamped name.

    Raises UserError for a database the program cannot copy (PostgreSQL) and BackupError
    when the folder cannot be written. An automatic backup then prunes older ones.
    """
    rules = policy(book)
    target_folder = Path(folder) if folder is not None else rules.folder
    mark = change_mark(book)
    book.settings.set(LAST_BACKUP_VERSION, __version__)  # read back by the backup list
    path = book.backup(_free_name(target_folder, reason), progress)
    book.settings.set(LAST_BACKUP_MARK, mark)
    if reason == AUTOMATIC:
        prune(target_folder, rules.keep, rules.max_bytes)
    return path


def automatic_backups(folder: Path) -> list[Path]:
    """The program's automatic backups in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and _AUTOMATIC_NAME.match(p.name)]
    # The timestamp in the name sorts chronologically; the -N suffix after it.
    return sorted(found, key=lambda p: (p.name[:28], len(p.name), p.name))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def prune(folder: Path, keep: int, max_bytes: int | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` automatic backups, and then the oldest while they
    take more than ``max_bytes`` together (the newest always stays); returns the deleted."""
    backups = automatic_backups(folder)
    doomed = backups[: max(len(backups) - max(keep, 1), 0)]
    if max_bytes is not None:
        kept = backups[len(doomed) :]
        total = sum(_size(p) for p in kept)
        while len(kept) > 1 and total > max_bytes:
            oldest = kept.pop(0)
            total -= _size(oldest)
            doomed.append(oldest)
    deleted: list[Path] = []
    for path in doomed:
        try:
            path.unlink()
            remove_manifest(path)
            deleted.append(path)
        except OSError:
            log.warning("could not delete old backup %s", path, exc_info=True)
    if deleted:
        log.info("deleted %d old automatic backup(s) in %s", len(deleted), folder)
    return deleted


def exit_backup_needed(book: Book) -> bool:
    """Whether quitting should make a backup: the policy asks for one, the book is a file,
    and something changed since the last backup (or that backup is gone)."""
    rules = policy(book)
    if not rules.on_exit or book.sqlite_file is None:
        return False
    values = book.settings.all()
    last_file = values.get(LAST_BACKUP_FILE)
    if not last_file or not Path(last_file).is_file():
        return True
    return values.get(LAST_BACKUP_MARK) != change_mark(book)


def backup_on_exit(book: Book, progress: Progress | None = None) -> Path | None:
    """The automatic backup at exit, when :func:`exit_backup_needed`; else None."""
    if not exit_backup_needed(book):
        return None
    return make_backup(book, AUTOMATIC, policy(book).folder, progress)


@dataclass(frozen=True, slots=True)
class Restored:
    """The outcome of :func:`restore_backup`: the reopened book and the kept old file."""

    book: Book
    kept: Path | None


def restore_backup(
    book: Book, backup: Path, step: Callable[[str], object] | None = None
) -> Restored:
    """The window's restore: close ``book``, restore, reopen.

    ``book`` is closed here and must not be used afterwards; use ``Restored.book``. When
    the restore is refused or fails, the unchanged database is reopened and the
    BackupError/UserError raised carries it in its ``book`` attribute. ``step`` hears
    what is being done, in Chinese (the window shows it).
    """
    from hebi_desktop.services.book import Book

    if book.sqlite_file is None:
        raise UserError("只能恢复本机的 SQLite 数据库文件；共享服务器数据库请由管理员恢复")
    if step is not None:
        step("正在检查备份文件…")
    check_backup(Path(backup))  # a bad file is refused before anything is closed
    keep_dir = policy(book).folder
    url = book.url
    book.close()
    try:
        return restore_database(url, Path(backup), keep_dir, step, checked=True)
    except (BackupError, UserError) as error:
        setattr(error, "book", Book.open(url))  # noqa: B010 - the window reopens it
        raise


def restore_database(
    url: str,
    backup: Path,
    keep_dir: Path | None = None,
    step: Callable[[str], object] | None = None,
    checked: bool = False,
) -> Restored:
    """The one restore of the program (window and ``restore`` command alike).

    Refused while another window has the database open (its single-instance lock) or
    any connection of any process holds it (SQLite's locks). The backup is checked
    (ours, healthy, not from a newer program) and copied with SQLite's backup API
    before the working file is touched; the working file is replaced in one atomic
    rename after a before-restore copy is kept. The restored database is then opened
    (applying older revisions' migrations); if that fails the old file is put back.
    """
    from hebi_desktop.services.book import Book

    database = sqlite_path(url)
    if database is None:
        raise UserError("只能恢复本机的 SQLite 数据库文件；共享服务器数据库请由管理员恢复")
    backup = Path(backup)
    if not backup.is_file():
        raise BackupError(f"找不到备份文件“{backup}”")
    if not database.parent.is_dir():  # a typo'd --db makes no folders (adoption.py)
        raise UserError(f"文件夹不存在：{database.parent}；请检查数据库路径是否写错")
    if window_pid(url) is not None:
        raise DatabaseInUse(
            "这个数据库正在程序窗口中打开；请先关闭程序窗口再恢复，或在窗口中用“设置—从备份恢复”"
        )
    # A --db file keeps its safety copies in its own backup folder, as its backups are.
    keep = keep_dir if keep_dir is not None else default_backup_folder(database)
    kept = restore_file(backup, database, keep, _known_revision, step, checked)
    # The backup's attachment files come back with its records (the files already here
    # stay: they are named by their content and never change).
    copy_missing(backup_folder(backup.parent), folder_beside(database))
    if step is not None:
        step("正在打开恢复的数据库…")
    try:
        return Restored(Book.open(url), kept)
    except UserError as error:
        log.warning("restored backup %s does not open; putting the old file back", backup)
        if kept is not None:
            restore_file(kept, database, keep, known_revision=_known_revision)
        raise UserError(f"备份“{backup.name}”无法使用：{error}；已换回原来的数据库") from None


def _known_revision(revision: str | None) -> bool:
    """True for the revisions this program can open (an older one gets migrated)."""
    from hebi_desktop.storage.migrate import is_known

    return revision is None or is_known(revision)
