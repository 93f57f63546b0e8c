"""Reading a CSV file as if it were a one-sheet workbook.

Rosters often come as CSV exported from the bureaus' systems, in UTF-8 (with or without
a byte-order mark) or in GB18030 (what Excel on a Chinese Windows saves). The rows come
out like a :class:`~hebi_desktop.exchange.reader.Sheet`'s: numbered from 1, cells as text,
so header matching and row checks are shared with workbooks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hebi_desktop.exchange.headers import HEADER_SCAN_ROWS
from hebi_desktop.exchange.limits import Limits
from hebi_desktop.services.errors import UserError

CSV_SUFFIXES = frozenset({".csv", ".txt"})
ENCODINGS = ("utf-8-sig", "gb18030")

Row = tuple[int, list[Any]]


def is_csv(path: Path) -> bool:
    return path.suffix.lower() in CSV_SUFFIXES


def _decoded(path: Path) -> str:
    if not path.exists():
        raise UserError(f"找不到文件：{path}")
    if path.is_dir():
        raise UserError(f"“{path}”是文件夹，请选择 CSV 或 Excel 文件")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UserError(f"无法读取“{path.name}”（{error.strerror or error}）") from None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(f"无法读取“{path.name}”：不是 UTF-8 或 GBK 编码的 CSV 文件")


class CsvSheet:
    """The rows of one CSV file, behind the same interface as a workbook's sheet."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.path = path
        self.name = path.stem
        self.limits = limits or Limits()
        self._text: str | None = None

    def _content(self) -> str:
        if self._text is None:
            self._text = _decoded(self.path)
        return self._text

    def rows(self, fill_merged_from: int | None = None) -> Iterator[Row]:
        """Every row from the first non-empty one; CSV has no merged cells to fill."""
        text = self._content()
        sample = text[:4096]
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        leading = True
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if number > self.limits.max_rows:
                self.limits.check_rows(number, self.name)
            if leading:
                if all(not c.strip() for c in cells):
                    continue
                leading = False
            yield number, list(cells)

    def head(self, count: int = HEADER_SCAN_ROWS) -> list[Row]:
        found: list[Row] = []
        for row in self.rows():
            found.append(row)
            if len(found) >= count:
                break
        return found

    @property
    def height(self) -> int:
        return self._content().count("\n") + 1

    def release(self) -> None:
        self._text = None
