"""Finding the header row of a clerk's sheet and matching its headers to ledger fields.

Hand-made sheets put a title and a 填报 row above the headers, break long headers over
two lines, write 身份证号码 or 公民身份号码 for 身份证号, use full-width brackets
and colons, and sometimes split the header over two rows under a merged group title
(房屋情况 over 房屋结构, 建成年份, 层数). Matching is done on a normalised form of the
header: NFKC (full-width to half-width), no whitespace at all, no trailing colon, no
required-field markers; then, failing that, without a trailing unit in brackets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from hebi_desktop.domain.fields import Field, Kind
from hebi_desktop.errors import UserError

HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 2
SERIAL_HEADERS = frozenset({"序号", "序", "编号", "no", "no.", "行号"})
WAN = Decimal(10000)

_NOISE = re.compile(r"[\s*＊★※]+")
_UNIT_SUFFIX = re.compile(r"\([^()]*\)$")


def normalize_header(text: Any) -> str:
    """The comparable form of a header: 建筑面积\\n（㎡）： → 建筑面积(m2)."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    normalized = unicodedata.normalize("NFKC", str(text))
    normalized = _NOISE.sub("", normalized).rstrip(":")
    return normalized.lower()


def without_unit(normalized: str) -> str:
    """补助金额(元) → 补助金额: the header without a trailing bracketed unit."""
    return _UNIT_SUFFIX.sub("", normalized)


@dataclass(frozen=True)
class ColumnMatch:
    """One sheet column that feeds a ledger field."""

    index: int  # 0-based column index in the sheet
    header: str  # as written in the sheet
    field: Field
    scale: Decimal | None = None  # 10000 when the sheet gives money in 万元


@dataclass
class HeaderLayout:
    """Where the headers are and which columns mean what."""

    header_rows: tuple[int, ...]  # 1-based sheet rows holding the headers
    data_start: int  # 1-based sheet row of the first record
    columns: list[ColumnMatch]
    ignored: list[str] = field(default_factory=list)  # unknown headers, as written
    width: int = 0  # columns up to the last filled header cell

    def header_of(self, field_name: str) -> str | None:
        for column in self.columns:
            if column.field.name == field_name:
                return column.header
        return None


class HeaderForm(Protocol):
    """What header matching needs of a sheet's declaration: a ledger, or a roster's columns."""

    @property
    def title(self) -> str: ...

    @property
    def nav_title(self) -> str: ...

    @property
    def fields(self) -> tuple[Field, ...]: ...

    @property
    def stored_fields(self) -> tuple[Field, ...]: ...


_SKIP = object()  # 序号 and derived columns: known, deliberately not imported


class HeaderMatcher:
    """Matches header cells of one ledger.

    Four levels, tried in order: a field's own header, an alias, then both again without a
    trailing unit in brackets. A spelling that names two fields at the same level is
    ambiguous and matches neither.
    """

    def __init__(self, ledger: HeaderForm) -> None:
        self.ledger = ledger
        levels: list[dict[str, Any]] = [{}, {}, {}, {}]
        ambiguous: list[set[str]] = [set(), set(), set(), set()]

        def put(level: int, key: str, target: Any) -> None:
            known = levels[level].get(key)
            if known is not None and known is not target:
                ambiguous[level].add(key)
            levels[level][key] = target

        for f in ledger.fields:
            target = _SKIP if f.derived else f
            own = normalize_header(f.header)
            put(0, own, target)
            put(2, without_unit(own), target)
            for alias in f.aliases:
                key = normalize_header(alias)
                put(1, key, target)
                put(3, without_unit(key), target)
        for level, keys in zip(levels, ambiguous, strict=True):
            for key in keys:
                del level[key]
        for key in SERIAL_HEADERS:
            levels[0].setdefault(key, _SKIP)
        self._exact = (levels[0], levels[1])
        self._loose = (levels[2], levels[3])

    def match(self, text: Any) -> Field | object | None:
        """The field a header names, ``_SKIP`` for 序号/derived columns, None if unknown."""
        key = normalize_header(text)
        if not key:
            return None
        for level in self._exact:
            if key in level:
                return level[key]
        loose = without_unit(key)
        for level in self._loose:
            if loose in level:
                return level[loose]
        return None

    def field_of(self, text: Any) -> Field | None:
        found = self.match(text)
        return found if isinstance(found, Field) else None

    def score(self, cells: Sequence[Any]) -> int:
        """How many distinct fields a row's cells name."""
        return len({f.name for f in (self.field_of(c) for c in cells) if f is not None})


def _scale(header: str, f: Field) -> Decimal | None:
    return WAN if f.kind is Kind.MONEY and "万元" in normalize_header(header) else None


def find_header(
    rows: Sequence[tuple[int, Sequence[Any]]], ledger: HeaderForm, sheet_name: str
) -> HeaderLayout:
    """Locate the header row among the first rows (``(row number, cells)``) and map it."""
    matcher = HeaderMatcher(ledger)
    scanned = list(rows[:HEADER_SCAN_ROWS])
    best_index, best_score = -1, 0
    for index, (_number, cells) in enumerate(scanned):
        score = matcher.score(cells)
        if score > best_score:
            best_index, best_score = index, score
    if best_score < MIN_HEADER_MATCHES:
        examples = "、".join(f.header for f in ledger.stored_fields if f.required)
        raise UserError(
            f"工作表“{sheet_name}”前{HEADER_SCAN_ROWS}行中找不到{ledger.title}的表头"
            f"（应有{examples}等列）；请确认选择了正确的台账和工作表"
        )

    number, cells = scanned[best_index]
    header_rows = [number]
    chosen: dict[int, tuple[str, Any]] = {}  # column → (header text, Field or _SKIP)
    for column, text in enumerate(cells):
        found = matcher.match(text)
        if found is not None:
            chosen[column] = (str(text), found)
    data_start = number + 1
    # A header split over two rows under merged group titles: take the sub-headers too.
    for offset in (-1, 1):
        neighbour = best_index + offset
        if not 0 <= neighbour < len(scanned) or scanned[neighbour][0] != number + offset:
            continue
        if not all(isinstance(c, str) for c in scanned[neighbour][1] if c not in ("", None)):
            continue  # numbers or dates: a record, not a second header row
        taken = {f.name for _t, f in chosen.values() if isinstance(f, Field)}
        added = False
        for column, text in enumerate(scanned[neighbour][1]):
            found = matcher.match(text)
            if column in chosen or found is None:
                continue
            if isinstance(found, Field) and found.name in taken:
                continue
            chosen[column] = (str(text), found)
            added = True
        if added:
            header_rows.append(number + offset)
            if offset == 1:
                data_start = number + 2

    columns: list[ColumnMatch] = []
    used: set[str] = set()
    ignored: list[str] = []
    for column in sorted(chosen):
        text, found = chosen[column]
        if not isinstance(found, Field):
            continue
        if found.name in used:  # the same field twice (姓名 and 户主姓名): keep the first
            ignored.append(_clean_label(text))
            continue
        used.add(found.name)
        columns.append(ColumnMatch(column, _clean_label(text), found, _scale(text, found)))
    for column, text in enumerate(cells):
        # a group title whose sub-headers were matched in the next row is not "unknown"
        if column not in chosen and normalize_header(text):
            ignored.append(_clean_label(text))

    missing = [
        f.header
        for f in ledger.stored_fields
        if f.required and f.applies_when is None and f.name not in used
    ]
    if missing:
        raise UserError(
            f"工作表“{sheet_name}”缺少必需的列：{'、'.join(missing)}"
            f"（表头在第{number}行）；请补上这些列后再导入"
        )
    width = 0
    for row_number, row_cells in scanned:
        if row_number in header_rows:
            filled = [i + 1 for i, v in enumerate(row_cells) if normalize_header(v)]
            width = max(width, *filled, 0)
    return HeaderLayout(tuple(sorted(header_rows)), data_start, columns, ignored, width)


def _clean_label(text: str) -> str:
    """A header as the clerk wrote it, on one line (for messages)."""
    return " ".join(str(text).split())
