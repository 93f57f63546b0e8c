"""The 汇总 sheet: each ledger's headline figures per township, with a native bar chart.

The figures come from :class:`~hebi_desktop.services.stats.StatsService`, the same
queries ``hebi-desktop stats`` prints, so the sheet and the command line never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from hebi_desktop.domain.fields import Ledger
from hebi_desktop.exchange.cells import text_cell
from hebi_desktop.exchange.layout import (
    BOLD,
    BORDER,
    CENTER,
    HEADER_FILL,
    HEADER_FONT,
    TITLE_FONT,
    Filler,
    chinese_date,
)
from hebi_desktop.services.stats import FigureRow

SUMMARY_SHEET = "汇总"
CHART_GAP_COLUMNS = 1
LABEL_WIDTH = 16
FIGURE_WIDTH = 14
ROW_CM = 0.53  # a default-height row (15 points)


@dataclass(frozen=True)
class LedgerFigures:
    """One ledger's section: figures per township and the headline (合计) row."""

    ledger: Ledger
    by_township: Sequence[FigureRow]
    headline: FigureRow


def write_summary(
    workbook: Workbook, title: str, filler: Filler, sections: Sequence[LedgerFigures]
) -> None:
    """Add the 汇总 sheet; one table and one bar chart per ledger, one row per township."""
    ws = workbook.create_sheet(SUMMARY_SHEET)
    widest = max((len(s.ledger.measures) for s in sections), default=1) + 1
    ws.column_dimensions["A"].width = LABEL_WIDTH
    for index in range(2, widest + 1):
        ws.column_dimensions[get_column_letter(index)].width = FIGURE_WIDTH
    ws.row_dimensions[1].height = 30
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0

    heading = text_cell(ws, title)
    heading.font = TITLE_FONT
    heading.alignment = CENTER
    ws.append([heading])
    ws.merged_cells.add(f"A1:{get_column_letter(widest)}1")
    ws.append(
        [
            text_cell(ws, f"填报单位：{filler.unit}"),
            None,
            text_cell(ws, f"填报人：{filler.operator}"),
            None,
            text_cell(ws, f"填报日期：{chinese_date(filler.day)}"),
        ]
    )
    row = 2
    chart_column = get_column_letter(widest + 1 + CHART_GAP_COLUMNS)
    for section in sections:
        ledger = section.ledger
        measures = ledger.measures
        ws.append([])
        section_title = text_cell(ws, ledger.title)
        section_title.font = HEADER_FONT
        ws.append([section_title])
        headers = []
        for label in ("乡镇", *(m.label for m in measures)):
            cell = text_cell(ws, label)
            cell.font, cell.fill, cell.border, cell.alignment = (
                HEADER_FONT,
                HEADER_FILL,
                BORDER,
                CENTER,
            )
            headers.append(cell)
        ws.append(headers)
        row += 3
        header_row = row
        for figures in section.by_township:
            ws.append([text_cell(ws, figures.label or "（未填乡镇）"), *_numbers(ws, figures)])
        row += len(section.by_township)
        total = text_cell(ws, "合计")
        total.font = BOLD
        ws.append([total, *_numbers(ws, section.headline, bold=True)])
        row += 1
        if section.by_township and measures:
            height = _add_chart(
                ws, ledger, header_row, len(section.by_township), f"{chart_column}{header_row}"
            )
            # leave room for the chart before the next section
            spare = max(0, math.ceil(height / ROW_CM) - len(section.by_township) - 1)
            for _ in range(spare):
                ws.append([])
            row += spare


def _numbers(ws: WriteOnlyWorksheet, figures: FigureRow, bold: bool = False) -> list[Any]:
    cells = []
    for figure in figures.figures:
        cell = WriteOnlyCell(ws, value=figure.value)
        cell.number_format = (
            "0" if figure.measure.decimals == 0 else "0." + "0" * figure.measure.decimals
        )
        if bold:
            cell.font = BOLD
        cells.append(cell)
    return cells


def _add_chart(
    ws: WriteOnlyWorksheet, ledger: Ledger, header_row: int, count: int, anchor: str
) -> float:
    """A horizontal bar chart of the ledger's first figure per township; its height in cm."""
    measure = ledger.measures[0]
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = f"{ledger.nav_title}：{measure.label}（按乡镇）"
    chart.legend = None
    chart.y_axis.title = measure.label
    chart.x_axis.scaling.orientation = "maxMin"  # first township at the top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    data = Reference(ws, min_col=2, min_row=header_row, max_row=header_row + count)
    labels = Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + count)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    for series in chart.series:  # township names are text: a string reference, not numbers
        series.cat = AxDataSource(strRef=StrRef(f=series.cat.numRef.f))
    chart.height = max(7.5, 0.55 * count + 2.5)
    chart.width = 16
    ws.add_chart(chart, anchor)
    return float(chart.height)
