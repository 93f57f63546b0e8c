"""Huge workbooks written straight as sheet XML (openpyxl would take minutes for them)."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = b"</sheetData></worksheet>"


def _cell(value: Any) -> str:
    if value is None:
        return "<c/>"
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>"
    return f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def row_xml(values: list[Any]) -> bytes:
    return ("<row>" + "".join(_cell(v) for v in values) + "</row>").encode()


def _write_parts(archive: zipfile.ZipFile, sheet: str) -> None:
    archive.writestr("[Content_Types].xml", _TYPES)
    archive.writestr("_rels/.rels", _RELS)
    archive.writestr("xl/workbook.xml", _WORKBOOK.format(name=escape(sheet)))
    archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)


def write_big_sheet(
    path: Path, sheet: str, header: list[str], row: Callable[[int], list[Any]], rows: int
) -> Path:
    """An .xlsx with ``header`` then ``rows`` rows made by ``row(i)``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        _write_parts(archive, sheet)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            stream.write(_SHEET_START + row_xml(list(header)))
            chunk: list[bytes] = []
            for index in range(rows):
                chunk.append(row_xml(row(index)))
                if len(chunk) == 10_000:
                    stream.write(b"".join(chunk))
                    chunk = []
            stream.write(b"".join(chunk) + _SHEET_END)
    return path


def write_zip_bomb(
    path: Path, sheet: str, header: list[str], inflated: int, level: int = zlib.Z_BEST_SPEED
) -> Path:
    """A small .xlsx whose sheet XML inflates to about ``inflated`` bytes of empty-ish rows."""
    filler = row_xml(["x"]) * 20_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_parts(archive, sheet)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = level  # type: ignore[attr-defined]
        with archive.open(info, "w", force_zip64=True) as stream:
            stream.write(_SHEET_START + row_xml(list(header)))
            written = 0
            while written < inflated:
                stream.write(filler)
                written += len(filler)
            stream.write(_SHEET_END)
    return path
