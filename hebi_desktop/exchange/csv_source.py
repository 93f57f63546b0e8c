"""Reading a CSV file as a one-sheet workbook, so it is imported like any workbook.

Clerks receive CSV exports from other systems (the 防返贫 system, a bank's payment list).
The text may be UTF-8 (with or without the BOM Excel writes) or GBK/GB18030 (what Excel
and WPS on a Chinese Windows save as "CSV"); the encoding is detected by decoding the whole
file, strictly, as UTF-8 first and GB18030 (a superset of GBK) second. The delimiter is
the one the first lines hold (comma, semicolon or tab). Rows are streamed, so a big file
never sits in memory, and numbered by record as Excel shows the file when it opens it.
Everything after reading (header matching, checks, the all-or-nothing write) is the
importer's, exactly as for a workbook.
"""

from __future__ import annotations

import codecs
import csv
import logging
from collections.abc import Iterator
from pathlib import Path

from hebi_desktop.errors import UserError
from hebi_desktop.exchange.limits import Limits
from hebi_desktop.exchange.reader import Row, Source, StreamedSheet

log = logging.getLogger(__name__)

CSV_SUFFIX = ".csv"
ENCODINGS = ("utf-8-sig", "gb18030")
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "gb18030": "GBK/GB18030"}
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t"


def is_csv(path: Path) -> bool:
    return path.suffix.lower() == CSV_SUFFIX


def detect_encoding(path: Path) -> str:
    """The first of :data:`ENCODINGS` that decodes the whole file; a Chinese error if none."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UserError(
        f"无法识别“{path.name}”的文字编码（支持 UTF-8 和 GBK/GB18030）；"
        "请在 Excel 或 WPS 中打开后另存为“CSV UTF-8”或 Excel 工作簿再导入"
    )


def guess_delimiter(sample: str, lines: int = 30) -> str:
    """The delimiter of :data:`DELIMITERS` most lines of ``sample`` contain (most often, on a
    tie); a comma when none does. csv.Sniffer gives up on a title line above the headers."""
    head = [line for line in sample.splitlines()[:lines] if line.strip()]

    def score(delimiter: str) -> tuple[int, int]:
        return (
            sum(1 for line in head if delimiter in line),
            sum(line.count(delimiter) for line in head),
        )

    best = max(DELIMITERS, key=score)
    return best if score(best)[0] else ","


class CsvSheet(StreamedSheet):
    """The file's rows, read as text (every cell a string, as the file holds it)."""

    def __init__(self, path: Path, limits: Limits) -> None:
        super().__init__(path.stem or "CSV", path, 0, limits)
        self.encoding = detect_encoding(path)
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
        sample = head.decode(self.encoding, errors="ignore")  # may end inside a character
        self.delimiter = guess_delimiter(sample)
        # For progress only: the lines of the sample, scaled to the file's size.
        self._height = max(1, head.count(b"\n") * path.stat().st_size // max(len(head), 1))
        log.info("reading %s as CSV (%s)", path.name, self.encoding)

    def rows(self, fill_merged_from: int | None = None) -> Iterator[Row]:
        """Every row, read here: decoding a CSV is cheap beside an XML sheet."""
        return self.rows_here(fill_merged_from)

    def rows_here(self, fill_merged_from: int | None = None) -> Iterator[Row]:
        try:
            with self.path.open("r", encoding=self.encoding, newline="") as handle:
                leading = True
                records = csv.reader(handle, delimiter=self.delimiter)
                for number, values in enumerate(records, start=1):
                    if number > self.limits.max_rows:
                        self.limits.check_rows(number, self.name)
                    if leading:
                        if all(not v.strip() for v in values):
                            continue
                        leading = False
                    yield number, list(values)
        except csv.Error as error:
            raise UserError(f"“{self.path.name}”不是有效的 CSV 文件（{error}）") from None
        except OSError as error:
            raise UserError(f"无法读取“{self.path}”：{error.strerror or error}") from None


class CsvSource(Source):
    """A CSV file as a workbook with one sheet."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self._sheet = CsvSheet(path, limits)

    @property
    def sheet_names(self) -> list[str]:
        return [self._sheet.name]

    def sheet(self, name: str) -> CsvSheet:
        return self._sheet
