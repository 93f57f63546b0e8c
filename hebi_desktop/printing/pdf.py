"""Writing a form to a PDF file: checked first, painted under a temporary name, then moved.

A failed or cancelled print never leaves half a PDF where the clerk expects one, and a
PDF that is open in a viewer (locked on Windows) is refused before any work is done. The
target passes the same output guard as every workbook the program writes
(:func:`exchange.files.check_target`): the database, its companions and any file that is
not a PDF are never overwritten. The folder is remembered, so the next start removes the
``.part`` of a killed print (it holds full ID numbers; ``services/leftovers.py``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QPdfWriter

from hebi_desktop import APP_TITLE
from hebi_desktop.domain.printing import Form
from hebi_desktop.errors import UserError
from hebi_desktop.exchange.files import (
    PDF,
    check_target,
    database_files,
    move_into_place,
    reason,
    temporary_file,
)
from hebi_desktop.printing.archive import ArchiveDocument, build_archive, render_archive
from hebi_desktop.printing.content import (
    Document,
    PrintRequest,
    build_document,
    release_document,
)
from hebi_desktop.printing.glyphs import unprintable_rows, warning_text
from hebi_desktop.printing.render import render, set_up_page
from hebi_desktop.services.leftovers import LAST_PRINT_DIR

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintResult:
    path: Path
    pages: int
    rows: int


def check_pdf_target(target: Path, protected: Mapping[Path, str] | None = None) -> None:
    """Refuse early, in Chinese, a PDF target that cannot be written or must not be."""
    check_target(target, protected, PDF)


def _remember_folder(book: Book, folder: Path) -> None:
    try:
        book.settings.set(LAST_PRINT_DIR, str(folder.resolve()))
    except Exception:  # a read-only database still prints; the clean-up is best effort
        log.warning("could not remember the print folder", exc_info=True)


def write_pdf(
    book: Book,
    request: PrintRequest,
    target: Path,
    cancelled: Callable[[], bool] | None = None,
    warn: Callable[[str], object] | None = None,
    progress: Callable[[int, int], None] | None = None,
    document: Document | ArchiveDocument | None = None,
) -> PrintResult:
    """Render the requested form to ``target`` (a QGuiApplication must be running).

    ``warn`` hears, before anything is painted, which records hold a character no
    installed font can show (they would print as empty boxes); ``progress`` hears the
    pages painted so far. ``document``: the request's form already read (the preview's),
    so the records are not read again."""
    target = Path(target)
    check_pdf_target(target, database_files(book.sqlite_file))
    ours = document is None  # read here: freed here
    if ours and request.form is Form.ARCHIVE:
        document = build_archive(book, request, cancelled)
    elif ours:
        document = build_document(book, request, cancelled)
        if warn is not None and (warning := warning_text(unprintable_rows(document))):
            warn(warning)
    assert document is not None
    if book.settings.get(LAST_PRINT_DIR) != str(target.parent.resolve()):
        _remember_folder(book, target.parent)
    form = document

    def paint(writer: QPdfWriter) -> int:
        set_up_page(writer, request.paper, request.landscape)
        if isinstance(form, ArchiveDocument):
            return render_archive(form, writer, cancelled, progress)
        return render(form, writer, cancelled, progress)

    pages = paint_pdf(target, document.title, paint)
    rows = len(document.rows)
    log.info("printed %s %s: %d rows, %d pages", request.ledger, request.form, rows, pages)
    if ours and isinstance(document, Document):
        release_document(document)  # in pieces: the window's thread runs meanwhile
    return PrintResult(target, pages, rows)


def paint_pdf(target: Path, title: str, paint: Callable[[QPdfWriter], int]) -> int:
    """Run ``paint`` on a PDF writer for ``target``: painted under a temporary name beside
    it and moved into place, so a failure never leaves half a PDF. Returns ``paint``'s.

    Every PDF the program writes (ledger forms, the recovery-key sheet) goes through here,
    after :func:`check_pdf_target` has refused what must not be replaced."""
    temp = temporary_file(target, PDF)
    try:
        writer = QPdfWriter(str(temp))
        writer.setTitle(title)
        writer.setCreator(APP_TITLE)
        result = paint(writer)
        del writer  # flushes and closes the file
        move_into_place(temp, target, PDF)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise UserError(f"无法写入“{target}”：{reason(error)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return result
