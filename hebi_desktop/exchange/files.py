"""Writing a workbook file safely: checked first, saved under a temporary name, then moved.

A failed or cancelled save never leaves a half-written workbook at the target, and a
target that cannot be written (open in Excel or WPS, folder missing, read-only disk)
is refused with a Chinese message before any work is done.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet import _writer as sheet_writer

from hebi_desktop.services.errors import UserError

log = logging.getLogger(__name__)


def check_target(target: Path) -> None:
    """Refuse early, with a clear Chinese message, a target that cannot be written."""
    if target.suffix.lower() != ".xlsx":
        raise UserError(f"文件名应以 .xlsx 结尾：{target}")
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
            raise UserError(locked_message(target)) from None
        except OSError as error:
            raise UserError(f"无法写入“{target}”：{reason(error)}") from None


def locked_message(target: Path) -> str:
    return (
        f"无法写入“{target}”：文件可能正在被 Excel 或 WPS 打开，或没有写入权限；"
        "请关闭该文件后重试，或另存为其他文件名"
    )


def reason(error: OSError) -> str:
    """The cause of a file error in words."""
    if error.errno == errno.ENOSPC:
        return "磁盘空间不足"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "没有写入权限"
    if error.errno == errno.EROFS:
        return "磁盘为只读"
    if error.errno == errno.ENOENT:
        return "文件夹不存在"
    return error.strerror or str(error)


def temporary_file(target: Path) -> Path:
    """An empty file next to ``target`` (same disk, so the final move is atomic)."""
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=".xlsx.part", dir=target.parent
        )
    except OSError as error:
        raise UserError(f"无法在“{target.parent}”中写入文件：{reason(error)}") from None
    os.close(handle)
    return Path(name)


def save(workbook: Workbook, temp: Path) -> None:
    try:
        workbook.save(temp)
    except OSError as error:
        raise UserError(f"保存工作簿失败：{reason(error)}") from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def move_into_place(temp: Path, target: Path) -> None:
    try:
        os.replace(temp, target)
    except PermissionError:
        raise UserError(locked_message(target)) from None
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


def write_atomically(workbook: Workbook, target: Path, temp: Path) -> str:
    """Save ``workbook`` to ``temp``, then move it to ``target``; returns its SHA-256."""
    save(workbook, temp)
    digest = sha256_of(temp)
    move_into_place(temp, target)
    return digest
