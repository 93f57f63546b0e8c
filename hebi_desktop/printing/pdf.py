"""Writing a form to a PDF file: checked first, painted under a temporary name, then moved.

A failed or cancelled print never leaves half a PDF where the clerk expects one, and a
PDF that is open in a viewer (locked on Windows) is refused before any work is done.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QPdfWriter

from hebi_desktop import APP_TITLE
from hebi_desktop.errors import UserError
from hebi_desktop.exchange.files import reason
from hebi_desktop.printing.content import PrintRequest, build_document
from hebi_desktop.printing.render import render, set_up_page

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintResult:
    path: Path
    pages: int
    rows: int


def check_pdf_target(target: Path) -> None:
    """Refuse early, in Chinese, a PDF target that cannot be written."""
    if target.suffix.lower() != ".pdf":
        raise UserError(f"文件名应以 .pdf 结尾：{target}")
    folder = target.parent
    if not folder.is_dir():
        raise UserError(f"文件夹不存在：{folder}，请先建立该文件夹或另选保存位置")
    if target.is_dir():
        raise UserError(f"“{target}”是一个文件夹，请另起一个文件名")
    if target.exists():
        try:
            with target.open("r+b"):
                pass
        except OSError as error:
            raise UserError(
                f"无法写入“{target}”：{reason(error)}；文件可能正在被 PDF 阅读器打开，"
                "请关闭后重试，或另存为其他文件名"
            ) from None


def write_pdf(
    book: Book,
    request: PrintRequest,
    target: Path,
    cancelled: Callable[[], bool] | None = None,
) -> PrintResult:
    """Render the requested form to ``target`` (a QGuiApplication must be running)."""
    target = Path(target)
    check_pdf_target(target)
    document = build_document(book, request, cancelled)
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=".pdf.part", dir=target.parent
        )
    except OSError as error:
        raise UserError(f"无法在“{target.parent}”中写入文件：{reason(error)}") from None
    os.close(handle)
    temp = Path(name)
    try:
        writer = QPdfWriter(str(temp))
        writer.setTitle(document.title)
        writer.setCreator(APP_TITLE)
        set_up_page(writer, request.paper, request.landscape)
        pages = render(document, writer, cancelled)
        del writer  # flushes and closes the file
        os.replace(temp, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise UserError(f"无法写入“{target}”：{reason(error)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    log.info(
        "printed %s %s: %d rows, %d pages", request.ledger, request.form, len(document.rows), pages
    )
    return PrintResult(target, pages, len(document.rows))
