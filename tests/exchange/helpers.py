"""Shared pieces of the exchange tests: exporting, reading workbooks back, writing sheets."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.exchange.export import ExportRequest, ExportResult, export_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery

HEADER_ROW = 3
FIRST_DATA_ROW = 4


def export(
    book: Book,
    target: Path,
    *ledgers: str,
    query: RecordQuery | None = None,
    **options: Any,
) -> ExportResult:
    request = ExportRequest(tuple(ledgers), query or RecordQuery(), **options)
    return export_workbook(book, request, target)


def sheet(path: Path, ledger: str) -> Worksheet:
    """The ledger's sheet, loaded fully by openpyxl (types, formats, merges, print set-up)."""
    return load_workbook(path)[get_ledger(ledger).title]


def calamine_rows(path: Path, name: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def headers(ws: Worksheet) -> list[str]:
    return [c.value for c in ws[HEADER_ROW] if c.value is not None]


def column(ws: Worksheet, header: str) -> int:
    """1-based column of a header in the header row."""
    for cell in ws[HEADER_ROW]:
        if cell.value == header:
            return cell.column
    raise KeyError(header)


def record_cell(ws: Worksheet, header: str, index: int = 0) -> Any:
    """The cell of the ``index``-th record under ``header``."""
    return ws.cell(FIRST_DATA_ROW + index, column(ws, header))


def sheet_xml(path: Path) -> str:
    """All worksheet XML of a workbook, to look for formulas openpyxl would not show."""
    with zipfile.ZipFile(path) as archive:
        return "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/sheet")
        )


def write_sheet(path: Path, rows: list[list[Any]], *, title: str = "Sheet1", **extra: Any) -> Path:
    """A clerk's workbook: ``rows`` from A1; ``merge`` (ranges) and ``text_columns``.

    Texts starting with ``=`` are stored as text, as Excel does for '=… typed by a clerk.
    """
    workbook = Workbook()
    ws = workbook.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for ref in extra.get("merge", ()):
        ws.merge_cells(ref)
    for letter in extra.get("text_columns", ()):
        for cell in ws[letter]:
            cell.number_format = "@"
    for cell in ws.iter_rows():
        for item in cell:
            if isinstance(item.value, str) and item.data_type == "f":
                item.data_type = "s"  # typed text that looks like a formula ('=… in Excel)
    workbook.save(path)
    return path
