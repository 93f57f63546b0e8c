"""Plain table workbooks for the county desk's reports (collection, checks, summary).

Each sheet is a title row, a bold header row and the rows, with widths from the content;
written write-only and moved into place only when complete, like every export. Every
value goes in through :func:`cells.safe_value`: a village name or a rejected cell that
looks like a formula is written as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from hebi_desktop.exchange.cells import safe_row, safe_value
from hebi_desktop.exchange.files import check_target, discard, temporary_file, write_atomically

_TITLE = Font(bold=True, size=14)
_HEADER = Font(bold=True)
_MAX_WIDTH = 60


@dataclass(frozen=True)
class TableSheet:
    name: str  # sheet name (at most 31 characters)
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_tables(
    target: Path,
    sheets: Sequence[TableSheet],
    *,
    title: str,
    protected: Mapping[Path, str] | None = None,
) -> Path:
    """Write ``sheets`` to ``target``, refusing a target that cannot be written or is one
    of the ``protected`` inputs (the database, the workbooks being collected)."""
    target = Path(target)
    if not target.suffix:
        target = target.with_suffix(".xlsx")
    check_target(target, protected)
    temp = temporary_file(target)
    workbook: Workbook | None = None
    try:
        workbook = Workbook(write_only=True)
        workbook.properties.title = title
        for table in sheets:
            add_table_sheet(workbook, table)
        write_atomically(workbook, target, temp)
    except BaseException:
        discard(temp, workbook)
        raise
    return target


def add_table_sheet(workbook: Workbook, table: TableSheet) -> None:
    """Append one table sheet to a write-only workbook."""
    sheet = workbook.create_sheet(table.name[:31])
    widths = [_width(h) for h in table.headers]
    for row in table.rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _width(value))
    for index, width in enumerate(widths):
        letter = sheet_column(index)
        sheet.column_dimensions[letter].width = min(width + 2, _MAX_WIDTH)
    sheet.freeze_panes = "A3"
    title = safe_value(sheet, WriteOnlyCell(sheet, table.title))
    title.font = _TITLE
    sheet.append([title])
    header_cells = []
    for header in table.headers:
        cell = safe_value(sheet, WriteOnlyCell(sheet, header))
        cell.font = _HEADER
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in table.rows:
        sheet.append(safe_row(sheet, row))


def sheet_column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
