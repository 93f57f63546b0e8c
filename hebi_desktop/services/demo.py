"""Realistic sample data for trying the program and for measuring it.

Each ledger declaration draws its own records (``Ledger.sample``, from the values of
:mod:`hebi_desktop.domain.samples`): valid ID numbers of Hebi's counties, real townships,
plausible dates and amounts, and a small share of records that trip a soft check. Every row
still passes through the validator, so sample data can never be something the form would
refuse.

The records lie in the desk's own scope (its township; a county desk: its county's
townships), so a clerk trying the program sees in the table what the printed forms and the
exports of the desk hold; ``city_wide`` spreads them over all of Hebi (measurements and
tests that need many townships).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, select

from hebi_desktop.domain.divisions import Division, divisions
from hebi_desktop.domain.fields import Ledger
from hebi_desktop.domain.registry import get_ledger, ledger_keys
from hebi_desktop.domain.samples import SampleMaker
from hebi_desktop.domain.validation import Checked
from hebi_desktop.errors import UserError, ValidationFailed
from hebi_desktop.services.book import Book
from hebi_desktop.services.desk_scope import DeskScope, desk_scope
from hebi_desktop.services.records import RecordService

__all__ = ["SampleMaker", "fill_demo"]

DEMO_BATCH = 10_000


def fill_demo(
    book: Book,
    rows: int,
    seed: int = 2024,
    progress: Callable[[str, int, int], None] | None = None,
    ledgers: tuple[str, ...] | None = None,
    *,
    city_wide: bool = False,
) -> dict[str, int]:
    """Add ``rows`` sample records to each of ``ledgers`` (default: every declared ledger),
    all in one transaction: a failure half-way (a full disk) leaves the database as it was,
    so "本次操作未保存" is the whole truth. The records lie in the desk's scope unless
    ``city_wide`` (or the desk has no place set yet)."""
    scope = desk_scope(book)
    townships = None if city_wide else scope_townships(scope)
    maker = SampleMaker(seed, townships=townships)
    if ledgers is None:
        ledgers = ledger_keys()
    added: dict[str, int] = {}
    operator = book.operator
    # Written in batches as they are made (memory stays flat at a million rows); a rerun
    # with the same seed repeats natural keys: skipped.
    with book.writing() as connection:
        now = dt.datetime.now()
        for key in ledgers:
            ledger = get_ledger(key)
            service = book.records(ledger)
            stored = _stored_keys(connection, service)
            batch: list[Checked] = []
            count = 0
            for index, values in enumerate(_rows(maker, ledger, rows, scope.name), start=1):
                checked = service.check(values)
                if not checked.ok:
                    raise ValidationFailed(checked.errors, row=index)
                if stored and _key(ledger, checked.values) in stored:
                    continue
                batch.append(checked)
                if len(batch) >= DEMO_BATCH:
                    count += len(service.insert_checked(connection, batch, operator, now, "create"))
                    batch = []
                if progress is not None and index % 10000 == 0:
                    progress(key, index, rows)
            count += len(service.insert_checked(connection, batch, operator, now, "create"))
            added[key] = count
    return added


def scope_townships(scope: DeskScope) -> list[Division] | None:
    """The townships of a desk's scope; None (all of Hebi) when it has no place yet."""
    table = divisions()
    if scope.township_code and scope.township_code in table.by_code:
        return [table.by_code[scope.township_code]]
    if scope.county_code:
        return list(table.townships_of(scope.county_code)) or None
    return None


def _rows(maker: SampleMaker, ledger: Ledger, rows: int, place: str) -> Iterator[dict[str, Any]]:
    """The maker's records; too many for the scope's villages is the clerk's error."""
    try:
        yield from maker.rows(ledger, rows)
    except ValueError:
        raise UserError(
            f"{place}的行政村不够生成 {rows} 条互不重复的{ledger.title}示例记录，"
            "请减少条数，或选择分布到全市"
        ) from None


def _key(ledger: Ledger, values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values.get(name) for name in ledger.natural_key)


def _stored_keys(connection: Connection, service: RecordService) -> set[tuple[Any, ...]]:
    """The natural keys of the live records (one query instead of one per new row)."""
    table = service.table
    columns = [table.c[name] for name in service.ledger.natural_key]
    statement = select(*columns).where(table.c.deleted_at.is_(None))
    return {tuple(row) for row in connection.execute(statement)}
