"""The desk's backups as a clerk chooses among them: when, which kind, how large, how many
records of each ledger, which program made it.

A restore starts from this list rather than from a file dialog: the names, dates and
kinds are read from the backup folder, the counts from each file opened read-only (a
file that cannot be read — damaged, or encrypted with a key this desk does not have —
is listed with its problem instead of counts). Nothing here writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from hebi_desktop.domain.registry import all_ledgers
from hebi_desktop.services.backups import LAST_BACKUP_VERSION
from hebi_desktop.storage.cipher import DatabaseError, KeyMissing, connect, find_key
from hebi_desktop.storage.keys import KeyStoreError

log = logging.getLogger(__name__)

# hebi-desktop-20261204-173000-auto.sqlite, …-manual-2.sqlite, …-before-restore.sqlite
_NAME = re.compile(r"^hebi-desktop-(\d{8})-(\d{6})-([a-z0-9.-]+?)(?:-\d+)?\.sqlite$")
KINDS = {"auto": "自动", "manual": "手动", "before-restore": "恢复前"}
UPGRADE_PREFIX = "before-upgrade"


@dataclass(frozen=True)
class BackupInfo:
    """One backup file as the list shows it."""

    path: Path
    at: dt.datetime
    kind: str  # 自动 / 手动 / 恢复前 / 升级前 / 其他
    size: int
    counts: dict[str, int] = field(default_factory=dict)  # ledger key → records (not deleted)
    version: str = ""  # the program version that made it, when recorded
    problem: str = ""  # why the counts could not be read
    written: int = 0  # the file's modification time (ns): orders backups of one second

    @property
    def size_text(self) -> str:
        return size_text(self.size)


def size_text(size: int) -> str:
    """75.2 GB / 1.2 MB / 350 KB: a size a clerk reads at a glance."""
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(size // 1024, 1)} KB"


def kind_of(reason: str) -> str:
    if reason.startswith(UPGRADE_PREFIX):
        return "升级前"
    return KINDS.get(reason, "其他")


def _when(path: Path, match: re.Match[str] | None) -> dt.datetime:
    if match is not None:
        with contextlib.suppress(ValueError):
            return dt.datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")
    return dt.datetime.fromtimestamp(path.stat().st_mtime)


def _contents(path: Path) -> tuple[dict[str, int], str, str]:
    """(counts per ledger, program version, problem) read from the file without writing."""
    try:
        # An encrypted backup opens with this desk's key (or a recovery key given this run).
        connection = connect(path, find_key(path), read_only=True)
    except (KeyMissing, KeyStoreError):
        return {}, "", "无法读取（这台电脑没有它的密钥）"
    except DatabaseError:
        return {}, "", "无法打开"
    try:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        counts = {
            ledger.key: int(
                connection.execute(
                    f'SELECT COUNT(*) FROM "{ledger.table_name}" WHERE deleted_at IS NULL'
                ).fetchone()[0]
            )
            for ledger in all_ledgers()
            if ledger.table_name in tables
        }
        version = ""
        if "settings" in tables:
            row = connection.execute(
                "SELECT value FROM settings WHERE key = ?", (LAST_BACKUP_VERSION,)
            ).fetchone()
            version = row[0] if row else ""
        return counts, version, ""
    except DatabaseError:
        log.info("backup %s could not be read for the list", path.name)
        return {}, "", "无法读取（已损坏）"
    finally:
        connection.close()


def backup_info(path: Path) -> BackupInfo:
    match = _NAME.match(path.name)
    counts, version, problem = _contents(path)
    stat = path.stat()
    return BackupInfo(
        path=path,
        at=_when(path, match),
        kind=kind_of(match[3]) if match else "其他",
        size=stat.st_size,
        written=stat.st_mtime_ns,
        counts=counts,
        version=version,
        problem=problem,
    )


def list_backups(folder: Path) -> list[BackupInfo]:
    """The backups in ``folder``, newest first (other files are not listed)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.is_file() and path.suffix == ".sqlite" and path.name.startswith("hebi-desktop-"):
            try:
                found.append(backup_info(path))
            except OSError:
                log.info("backup %s vanished while listing", path.name)
    return sorted(found, key=lambda info: (info.at, info.written), reverse=True)


def free_space(folder: Path) -> int | None:
    """Free bytes on the disk holding ``folder`` (or its nearest existing parent)."""
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free
    except OSError:
        return None
