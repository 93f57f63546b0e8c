"""Importing a county roster (比对名单) from Excel or CSV: all rows or none.

The roster's headers are matched like a ledger's (the same matcher and aliases), each ID
number is checked like the form checks it (check digit, known area), and one bad row
means nothing is stored, with every problem named by row and column. Civil-affairs
rosters list members under their household head: a member row without its own 户主 cells
(blank, or merged over the household) takes the head of the rows above it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hebi_desktop.domain.fields import Issue, Level
from hebi_desktop.domain.rosters import ROSTER_FORM, is_ended, is_head, roster_kind
from hebi_desktop.domain.values import ValueProblem, make_parser
from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.exchange.cleaning import is_footer
from hebi_desktop.exchange.headers import find_header
from hebi_desktop.exchange.importer import (
    MAX_ISSUES,
    RowIssue,
    _cell_text,
    _RowReader,
)
from hebi_desktop.exchange.limits import Limits
from hebi_desktop.exchange.reader import AnySheet, choose_sheet, open_source
from hebi_desktop.services.book import Book
from hebi_desktop.services.rosters import (
    BATCH,
    RosterService,
    StoreResult,
    resolve_area,
    resolve_kind,
)
from hebi_desktop.services.spool import Spool

log = logging.getLogger(__name__)

CHECK_EVERY = 2000
Progress = Callable[[int, int], None]


@dataclass
class RosterImportResult:
    kind: str
    file: Path
    sheet: str
    rows_read: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    errors_omitted: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    stored: StoreResult | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_omitted


def _sheet_of(source: Path, sheet: str | None, limits: Limits | None) -> AnySheet:
    # A CSV file opens as a workbook of one sheet (exchange/csv_source.py).
    return choose_sheet(open_source(source, limits), ROSTER_FORM, sheet)


class _RosterRows:
    """Checks rows one at a time and carries the household head down to its members."""

    def __init__(self, reader: _RowReader, result: RosterImportResult) -> None:
        self.reader = reader
        self.result = result
        self.parsers = [(f.name, f.header, make_parser(f), f.required) for f in ROSTER_FORM.fields]
        self.head: tuple[str | None, str | None] = (None, None)
        self.seen: dict[str, int] = {}

    def error(self, issue: RowIssue) -> None:
        if len(self.result.errors) < MAX_ISSUES:
            self.result.errors.append(issue)
        else:
            self.result.errors_omitted += 1

    def issue(self, number: int, cells: list[Any], issue: Issue) -> RowIssue:
        index, header = self.reader.where[issue.field]
        value = cells[index] if index < len(cells) else None
        return RowIssue(number, header, _cell_text(value), issue.message, issue.level)

    def person(self, number: int, cells: list[Any]) -> dict[str, Any] | None:
        raw = self.reader.raw(cells)
        if raw is None or all(type(v) is str and not v.strip() for v in raw.values()):
            return None
        self.result.rows_read += 1
        values: dict[str, Any] = {"row": number}
        bad = False
        for name, header, parse, required in self.parsers:
            value = raw.get(name)
            if value is None or (type(value) is str and not value.strip()):
                values[name] = None
                if required:
                    issue = Issue(Level.ERROR, name, f"{header}：必填，不能为空", "required")
                    self.error(self.issue(number, cells, issue))
                    bad = True
                continue
            try:
                values[name] = parse(value)
            except ValueProblem as problem:
                issue = Issue(Level.ERROR, name, f"{header}：{problem}")
                self.error(self.issue(number, cells, issue))
                bad = True
        if bad:
            return None
        number_ = values["id_number"]
        first = self.seen.get(number_)
        if first is not None:
            self.error(
                RowIssue(
                    number, "", "", f"与第{first}行是同一身份证号：同一人不能出现两次", Level.ERROR
                )
            )
            return None
        self.seen[number_] = number
        self._household(values)
        values["ended"] = is_ended(values.get("status"))
        return values

    def _household(self, values: dict[str, Any]) -> None:
        """Fill the head of a member row from the rows above; a head row starts a household."""
        if values.get("head_id_number"):
            self.head = (values["head_id_number"], values.get("head_name"))
            return
        if is_head(values.get("relation")) or (
            values.get("head_name") and values.get("head_name") == values.get("name")
        ):
            values["head_id_number"] = values["id_number"]
            values["head_name"] = values.get("head_name") or values["name"]
            self.head = (values["id_number"], values["head_name"])
            return
        if values.get("relation") and self.head[0] is not None:
            values["head_id_number"], head_name = self.head
            values["head_name"] = values.get("head_name") or head_name


def import_roster(
    book: Book,
    kind: str,
    source: Path,
    *,
    as_of: dt.date | None = None,
    area: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    limits: Limits | None = None,
) -> RosterImportResult:
    """Read, check and (when every row is right) store one roster; see the module doc.

    ``area`` is a county or township, by code or name (``None``: the whole desk);
    ``as_of`` defaults to today.
    """
    key = resolve_kind(kind)
    area_code = resolve_area(area)
    source = Path(source)
    chosen = _sheet_of(source, sheet, limits)
    head = chosen.head()
    if not head:
        raise UserError(f"工作表“{chosen.name}”是空的")
    layout = find_header(head, ROSTER_FORM, chosen.name)
    result = RosterImportResult(key, source, chosen.name, ignored_columns=list(layout.ignored))
    rows = _RosterRows(_RowReader(layout), result)
    total = max(chosen.height - layout.data_start + 1, 1)
    with Spool() as spool:
        for number, cells in chosen.rows(fill_merged_from=layout.data_start):
            if number < layout.data_start:
                continue
            if is_footer(cells):
                break
            person = rows.person(number, cells)
            if result.rows_read % CHECK_EVERY == 0:
                if cancelled is not None and cancelled():
                    raise Cancelled()
                if progress is not None:
                    progress(min(number - layout.data_start + 1, total), total)
            if person is not None and not result.errors:
                spool.append(person)
        chosen.release()
        if result.errors:
            return result
        if not spool.count:
            raise UserError(f"“{source.name}”中没有名单记录（表头下面是空的）")
        result.stored = RosterService(book).store(
            key,
            area_code,
            as_of or dt.date.today(),
            source.name,
            _batches(spool),
        )
    if progress is not None:
        progress(total, total)
    log.info(
        "roster %s (%s) from %s: %d people", key, roster_kind(key).name, source.name, spool.count
    )
    return result


def _batches(spool: Spool) -> Iterator[list[dict[str, Any]]]:
    for batch in spool.batches():
        for start in range(0, len(batch), BATCH):
            yield batch[start : start + BATCH]
