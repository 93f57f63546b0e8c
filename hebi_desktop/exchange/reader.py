"""Reading a clerk's workbook with python-calamine (.xlsx, .xlsm, .xls, .xlsb, .ods), or a
CSV file as a one-sheet workbook (:mod:`hebi_desktop.exchange.csv_source`).

Rows come out numbered as Excel shows them, with every cell at its real column, so
messages can say 第12行 and mean the row the clerk sees. Merged cells in the record
area (a 行政村 merged over the households of one village) give their value to every
cell they cover, as the clerk reading the sheet understands them.

Reading is bounded (see :mod:`hebi_desktop.exchange.limits`): a compressed workbook is
checked before anything is decompressed, and a big .xlsx sheet (calamine holds a whole sheet
in memory) is streamed row by row from its XML instead (:mod:`.sheet_stream`).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import python_calamine
from python_calamine import CalamineWorkbook

from hebi_desktop.errors import UserError
from hebi_desktop.exchange.headers import HEADER_SCAN_ROWS, HeaderForm, HeaderMatcher
from hebi_desktop.exchange.limits import Limits, check_archive, estimated_size
from hebi_desktop.exchange.protected import readable
from hebi_desktop.exchange.sheet_stream import StreamedSheet

log = logging.getLogger(__name__)

Row = tuple[int, list[Any]]  # (1-based sheet row number, cells from column A)


def open_workbook(path: Path) -> CalamineWorkbook:
    """Open a workbook or explain in Chinese why it cannot be read."""
    if not path.exists():
        raise UserError(f"找不到文件：{path}")
    if path.is_dir():
        raise UserError(f"“{path}”是文件夹，请选择 Excel 工作簿文件")
    try:
        return CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise UserError(
            f"工作簿“{path.name}”设有打开密码，但不是本程序能解密的格式；"
            "请在 Excel 中取消密码后再导入"
        ) from None
    except PermissionError:
        raise UserError(
            f"无法读取“{path}”：没有权限，或文件正被其他程序独占打开；请关闭后重试"
        ) from None
    except (python_calamine.CalamineError, OSError, ValueError) as error:
        log.info("cannot read %s: %s", path, error)
        raise UserError(
            f"无法读取“{path.name}”：不是有效的 Excel 工作簿（支持 .xlsx、.xls、.xlsb、.ods），"
            "或文件已损坏"
        ) from None


class Sheet:
    """One worksheet's rows (calamine parses the whole sheet once, on first use)."""

    def __init__(
        self,
        name: str,
        workbook: CalamineWorkbook,
        limits: Limits | None = None,
        preloaded: Any = None,
    ) -> None:
        self.name = name
        self.workbook = workbook
        self.limits = limits or Limits()
        self._loaded: Any = None
        self._preloaded = preloaded  # parsed ahead on a thread (see exchange/preload.py)

    def _sheet(self) -> Any:
        if self._loaded is None:
            try:
                if self._preloaded is not None:
                    self._loaded, self._preloaded = self._preloaded, None
                else:
                    self._loaded = self.workbook.get_sheet_by_name(self.name)
            except (python_calamine.CalamineError, ValueError) as error:
                log.info("cannot read sheet %s: %s", self.name, error)
                raise UserError(f"无法读取工作表“{self.name}”：文件可能已损坏") from None
            self.limits.check_rows(int(self._loaded.height or 0), self.name)
        return self._loaded

    def rows(self, fill_merged_from: int | None = None) -> Iterator[Row]:
        """Every row from the first non-empty one, as ``(row number, cells)``.

        From row ``fill_merged_from`` on, merged cells are filled with their value.
        """
        sheet = self._sheet()
        _start_row, start_column = sheet.start or (0, 0)
        fills = _merged_fills(sheet, fill_merged_from) if fill_merged_from else {}
        carried: dict[tuple[int, int], Any] = {}
        leading = True
        # calamine yields rows from the top of the sheet but cells from the first used column.
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if leading:
                if all(c == "" for c in cells):
                    continue
                leading = False
            row = [None] * start_column + cells if start_column else cells
            if fills:
                _apply_fills(number, row, fills, carried)
            yield number, row

    def head(self, count: int = HEADER_SCAN_ROWS) -> list[Row]:
        return list(itertools.islice(self.rows(), count))

    @property
    def height(self) -> int:
        """Rows in the used area (an upper bound of the records, for progress)."""
        return int(self._sheet().height or 0)

    def release(self) -> None:
        """Free calamine's copy of the sheet (about 40 bytes a cell) once it has been read."""
        self._loaded = self._preloaded = None


def _merged_fills(sheet: Any, from_row: int) -> dict[int, list[tuple[int, tuple[int, int]]]]:
    """Row number → [(column, top-left cell)] for the merged cells to fill."""
    fills: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or ():
        if bottom + 1 < from_row:
            continue
        # first remember the top-left value (before any fill of that same row)
        fills.setdefault(top + 1, []).insert(0, (-1, (top + 1, left)))
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                if (row, column) != (top, left):
                    fills.setdefault(row + 1, []).append((column, (top + 1, left)))
    return fills


def _apply_fills(
    number: int,
    row: list[Any],
    fills: dict[int, list[tuple[int, tuple[int, int]]]],
    carried: dict[tuple[int, int], Any],
) -> None:
    for column, source in fills.get(number, ()):
        if column == -1:
            left = source[1]
            carried[source] = row[left] if left < len(row) else None
            continue
        value = carried.get(source)
        if value in (None, ""):
            continue
        if column >= len(row):
            row.extend([None] * (column + 1 - len(row)))
        if row[column] in (None, ""):
            row[column] = value


AnySheet = Sheet | StreamedSheet


class Source:
    """An opened workbook whose sheets come out as :class:`Sheet` or :class:`StreamedSheet`,
    whichever keeps memory bounded."""

    def __init__(
        self,
        path: Path,
        workbook: CalamineWorkbook,
        limits: Limits,
        preloaded: Mapping[str, Any] | None = None,
    ) -> None:
        self.path = path
        self.workbook = workbook
        self.limits = limits
        self.preloaded = dict(preloaded or {})  # sheet name → parsed ahead

    @property
    def sheet_names(self) -> list[str]:
        return list(self.workbook.sheet_names)

    def sheet(self, name: str) -> AnySheet:
        size = estimated_size(self.path, name)
        if size is not None and size[0] * size[1] > self.limits.stream_cells:
            return StreamedSheet(name, self.path, size[0], self.limits)
        return Sheet(name, self.workbook, self.limits, self.preloaded.get(name))


def open_source(
    path: Path, limits: Limits | None = None, preloaded: Mapping[str, Any] | None = None
) -> Source:
    """Open a workbook for import after checking it will not swell beyond ``limits``;
    ``preloaded`` holds sheets already parsed from the same file (exchange/preload.py)."""
    limits = limits or Limits()
    if path.suffix.lower() == ".csv" and path.is_file():
        from hebi_desktop.exchange.csv_source import CsvSource

        return CsvSource(path, limits)  # one sheet, read as text (exchange/csv_source.py)
    if path.is_file():
        path = readable(path)  # a password-protected workbook: its decrypted private copy
    check_archive(path, limits)  # before calamine decompresses anything (shared strings)
    return Source(path, open_workbook(path), limits, preloaded)


def choose_sheet(source: Source, ledger: HeaderForm, name: str | None) -> AnySheet:
    """The sheet to import: the one asked for; else, among the sheets named like the ledger
    (or all sheets if none is), the one whose headers match the ledger best."""
    names = source.sheet_names
    if not names:
        raise UserError("工作簿中没有工作表")
    if name is not None:
        if name not in names:
            raise UserError(f"工作簿中没有名为“{name}”的工作表（现有：{'、'.join(names)}）")
        return source.sheet(name)
    named = [n for n in names if ledger.title in n or ledger.nav_title in n]
    pool = named or names
    if len(pool) == 1:
        return source.sheet(pool[0])
    matcher = HeaderMatcher(ledger)
    best: AnySheet = source.sheet(pool[0])
    best_score = -1
    for candidate in pool:
        sheet = source.sheet(candidate)  # keeps its parsed rows for the import
        try:
            score = max((matcher.score(cells) for _n, cells in sheet.head()), default=0)
        except UserError:
            continue
        if score > best_score:
            best, best_score = sheet, score
    return best
