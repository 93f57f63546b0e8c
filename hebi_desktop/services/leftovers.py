"""Cleaning up after a killed program: partial files it left are removed at the next start.

A killed export leaves ``.<name>.<pid>.<random>.xlsx.part`` beside its target and
openpyxl's per-sheet temporary files; a killed backup leaves ``<backup>.part``; a killed
restore leaves ``<database>.restoring``. None of them is ever a finished file (finished
files are moved into place), so removing them loses nothing. A file still being
written by a live process is never touched: export parts and our temporary folders
carry the writer's process id, and a ``.restoring`` file is removed only when no
restore holds the database.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from hebi_desktop.paths import UnwritableDataFolder, data_dir, working_dir
from hebi_desktop.services.instances import alive
from hebi_desktop.storage.backup import STAGED_SUFFIX, BackupError, exclusive_use, is_sqlite_file

if TYPE_CHECKING:
    from hebi_desktop.services.transactions import Database

log = logging.getLogger(__name__)

# .上报.4242.k3j9x_a.xlsx.part, .公示.4242.k3j9x_a.pdf.part (exchange/files.py temporary_file),
# and .zip.part of an export with attachments
_EXPORT_PART = re.compile(r"^\..*\.(\d+)\.[^.]+\.(?:xlsx|pdf|zip)\.part$")
# hebi-desktop-20240509-173000-auto.sqlite.4242.part (storage/backup.py partial_name)
_COPY_PART = re.compile(r"^.+\.(\d+)\.part$")
LAST_PRINT_DIR = "last_print_dir"  # where the last PDF was written (printing/pdf.py)
_REMEMBERED_FOLDERS = ("last_export_dir", "last_report_dir", "backup_dir", LAST_PRINT_DIR)
RECENT_SUBMISSIONS = 20


def private_temp_dir() -> Path:
    """This process's own folder for openpyxl's temporary sheet files (in the system's
    temporary folder when the data folder cannot be written: exports still work)."""
    folder = working_dir("tmp") / str(os.getpid())
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clean_leftovers(book: Database) -> list[Path]:
    """Remove what killed runs left behind; returns what was removed. Never raises."""
    removed: list[Path] = []
    try:
        with contextlib.suppress(UnwritableDataFolder):  # said in Chinese where it matters
            removed += _clean_temp_dirs(data_dir() / "tmp")
        for folder in _folders(book):
            removed += _clean_folder(folder)
    except Exception:  # clean-up must never stop the program from starting
        log.warning("could not clean up leftover files", exc_info=True)
    if removed:
        log.info("removed %d leftover partial file(s)", len(removed))
    return removed


def _folders(book: Database) -> list[Path]:
    from hebi_desktop.paths import backups_dir
    from hebi_desktop.services.settings import SettingsService
    from hebi_desktop.services.submissions import list_submissions

    folders: list[Path] = []
    with contextlib.suppress(UnwritableDataFolder):
        folders.append(backups_dir())
    if book.sqlite_file is not None:
        folders.append(book.sqlite_file.parent)
    values = SettingsService(book).all()
    for key in _REMEMBERED_FOLDERS:
        if values.get(key):
            folders.append(Path(values[key]))
    for info in list_submissions(book)[:RECENT_SUBMISSIONS]:
        folders.append(Path(info.file_name).parent)
    unique: dict[str, Path] = {}
    for folder in folders:
        with contextlib.suppress(OSError):
            if folder.is_dir():
                unique.setdefault(os.path.normcase(str(folder.resolve())), folder)
    return list(unique.values())


def _clean_folder(folder: Path) -> list[Path]:
    removed: list[Path] = []
    for path in _entries(folder):
        match = _EXPORT_PART.match(path.name)
        if match is None and (copy := _COPY_PART.match(path.name)) is not None:
            # Someone else's "x.2024.part" is left alone: ours are database copies.
            match = copy if _is_database_copy(path) else None
        if match and not alive(int(match.group(1))):
            removed += _remove(path)
    return removed


def _clean_temp_dirs(root: Path) -> list[Path]:
    removed: list[Path] = []
    for folder in _entries(root):
        if folder.is_dir() and folder.name.isdigit() and not alive(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def clean_restoring(database: Path) -> list[Path]:
    """Remove a killed restore's staged copy; call before this process opens ``database``."""
    staged = [
        database.with_name(database.name + STAGED_SUFFIX),
        *database.parent.glob(f"{glob.escape(database.name)}{STAGED_SUFFIX}.*.part"),
    ]
    if not any(p.exists() for p in staged):
        return []
    try:
        # A restore in progress holds the database exclusively while it stages.
        with exclusive_use(database):
            pass
    except (BackupError, OSError):
        return []
    removed: list[Path] = []
    for path in staged:
        removed += _remove(path)
    return removed


def _is_database_copy(path: Path) -> bool:
    try:
        return path.stat().st_size == 0 or is_sqlite_file(path)
    except OSError:
        return False


def _entries(folder: Path) -> Iterable[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _remove(path: Path) -> list[Path]:
    try:
        path.unlink()
    except OSError:
        return []
    return [path]
