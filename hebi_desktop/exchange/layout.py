"""One ledger sheet laid out the way LEDGERS.md fixes it for the county bureaus.

Row 1 is the merged title, row 2 the 填报 row (unit, operator, phone, date, 单位：元),
row 3 the header row, then one row per record and a 合计 row. The sheet is written
in openpyxl's write-only mode: everything that openpyxl writes before the rows
(column widths, frozen panes, row heights) is set up front, the rows are streamed,
and what comes after them (auto-filter, merged title, print set-up) is set at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.page import PageMargins

from hebi_desktop.domain.fields import Field, Kind, Ledger
from hebi_desktop.domain.printing import Form
from hebi_desktop.exchange.cells import (
    MONEY_FORMAT,
    Converter,
    display_width,
    stored_converter,
    text_cell,
)
from hebi_desktop.services.convert import CENT, derivers, from_row, stored_names, with_derived

NUMBER_HEADER = "序号"
TOTAL_LABEL = "合计"
TITLE_ROW = 1
FILLER_ROW = 2
HEADER_ROW = 3
FIRST_DATA_ROW = 4
EXCEL_MAX_ROWS = 1_048_576
PAPER_A4 = 9
MIN_WIDTH = 4
MAX_WIDTH = 40
HEADER_WRAP_WIDTH = 12  # longer headers wrap onto a second line instead of widening

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
TITLE_FONT = Font(name="宋体", size=16, bold=True)
HEADER_FONT = Font(name="宋体", size=11, bold=True)
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


class _ReadyCells(WriteOnlyWorksheet):
    """A write-only sheet whose rows may hold ready cells, passed on without a detour.

    openpyxl first tries every value of a row as a plain value and takes a cell object
    only after that attempt fails, an exception per styled cell: a million of them for a
    100,000-row ledger. Here a cell goes straight through; plain values are bound to a
    shared cell exactly as openpyxl does it.
    """

    def _values_to_row(self, values: Iterable[Any], row_idx: int) -> Iterator[Any]:
        plain = WriteOnlyCell(self)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                value.column, value.row = col_idx, row_idx
                yield value
                continue
            plain.value = value
            plain.column, plain.row = col_idx, row_idx
            yield plain
            if plain.has_style:  # openpyxl styled a date itself: the next value needs a fresh cell
                plain = WriteOnlyCell(self)


# Only where openpyxl streams rows the way this relies on (3.x); otherwise its own way.
_FAST_ROWS = callable(getattr(WriteOnlyWorksheet, "_values_to_row", None))


def export_fields(ledger: Ledger) -> tuple[Field, ...]:
    """The ledger's columns in contract order, derived ones included (序号 comes first)."""
    return ledger.fields


def print_columns(ledger: Ledger) -> frozenset[str]:
    """The columns the printed roster shows (empty: the ledger declares no roster)."""
    if ledger.print_forms is None:
        return frozenset()
    return frozenset(c.field for c in ledger.print_forms.columns(Form.ROSTER))


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Filler:
    """What the 填报 row says."""

    unit: str
    operator: str
    phone: str
    day: dt.date


def content_width(field: Field, longest_text: int | None, names: Sequence[str] = ()) -> int:
    """How wide a column's values are, in Excel character units."""
    kind = field.kind
    if kind is Kind.ID_NUMBER:
        return 19
    if kind is Kind.PHONE:
        return 13
    if kind is Kind.DATE:
        return 11
    if kind in (Kind.MONEY, Kind.DECIMAL):
        return 13 if kind is Kind.MONEY else 9
    if kind is Kind.INTEGER:
        return 6
    if kind is Kind.YES_NO:
        return 4
    if kind is Kind.SCHOOL_YEAR:
        return 10
    if kind is Kind.CHOICE:
        return max(display_width(c) for c in field.choices)
    if kind in (Kind.COUNTY, Kind.TOWNSHIP):
        return max((display_width(n) for n in names), default=field.width)
    if longest_text is None:
        return field.width
    return longest_text * 2  # free text is mostly Chinese


def column_width(header: str, content: int) -> float:
    header_width = min(display_width(header), HEADER_WRAP_WIDTH)
    return float(max(MIN_WIDTH, min(MAX_WIDTH, max(content, header_width) + 2)))


class LedgerSheet:
    """Streams one ledger's records into a write-only worksheet."""

    def __init__(
        self,
        workbook: Workbook,
        ledger: Ledger,
        *,
        title: str,
        filler: Filler,
        widths: Mapping[str, float],
        mask: bool = False,
        sheet_name: str | None = None,
    ) -> None:
        self.ledger = ledger
        self.fields = export_fields(ledger)
        self.ws: WriteOnlyWorksheet = workbook.create_sheet(sheet_name or ledger.title)
        if _FAST_ROWS:
            self.ws.__class__ = _ReadyCells
        self.columns = len(self.fields) + 1
        self.rows = 0
        self.stored = stored = stored_names(ledger)
        self._derived = derivers(ledger)
        # where each column's value is in a row extended by the derived values
        extended = [*stored, *(name for name, _derive in self._derived)]
        self._order = [extended.index(f.name) for f in self.fields]
        self._reorder = self._order != list(range(len(self.fields)))
        self._money = [stored.index(f.name) for f in self.fields if f.kind is Kind.MONEY]
        self._money_totals = dict.fromkeys(self._money, 0)  # in hundredths
        self._set_up(widths)
        self._converters: list[Converter | None] = [
            stored_converter(self.ws, f, mask=mask) for f in self.fields
        ]
        self._write_heading(title, filler)

    # --- before the rows ------------------------------------------------------------

    def _set_up(self, widths: Mapping[str, float]) -> None:
        ws = self.ws
        ws.column_dimensions["A"].width = 6
        printed = print_columns(self.ledger)
        for index, f in enumerate(self.fields, start=2):
            dimension = ws.column_dimensions[get_column_letter(index)]
            dimension.width = widths.get(f.name, f.width + 2)
            if printed and f.name not in printed:
                # Grouped, not hidden: Excel's and WPS's outline button "1" folds these
                # away, and the sheet then prints the roster's columns at a readable size.
                dimension.outlineLevel = 1
        if printed:
            # openpyxl copies this into <sheetFormatPr outlineLevelCol> (which Excel needs
            # for the outline buttons) before it has looked at the columns itself.
            ws.column_dimensions.max_outline = 1
        ws.freeze_panes = f"A{FIRST_DATA_ROW}"
        ws.row_dimensions[TITLE_ROW].height = 30
        ws.row_dimensions[HEADER_ROW].height = 32
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = PAPER_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as needed
        ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.print_options.horizontalCentered = True
        ws.print_options.gridLines = True
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    def _write_heading(self, title: str, filler: Filler) -> None:
        ws = self.ws
        title_cell = text_cell(ws, title)
        title_cell.font = TITLE_FONT
        title_cell.alignment = CENTER
        ws.append([title_cell])
        ws.merged_cells.add(f"A{TITLE_ROW}:{get_column_letter(self.columns)}{TITLE_ROW}")

        items = [
            f"填报单位：{filler.unit}",
            f"填报人：{filler.operator}",
            f"联系电话：{filler.phone}",
            f"填报日期：{chinese_date(filler.day)}",
        ]
        row: list[Any] = [None] * self.columns
        positions = [0, *(round(self.columns * share) for share in (0.3, 0.5, 0.7))]
        for position, text in zip(positions, items, strict=True):
            row[min(position, self.columns - 2)] = text_cell(ws, text)
        unit = text_cell(ws, "单位：元")
        unit.alignment = RIGHT
        row[-1] = unit
        ws.append(row)

        headers = []
        for text in (NUMBER_HEADER, *(f.header for f in self.fields)):
            cell = text_cell(ws, text)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = CENTER
            headers.append(cell)
        ws.append(headers)

    # --- the rows -------------------------------------------------------------------

    def append(self, row: Sequence[Any]) -> None:
        """One record, as its stored columns in :func:`stored_names` order."""
        self.rows += 1
        totals = self._money_totals
        for index in self._money:
            amount = row[index]
            if amount is not None:
                totals[index] += amount
        if self._derived:
            values = with_derived(
                self.ledger, from_row(self.ledger, dict(zip(self.stored, row, strict=True)))
            )
            row = (*row, *(values[name] for name, _derive in self._derived))
        if self._reorder:
            row = [row[index] for index in self._order]
        self.ws.append(
            [
                self.rows,
                *[
                    value if convert is None or value is None else convert(value)
                    for value, convert in zip(row, self._converters, strict=True)
                ],
            ]
        )

    # --- after the rows -------------------------------------------------------------

    def finish(self) -> int:
        """Write the 合计 row and what depends on the row count; returns the record count."""
        ws = self.ws
        total: list[Any] = [None] * self.columns
        total[0] = self._bold(text_cell(ws, TOTAL_LABEL))
        total[1] = self._bold(text_cell(ws, f"共{self.rows}条"))
        for index, f in enumerate(self.fields, start=1):
            if f.kind is Kind.MONEY:
                cell = WriteOnlyCell(ws, value=self.totals[f.name])
                cell.number_format = MONEY_FORMAT
                total[index] = self._bold(cell)
        ws.append(total)
        last_row = FIRST_DATA_ROW + self.rows - 1
        last_column = get_column_letter(self.columns)
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{max(last_row, HEADER_ROW)}"
        ws.print_area = f"A1:{last_column}{last_row + 1}"
        return self.rows

    @staticmethod
    def _bold(cell: Any) -> Any:
        cell.font = BOLD
        return cell

    @property
    def totals(self) -> dict[str, Decimal]:
        """Money sums of the rows so far, by field name."""
        return {
            self.stored[index]: (Decimal(total) / 100).quantize(CENT)
            for index, total in self._money_totals.items()
        }
