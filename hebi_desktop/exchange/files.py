"""Writing a workbook file safely: checked first, saved under a temporary name, then moved.

A failed or cancelled save never leaves a half-written workbook at the target, and a
target that cannot be written (open in Excel or WPS, folder missing, read-only disk)
is refused with a Chinese message before any work is done.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet import _writer as sheet_writer

from hebi_desktop.errors import UserError
from hebi_desktop.storage.checksums import sha256_file as sha256_of
from hebi_desktop.storage.oserrors import name_too_long
from hebi_desktop.storage.oserrors import reason as os_reason

log = logging.getLogger(__name__)


def _is_pdf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"%PDF-"


@dataclass(frozen=True)
class OutputKind:
    """A kind of file the program writes: its suffix, its name in words, and how to tell an
    existing file of that kind (only such a file is ever replaced)."""

    suffix: str
    noun: str
    is_kind: Callable[[Path], bool]
    open_in: str  # what may hold the file open (locked on Windows)


WORKBOOK = OutputKind(".xlsx", "Excel 工作簿", zipfile.is_zipfile, "Excel 或 WPS")
PDF = OutputKind(".pdf", "PDF 文件", _is_pdf, "PDF 阅读器")
ZIP = OutputKind(".zip", "压缩包", zipfile.is_zipfile, "压缩软件")


def check_target(
    target: Path, protected: Mapping[Path, str] | None = None, kind: OutputKind = WORKBOOK
) -> None:
    """Refuse early, with a clear Chinese message, a target that cannot be written.

    The one output guard of every file the program writes (workbooks, reports, PDFs).
    Outputs never clobber inputs: ``protected`` files (path → what it is, in words: the
    database and its ``-wal`` and ``-shm``, the workbook being imported) are refused, and
    an existing file is replaced only when it is of the same ``kind`` (an xlsx is a zip
    file, a PDF starts with ``%PDF-``): a database, a backup or any other file that happens
    to carry the name is never overwritten.
    """
    if not str(target).strip() or not target.name:
        raise UserError("请指定要保存的文件名")
    if name_too_long(str(target)):
        raise UserError(f"文件名太长，请起一个短一些的文件名：{shorten(target.name)}")
    for path, role in (protected or {}).items():
        if _same_path(target, path):
            raise UserError(f"“{target.name}”是正在使用的{role}，不能用来保存，请另起文件名")
    if target.is_dir():
        raise UserError(f"“{target}”是一个文件夹，请另起一个文件名")
    if target.suffix.lower() != kind.suffix:
        raise UserError(f"文件名应以 {kind.suffix} 结尾：{target}")
    folder = target.parent
    if not folder.exists():
        raise UserError(f"文件夹不存在：{folder}，请先建立该文件夹或另选保存位置")
    if not folder.is_dir():
        raise UserError(f"“{folder}”不是文件夹，无法保存到这里")
    if target.is_dir():
        raise UserError(f"“{target}”是一个文件夹，请另起一个文件名")
    if target.exists():
        try:
            # Excel and WPS lock the files they have open: opening for writing fails then.
            with target.open("r+b"):
                pass
        except PermissionError:
            raise UserError(locked_message(target, kind)) from None
        except OSError as error:
            raise UserError(f"无法写入“{target}”：{reason(error)}") from None
        if target.stat().st_size and not kind.is_kind(target):
            raise UserError(
                f"“{target}”已存在且不是 {kind.noun}（可能是数据库或备份），不会覆盖它；"
                "请另起文件名"
            )


def _same_path(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
        return os.path.normcase(a.resolve()) == os.path.normcase(b.resolve())
    except OSError:
        return False


def shorten(text: str, limit: int = 50) -> str:
    """``text`` cut to ``limit`` characters for a message line (with an ellipsis)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def database_files(database: Path | None) -> dict[Path, str]:
    """The database file and its companions, which no output may replace."""
    if database is None:
        return {}
    files = {database: "数据库文件"}
    files.update({Path(f"{database}{s}"): "数据库日志文件" for s in ("-wal", "-shm", "-journal")})
    return files


def locked_message(target: Path, kind: OutputKind = WORKBOOK) -> str:
    return (
        f"无法写入“{target}”：文件可能正在被 {kind.open_in} 打开，或没有写入权限；"
        "请关闭该文件后重试，或另存为其他文件名"
    )


def reason(error: OSError) -> str:
    """The cause of a file error in words."""
    return os_reason(error)


def temporary_file(target: Path, kind: OutputKind = WORKBOOK) -> Path:
    """An empty file next to ``target`` (same disk, so the final move is atomic)."""
    try:
        # The process id in the name lets the next start tell a killed export's leftover
        # from a file another running export is still writing (services/leftovers.py).
        handle, name = tempfile.mkstemp(
            prefix=f".{target.stem}.{os.getpid()}.", suffix=f"{kind.suffix}.part", dir=target.parent
        )
    except OSError as error:
        raise UserError(f"无法在“{target.parent}”中写入文件：{reason(error)}") from None
    os.close(handle)
    return Path(name)


def _private_temporary_file(suffix: str = "") -> str:
    """openpyxl's per-sheet temporary file, in this process's own folder.

    openpyxl writes each write-only sheet to a temporary file in the system temp folder
    and a killed export leaves it there; in a folder named after our process id, the
    next start can remove exactly ours (services/leftovers.py).
    """
    from hebi_desktop.services.leftovers import private_temp_dir

    handle, name = tempfile.mkstemp(prefix="openpyxl.", suffix=suffix, dir=private_temp_dir())
    os.close(handle)
    sheet_writer.ALL_TEMP_FILES.append(name)
    return name


sheet_writer.create_temporary_file = _private_temporary_file


def close_abandoned_archives(error: BaseException) -> None:
    """Close the zip files a failed save left open.

    openpyxl does not close its ``ZipFile`` when a write fails (a full disk); the garbage
    collector would later close it, fail again and print an English traceback
    (``ZipFile.__del__``). Closed here, quietly, the file is released at once.
    """
    frame = error.__traceback__
    while frame is not None:
        for value in list(frame.tb_frame.f_locals.values()):
            if isinstance(value, zipfile.ZipFile):
                with contextlib.suppress(Exception):
                    value.close()
        frame = frame.tb_next


def write_failed(error: OSError, what: str = "保存工作簿") -> UserError:
    """The Chinese message for an output that could not be written (nothing was left)."""
    close_abandoned_archives(error)
    advice = "；请清理磁盘或换一个有空间的位置后重试" if error.errno == errno.ENOSPC else ""
    return UserError(f"{what}失败：{reason(error)}，没有生成文件{advice}")


def save(workbook: Workbook, temp: Path) -> None:
    try:
        workbook.save(temp)
    except OSError as error:
        raise write_failed(error) from None


def move_into_place(temp: Path, target: Path, kind: OutputKind = WORKBOOK) -> None:
    try:
        os.replace(temp, target)
    except PermissionError:
        raise UserError(locked_message(target, kind)) from None
    except OSError as error:
        raise UserError(f"无法写入“{target}”：{reason(error)}") from None


def discard(temp: Path, workbook: Workbook | None) -> None:
    """Remove the partial file and openpyxl's own per-sheet temporary files."""
    with contextlib.suppress(OSError):
        temp.unlink(missing_ok=True)
    if workbook is None:
        return
    for ws in workbook.worksheets:
        rows: Any = getattr(ws, "_rows", None)
        if rows is not None:
            with contextlib.suppress(Exception):
                rows.close()  # finishes the sheet's XML into its temporary file
        writer: Any = getattr(ws, "_writer", None)
        path = getattr(writer, "out", None)
        if not isinstance(path, str):
            continue
        with contextlib.suppress(Exception):
            writer.xf.close()
        with contextlib.suppress(OSError):
            os.remove(path)
        with contextlib.suppress(ValueError):
            sheet_writer.ALL_TEMP_FILES.remove(path)


def write_atomically(
    workbook: Workbook, target: Path, temp: Path, password: str | None = None
) -> str:
    """Save ``workbook`` to ``temp``, then move it to ``target``; returns its SHA-256.

    With ``password`` the plain workbook is saved only in this process's private folder
    (never beside ``target``, often a USB stick) and ``temp`` gets the protected one.
    """
    if password is None:
        save(workbook, temp)
    else:
        from hebi_desktop.exchange.protected import encrypt_file
        from hebi_desktop.services.leftovers import private_temp_dir

        plain = Path(tempfile.mkdtemp(dir=private_temp_dir())) / "plain.xlsx"
        try:
            save(workbook, plain)
            encrypt_file(plain, temp, password)
        except OSError as error:
            raise UserError(f"保存工作簿失败：{reason(error)}") from None
        finally:
            shutil.rmtree(plain.parent, ignore_errors=True)
    digest = sha256_of(temp)
    move_into_place(temp, target)
    return digest
