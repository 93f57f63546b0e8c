"""The exported workbook prints readably: the roster's columns stay, the rest fold away."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from hebi_desktop.domain.printing import Form
from hebi_desktop.domain.registry import all_ledgers
from hebi_desktop.exchange.export import ExportRequest, export_workbook
from hebi_desktop.services.book import Book

A4_LANDSCAPE_CHARS = 150  # Excel character widths across A4 landscape at 100 %


@pytest.mark.parametrize("ledger", all_ledgers(), ids=lambda ledger: ledger.key)
def test_secondary_columns_are_grouped_for_printing(filled: Book, tmp_path: Path, ledger) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out.xlsx"
    export_workbook(filled, ExportRequest((ledger.key,), record_submission=False), target)
    ws = load_workbook(target)[ledger.title]
    assert ledger.print_forms is not None
    roster = {ledger.field(c.field).header for c in ledger.print_forms.columns(Form.ROSTER)}
    kept: list[float] = []
    folded: list[float] = []
    for number, cell in enumerate(ws[3], start=1):
        dimension = ws.column_dimensions[get_column_letter(number)]
        assert not dimension.hidden  # nothing is hidden from the county's reader
        (kept if dimension.outlineLevel == 0 else folded).append(dimension.width)
        assert (dimension.outlineLevel == 0) == (cell.value in roster or cell.value == "序号")
    assert folded, "some columns fold away"
    assert ws.page_setup.orientation == "landscape"
    setup = ws.sheet_properties.pageSetUpPr
    assert setup is not None and setup.fitToPage
    with zipfile.ZipFile(target) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<sheetFormatPr[^>]*outlineLevelCol="1"', xml)
    # Folded, the sheet prints at least a third larger than at its full width (unless a
    # narrow ledger fits the page at full size anyway).
    full = min(1.0, A4_LANDSCAPE_CHARS / (sum(kept) + sum(folded)))
    folded_scale = min(1.0, A4_LANDSCAPE_CHARS / sum(kept))
    assert folded_scale >= 1.3 * full or full == 1.0
