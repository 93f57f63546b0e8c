"""How much of a workbook the importer agrees to read, checked before reading it.

A 10 MB .xlsx can hold gigabytes of sheet XML (a "zip bomb"), and calamine keeps a whole
sheet in memory (about 40 bytes a cell even when the cell is empty). So before anything is
decompressed the archive's own table of contents is checked (the sizes it declares, and
how much each part claims to grow), and the size of a sheet is estimated from its first
bytes to choose between calamine (whole sheet in memory, fills merged cells) and the
streaming reader of :mod:`.sheet_stream` (row by row, as fast per row at any length). Rows
are counted as they come and stop at ``max_rows``.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from hebi_desktop.errors import UserError

MAX_ROWS = 1_048_576  # what one Excel sheet can hold
MAX_UNCOMPRESSED = 1_500_000_000  # bytes of all parts together, decompressed
MAX_RATIO = 250  # a part may grow this many times when decompressed...
RATIO_FROM = 50_000_000  # ...once it is bigger than this
STREAM_CELLS = 1_000_000  # bigger .xlsx sheets are streamed (calamine: ~40 bytes a cell)
SAMPLE_BYTES = 256 * 1024  # decompressed bytes read to estimate a sheet's size

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+(\d+)(?::([A-Z]+)(\d+))?"')
_ROW = re.compile(rb"<(?:\w+:)?row[ >]")
_CELL = re.compile(rb"<(?:\w+:)?c[ >/]")


@dataclass(frozen=True)
class Limits:
    """The bounds of one import; the defaults suit any workbook Excel itself can save."""

    max_rows: int = MAX_ROWS
    max_uncompressed: int = MAX_UNCOMPRESSED
    max_ratio: float = MAX_RATIO
    stream_cells: int = STREAM_CELLS

    def check_rows(self, rows: int, sheet: str) -> None:
        if rows > self.max_rows:
            raise UserError(
                f"工作表“{sheet}”超过 {self.max_rows:,} 行，超出一次导入的上限；"
                "请把记录分到几个工作簿中分批导入"
            )


def check_archive(path: Path, limits: Limits) -> None:
    """Refuse a zip-based workbook (.xlsx, .xlsm, .xlsb, .ods) that would decompress to
    more than the limits allow, reading only its table of contents."""
    if not zipfile.is_zipfile(path):
        return  # .xls (or not a workbook at all: calamine says so)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # calamine gives the Chinese message for a damaged file
    total = sum(part.file_size for part in parts)
    swollen = any(
        part.file_size > RATIO_FROM and part.file_size > limits.max_ratio * part.compress_size
        for part in parts
    )
    advice = "（可能是损坏或恶意构造的文件）；未读取。请在 Excel 中打开检查，另存为新文件或分批导入"
    if total > limits.max_uncompressed:
        raise UserError(
            f"工作簿“{path.name}”解压后约 {total / 1e9:.1f} GB，远超正常台账的大小{advice}"
        )
    if swollen:
        raise UserError(f"工作簿“{path.name}”的压缩比异常，解压后会膨胀数百倍{advice}")


def sheet_part(archive: zipfile.ZipFile, name: str) -> str | None:
    """The archive path of the worksheet called ``name`` in an .xlsx/.xlsm (None if unknown)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in relations.iter(f"{_PKG_REL}Relationship")}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        if sheet.get("name") == name:
            target = targets.get(sheet.get(f"{_REL}id"), "")
            if not target:
                return None
            if target.startswith("/"):
                return target.lstrip("/")
            return str(PurePosixPath("xl") / target)
    return None


def estimated_size(path: Path, name: str) -> tuple[int, int] | None:
    """(rows, columns) of sheet ``name``'s used area — calamine holds rows × columns cells —
    from the sheet's ``<dimension>`` when it has one, else from its first rows and its
    decompressed size. None when the file is not an .xlsx/.xlsm or has no such sheet."""
    if not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            part = sheet_part(archive, name)
            if part is None:
                return None
            size = archive.getinfo(part).file_size
            with archive.open(part) as stream:
                sample = stream.read(SAMPLE_BYTES)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return None
    return _estimate(sample, size)


def _estimate(sample: bytes, size: int) -> tuple[int, int]:
    dimension = _DIMENSION.search(sample)
    if dimension is not None and dimension.group(2):
        rows = int(dimension.group(3))
        return rows, _column_number(dimension.group(2).decode("ascii"))
    sampled = _ROW.split(sample)[1:]
    if not sampled:
        return size // 16, 1  # no row in the first bytes: assume the densest cells
    width = max(len(_CELL.findall(row)) for row in sampled)
    bytes_per_row = max(len(sample) // len(sampled), 1)
    return max(size // bytes_per_row, len(sampled)), max(width, 1)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
