"""The desk's own scope: what an export, a print or a submission holds unless the clerk
chooses otherwise.

A township desk sends its township, a county desk its county. Leaving that scope is an
explicit choice (another place in the form, ``--all-places`` on the command line), and
then the file name, the title line and the stamp name the real scope — never the desk's
township over records of the whole city. The words here describe a scope for the clerk
("北阳镇 · 全部行政村 · 2026年11月") in the print preview and the export form.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.settings import COUNTY, SCOPE, SCOPE_COUNTY, TOWNSHIP

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hebi_desktop.services.book import Book

WHOLE_CITY = "鹤壁市"  # every record the database holds: all of Hebi's counties
SEPARATOR = " · "


@dataclass(frozen=True)
class DeskScope:
    """The desk's place: a township (township desk) or a county (county desk)."""

    county_code: str | None = None
    township_code: str | None = None

    @property
    def is_set(self) -> bool:
        return bool(self.county_code or self.township_code)

    @property
    def name(self) -> str:
        return place_label(self.county_code, self.township_code)

    def query(self, query: RecordQuery | None = None) -> RecordQuery:
        """``query`` narrowed to the desk's place (its other filters kept)."""
        return dataclasses.replace(
            query or RecordQuery(),
            county_code=None if self.township_code else self.county_code,
            township_code=self.township_code,
        )

    def holds(self, query: RecordQuery) -> bool:
        """Whether every record ``query`` can match lies inside the desk's scope."""
        if not self.is_set:
            return True
        if self.township_code:
            return query.township_code == self.township_code
        if query.township_code:
            return divisions().by_code[query.township_code].parent_code == self.county_code
        return query.county_code == self.county_code


def scope_of(values: Mapping[str, str]) -> DeskScope:
    """The scope from the settings' values (see :func:`desk_scope`)."""
    county = values.get(COUNTY) or None
    township = values.get(TOWNSHIP) or None
    if values.get(SCOPE) == SCOPE_COUNTY:
        return DeskScope(county_code=county)
    if township and not county:
        known = divisions().by_code.get(township)
        county = known.parent_code if known else None
    return DeskScope(county_code=county, township_code=township)


def desk_scope(book: Book) -> DeskScope:
    """The desk's own scope from its settings (nothing when the desk is not set up)."""
    return scope_of(book.settings.all())


def with_default_place(book: Book, query: RecordQuery, *, all_places: bool = False) -> RecordQuery:
    """The command line's rule: no place given and no ``--all-places`` means the desk's."""
    if all_places or query.county_code or query.township_code:
        return query
    return desk_scope(book).query(query)


def place_label(county_code: str | None, township_code: str | None) -> str:
    """Whose records: the township, else the county, else the whole city."""
    table = divisions()
    return table.name(township_code) or table.name(county_code) or WHOLE_CITY


def query_place(query: RecordQuery) -> str:
    return place_label(query.county_code, query.township_code)


def dates_words(date_from: dt.date | None, date_to: dt.date | None) -> str:
    """2026年11月 for a whole month, 2026年 for a whole year, else 起…至…, 全部日期."""
    if date_from is None and date_to is None:
        return "全部日期"
    if date_from and date_to and date_from.day == 1 and date_from.year == date_to.year:
        last = calendar.monthrange(date_to.year, date_to.month)[1]
        if date_to.day == last:
            if date_from.month == date_to.month:
                return f"{date_from.year}年{date_from.month}月"
            if date_from.month == 1 and date_to.month == 12:
                return f"{date_from.year}年"
    start = f"{date_from:%Y-%m-%d}" if date_from else "不限"
    end = f"{date_to:%Y-%m-%d}" if date_to else "不限"
    return f"{start}至{end}"


def scope_words(query: RecordQuery, *, since_last_submission: bool = False) -> str:
    """The scope and filters in words: 北阳镇 · 全部行政村 · 2026年11月 (· 姓名或身份证号含“张”)."""
    parts = [query_place(query), query.village or "全部行政村"]
    parts.append(dates_words(query.date_from, query.date_to))
    if since_last_submission:
        parts.append("自上次报送以来新增或修改的")
    if query.text and query.text.strip():
        parts.append(f"姓名或身份证号含“{query.text.strip()}”")
    if any(query.status.values()) or query.flagged or query.conditions or query.ids is not None:
        parts.append("另有筛选条件")
    return SEPARATOR.join(parts)
