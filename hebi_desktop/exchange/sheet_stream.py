"""A big .xlsx/.xlsm worksheet read straight from its XML, row by row, in flat memory.

calamine holds a whole sheet (about 40 bytes a cell) and openpyxl's read-only mode makes an
object of every cell (a 300,000-row sheet took eleven times as long as 100,000). Here the
sheet's XML is decompressed in blocks and cut at row ends; the cells of a row written the way
every spreadsheet program writes them (``<c r="B7" s="3" t="s"><v>12</v></c>``) are picked
out by one regular expression, and any row that does not fit that form exactly (rich text,
prefixed tags, cells without a reference) is read by the XML parser instead, so nothing is
guessed. Shared strings, date styles and the 1904 date system are read from their parts
first; only the shared strings stay in memory, as every reader must keep them.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from hebi_desktop.errors import UserError
from hebi_desktop.exchange import sheet_process
from hebi_desktop.exchange.headers import HEADER_SCAN_ROWS
from hebi_desktop.exchange.limits import Limits, sheet_part

log = logging.getLogger(__name__)

Row = tuple[int, list[Any]]  # (1-based sheet row number, cells from column A)

BLOCK = 1 << 20  # decompressed bytes read at a time
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_ROW_END = re.compile(rb"</(?:\w+:)?row>|<(?:\w+:)?row\b[^>]*/>")
# The usual form of a cell: reference first, then style and type, value or inline string.
_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?'
    rb"(?:/>|><v>([^<]*)</v></c>|><is><t>([^<]*)</t></is></c>|>(.*?)</c>)",
    re.S,
)
_TEXT = re.compile(rb"<t(?: [^>]*)?>(.*?)</t>|<t(?: [^>]*)?/>", re.S)


class StreamedSheet:
    """One worksheet of an .xlsx/.xlsm read row by row: memory stays flat however many rows
    it has. Merged cells are not filled (their list comes after the rows); a huge sheet is a
    machine's export, not a hand-merged table."""

    def __init__(self, name: str, path: Path, estimate: int, limits: Limits) -> None:
        self.name = name
        self.path = path
        self.limits = limits
        self._height = estimate

    def rows(self, fill_merged_from: int | None = None) -> Iterator[Row]:
        """Every row; a big sheet is read by a helper process (see :mod:`sheet_process`)
        while the caller works on the rows already read."""
        if sheet_process.wanted(self._height):
            elsewhere = sheet_process.rows_elsewhere(
                self.path, self.name, self._height, self.limits, fill_merged_from
            )
            if elsewhere is not None:
                return elsewhere
        return self.rows_here(fill_merged_from)

    def rows_here(self, fill_merged_from: int | None = None) -> Iterator[Row]:
        """Every row, read in this process."""
        try:
            archive = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as error:
            log.info("cannot stream %s: %s", self.path, error)
            raise UserError(f"无法读取工作表“{self.name}”：文件可能已损坏") from None
        with archive:
            try:
                part = sheet_part(archive, self.name)
                if part is None:
                    raise KeyError(self.name)
                cells = _CellReader(archive)
                with archive.open(part) as stream:
                    yield from self._rows(stream, cells)
            except (
                KeyError,
                IndexError,  # a shared string that is not there
                ValueError,  # a number that is not one
                zipfile.BadZipFile,
                zlib.error,
                ElementTree.ParseError,
                EOFError,
            ) as error:
                log.info("cannot stream %s/%s: %s", self.path, self.name, error)
                raise UserError(f"无法读取工作表“{self.name}”：文件可能已损坏") from None

    def _rows(self, stream: IO[bytes], cells: _CellReader) -> Iterator[Row]:
        number = 0
        pending = b""
        while True:
            block = stream.read(BLOCK)
            data = pending + block
            cut = _last_row_end(data) if block else len(data)
            pending = data[cut:]
            found = _CELL.findall(data, 0, cut)
            if found and len(found) == data.count(b"<c", 0, cut):
                rows = cells.usual_rows(found)  # every cell of the block in the usual form
            else:
                rows = self._each_row(data, cut, number, cells)
            for number, row in rows:
                if number > self.limits.max_rows:
                    self.limits.check_rows(number, self.name)
                yield number, row
            if not block:
                return

    @staticmethod
    def _each_row(data: bytes, cut: int, number: int, cells: _CellReader) -> Iterator[Row]:
        """The rows of a block one by one (rows without numbers count on from ``number``)."""
        for match in _ROW.finditer(data, 0, cut):
            attributes, content = match.groups()
            found = _ROW_NUMBER.search(attributes)
            number = int(found.group(1)) if found else number + 1
            row = cells.row(content) if content else None
            if row:
                yield number, row

    def head(self, count: int = HEADER_SCAN_ROWS) -> list[Row]:
        return list(itertools.islice(self.rows_here(), count))

    @property
    def height(self) -> int:
        """An estimate of the rows (for progress only)."""
        return self._height

    def release(self) -> None:
        """Nothing is held between rows."""


def _last_row_end(data: bytes) -> int:
    """Where the last complete row of ``data`` ends (0 when none has ended yet)."""
    end = data.rfind(b"row>")
    while end >= 0:
        start = data.rfind(b"<", 0, end)
        if start >= 0 and data[start + 1 : start + 2] == b"/":
            return end + 4
        end = data.rfind(b"row>", 0, end)
    # A row that closes itself (<row r="5"/>) only: cut after the last one.
    last = 0
    for match in _ROW_END.finditer(data):
        last = match.end()
    return last


class _CellReader:
    """Turns one row's XML into its cell values, as calamine would give them."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.shared = _shared_strings(archive)
        self.dates = _date_styles(archive)
        self.date_styles = frozenset(str(index).encode() for index in self.dates)
        self.epoch = CALENDAR_MAC_1904 if _uses_1904(archive) else CALENDAR_WINDOWS_1900
        self.columns: dict[bytes, int] = {}
        self._dates: dict[bytes, Any] = {}

    def usual_rows(self, found: list[tuple[bytes, ...]]) -> Iterator[Row]:
        """Rows from the matches of :data:`_CELL` (cells in sheet order, rows numbered)."""
        columns = self.columns
        shared = self.shared
        dates = self.date_styles
        current = b""
        row: list[Any] = []
        for letters, digits, style, kind, number, text, other in found:
            if digits != current:
                if row:
                    yield int(current), row
                    row = []
                current = digits
            if text:  # the commonest cell: an inline string
                value: Any = text.decode() if b"&" not in text else _unescaped(text)
            elif number:
                if not kind or kind == b"n":
                    value = self._date(number) if style in dates else float(number)
                elif kind == b"s":
                    value = shared[int(number)]
                else:
                    value = self._value(kind, style, b"<v>" + number + b"</v>")
                    if value is None or value == "":
                        continue
            elif other:
                value = self._value(kind, style, other)
                if value is None or value == "":
                    continue
            else:
                continue
            column = columns.get(letters)
            if column is None:
                column = columns[letters] = _column_index(letters)
            filled = len(row)
            if column == filled:  # cells come left to right
                row.append(value)
            elif column > filled:
                row.extend([None] * (column - filled))
                row.append(value)
            else:
                row[column] = value
        if row:
            yield int(current), row

    def row(self, content: bytes) -> list[Any]:
        """One row's cells from its XML (inside ``<row>``), whatever its form."""
        found = _CELL.findall(content)
        if not found or len(found) != content.count(b"<c"):
            return self._parsed_row(content)  # not the usual form: let the XML parser read it
        rows = list(self.usual_rows(found))
        return rows[0][1] if rows else []

    def _date(self, number: bytes) -> Any:
        """A date cell's value as calamine gives it (a date, or a datetime with a time)."""
        value = self._dates.get(number)
        if value is None:
            moment = from_excel(float(number), self.epoch)
            if isinstance(moment, dt.datetime) and moment.time() == dt.time():
                moment = moment.date()
            value = moment
            if len(self._dates) < 100_000:
                self._dates[number] = value
        return value

    def _value(self, kind: bytes, style: bytes, inner: bytes) -> Any:
        if kind == b"inlineStr":
            return _inline_text(inner)
        start = inner.find(b"<v>")
        if start < 0:
            return None
        raw = inner[start + 3 : inner.find(b"</v>", start)]
        if kind == b"s":
            return self.shared[int(raw)]
        if kind in (b"", b"n"):
            if not raw:
                return None
            if style and int(style) in self.dates:
                return self._date(raw)
            return float(raw)
        text = _unescaped(raw)
        if kind == b"b":
            return text == "1"
        if kind == b"d":
            return dt.datetime.fromisoformat(text)
        return text  # "str" (a formula's text) or "e" (an error such as #N/A)

    def _parsed_row(self, content: bytes) -> list[Any]:
        """The slow, general way: the row through the XML parser."""
        element = ElementTree.fromstring(
            b'<row xmlns="' + _MAIN_NS.encode() + b'">' + _unprefixed(content) + b"</row>"
        )
        row: list[Any] = []
        column = -1
        for cell in element.iter(f"{{{_MAIN_NS}}}c"):
            reference = cell.get("r")
            if reference:
                letters = reference.rstrip("0123456789").encode("ascii")
                column = _column_index(letters)
            else:
                column += 1
            value = self._element_value(cell)
            if value is None or value == "":
                continue
            if column >= len(row):
                row.extend([None] * (column + 1 - len(row)))
            row[column] = value
        return row

    def _element_value(self, cell: ElementTree.Element) -> Any:
        kind = (cell.get("t") or "").encode()
        if kind == b"inlineStr":
            inline = cell.find(f"{{{_MAIN_NS}}}is")
            return _element_text(inline) if inline is not None else None
        value = cell.find(f"{{{_MAIN_NS}}}v")
        if value is None or value.text is None:
            return None
        inner = b"<v>" + html.escape(value.text, quote=False).encode() + b"</v>"
        return self._value(kind, (cell.get("s") or "").encode(), inner)


def _unprefixed(content: bytes) -> bytes:
    """Tags without their namespace prefix (x:c → c), for parsing a row on its own."""
    return re.sub(rb"<(/?)\w+:", rb"<\1", content)


def _column_index(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number - 1


def _unescaped(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


def _inline_text(inner: bytes) -> str | None:
    if inner.startswith(b"<is><t>") and inner.endswith(b"</t></is>") and inner.count(b"<") == 4:
        return _unescaped(inner[7:-9])
    # Rich text runs (<r><t>..</t></r>), xml:space, phonetic runs (<rPh>, not shown).
    inner = re.sub(rb"<rPh\b.*?</rPh>", b"", inner, flags=re.S)
    parts = [_unescaped(match.group(1) or b"") for match in _TEXT.finditer(inner)]
    return "".join(parts) if parts else None


def _element_text(element: ElementTree.Element) -> str:
    """The text of a string item (<si> or <is>): its own <t> or its runs' <t>, no <rPh>."""
    parts: list[str] = []
    for child in element:
        tag = child.tag.rpartition("}")[2]
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if t.tag.rpartition("}")[2] == "t")
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    """The workbook's shared strings, read incrementally (the part may be large)."""
    name = _part_named(archive, "xl/sharedStrings.xml")
    if name is None:
        return []
    strings: list[str] = []
    with archive.open(name) as stream:
        for _event, element in ElementTree.iterparse(stream, events=("end",)):
            if element.tag.rpartition("}")[2] == "si":
                strings.append(_element_text(element))
                element.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """The indexes of the cell styles whose number format shows a date or time."""
    name = _part_named(archive, "xl/styles.xml")
    if name is None:
        return frozenset()
    root = ElementTree.fromstring(archive.read(name))
    formats: dict[int, str] = {int(k): v for k, v in BUILTIN_FORMATS.items()}
    for element in root.iter(f"{{{_MAIN_NS}}}numFmt"):
        formats[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
    dates: set[int] = set()
    cell_formats = root.find(f"{{{_MAIN_NS}}}cellXfs")
    for index, xf in enumerate(cell_formats if cell_formats is not None else ()):
        code = formats.get(int(xf.get("numFmtId", "0")), "")
        if code and is_date_format(code):
            dates.add(index)
    return frozenset(dates)


def _uses_1904(archive: zipfile.ZipFile) -> bool:
    try:
        root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, ElementTree.ParseError):
        return False
    properties = root.find(f"{{{_MAIN_NS}}}workbookPr")
    return properties is not None and properties.get("date1904") in ("1", "true")


def _part_named(archive: zipfile.ZipFile, name: str) -> str | None:
    """The archive member called ``name``, whatever the case of its letters."""
    lowered = name.lower()
    return next((n for n in archive.namelist() if n.lower() == lowered), None)
