"""The streaming reader gives every cell as calamine would, in any form a program writes."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from hebi_desktop.exchange import sheet_stream
from hebi_desktop.exchange.limits import Limits
from hebi_desktop.exchange.reader import Sheet, StreamedSheet, open_source

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _trimmed(rows: list[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    """Rows without trailing blanks, "" as None (calamine's empty cell is "")."""
    found = []
    for number, cells in rows:
        cells = [None if c == "" else c for c in cells]
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            found.append((number, cells))
    return found


def _both(path: Path, sheet: str) -> tuple[list[Any], list[Any]]:
    source = open_source(path)
    whole = _trimmed(list(Sheet(sheet, source.workbook).rows()))
    streamed = _trimmed(list(StreamedSheet(sheet, path, 0, Limits()).rows()))
    return whole, streamed


def _openpyxl_workbook(path: Path) -> Path:
    """Shared strings, rich text, dates with and without time, numbers, booleans, a gap."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "台账"
    sheet.append(["住房安全台账"])
    sheet.append([])
    sheet.append(["姓名", "身份证号", "日期", "时刻", "面积", "人口", "是否", "备注"])
    first = ["张三", "410622195001010011", dt.date(2024, 3, 5), dt.datetime(2024, 3, 5, 8, 30)]
    sheet.append([*first, Decimal("12.5"), 4, True, "<a & b>"])
    sheet.append(["李四", "41062219500101002X", None, None, 0.1, -3, False, "  两头有空格  "])
    sheet["H6"] = CellRichText(["红", TextBlock(InlineFont(b=True), "字")])
    sheet["A9"] = "隔了两行"
    sheet["C9"] = "=1+1"
    workbook.save(path)
    return path


def test_an_openpyxl_workbook_reads_the_same_as_with_calamine(tmp_path: Path) -> None:
    whole, streamed = _both(_openpyxl_workbook(tmp_path / "a.xlsx"), "台账")
    assert streamed == whole
    name, id_number, date, moment = streamed[2][1][:4]
    assert (name, id_number) == ("张三", "410622195001010011")
    assert (date, moment) == (dt.date(2024, 3, 5), dt.datetime(2024, 3, 5, 8, 30))
    assert streamed[4] == (6, [*[None] * 7, "红字"])


def test_rows_cut_across_blocks_come_out_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _openpyxl_workbook(tmp_path / "a.xlsx")
    expected = _both(path, "台账")[0]
    for block in (7, 64, 301):
        monkeypatch.setattr(sheet_stream, "BLOCK", block)
        assert _trimmed(list(StreamedSheet("台账", path, 0, Limits()).rows())) == expected


def _hand_written(path: Path, rows: str, *, date1904: bool = False, shared: str = "") -> Path:
    """A workbook whose sheet XML is exactly ``rows`` (inside <sheetData>)."""
    properties = '<workbookPr date1904="1"/>' if date1904 else ""
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships">{properties}<sheets><sheet name="表" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{_MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
            'formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
            '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
            "</cellXfs></styleSheet>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<x:worksheet xmlns:x="{_MAIN}"><x:sheetData>{rows}</x:sheetData></x:worksheet>'
            if rows.startswith("<x:")
            else f'<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>'
        ),
    }
    if shared:
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{_MAIN}">{shared}</sst>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def _streamed(path: Path) -> list[tuple[int, list[Any]]]:
    return _trimmed(list(StreamedSheet("表", path, 0, Limits()).rows()))


def test_cells_in_unusual_forms_are_read_by_the_xml_parser(tmp_path: Path) -> None:
    rows = (
        # no reference on the row or its cells; type before style; a phonetic run
        '<row><c t="s" s="0"><v>1</v></c><c><v>7</v></c>'
        '<c t="inlineStr"><is><r><t>甲</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 乙</t>'
        "</r><rPh><t>コウ</t></rPh></is></c></row>"
        '<row r="5"><c r="C5" t="b"><v>1</v></c><c r="D5" t="e"><v>#N/A</v></c>'
        '<c r="E5" t="str"><f>A1</f><v>a&amp;b</v></c><c r="F5" s="1"><v>45356</v></c></row>'
        '<row><c r="B6" s="2"><v>45356.5</v></c></row>'
    )
    shared = "<si><t>零</t></si><si><r><t>壹</t></r><r><t>贰</t></r></si>"
    path = _hand_written(tmp_path / "odd.xlsx", rows, shared=shared)
    assert _streamed(path) == [
        (1, ["壹贰", 7.0, "甲 乙"]),
        (5, [None, None, True, "#N/A", "a&b", dt.date(2024, 3, 5)]),
        (6, [None, dt.datetime(2024, 3, 5, 12, 0)]),
    ]
    whole = _both(path, "表")[0]
    whole[1][1][3] = "#N/A"  # calamine drops an error cell; it is kept for the clerk to see
    assert _streamed(path) == whole


def test_prefixed_tags_and_the_1904_date_system(tmp_path: Path) -> None:
    rows = (
        '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>名</x:t></x:is></x:c>'
        '<x:c r="B2" s="1"><x:v>1</x:v></x:c></x:row>'
    )
    path = _hand_written(tmp_path / "x.xlsx", rows, date1904=True)
    assert _streamed(path) == [(2, ["名", dt.date(1904, 1, 2)])]


def test_the_usual_form_reads_escapes_and_leaves_no_cell_out(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>&lt;{n}&gt; &amp;</t></is></c>'
        f'<c r="C{n}" s="0" t="n"><v>{n}.5</v></c><c r="D{n}"/></row>'
        for n in range(3, 400)
    )
    path = _hand_written(tmp_path / "usual.xlsx", rows)
    found = _streamed(path)
    assert len(found) == 397
    assert found[0] == (3, ["<3> &", None, 3.5])
    assert found == _both(path, "表")[0]
