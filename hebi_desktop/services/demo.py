"""Realistic sample data for trying the program and for measuring it.

Each ledger declaration draws its own records (``Ledger.sample``, from the values of
:mod:`hebi_desktop.domain.samples`): valid ID numbers of Hebi's counties, real townships,
plausible dates and amounts, and a small share of records that trip a soft check. Every row
still passes through the validator, so sample data can never be something the form would
refuse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, select

from hebi_desktop.domain.fields import Ledger
from hebi_desktop.domain.registry import get_ledger, ledger_keys
from hebi_desktop.domain.samples import SampleMaker
from hebi_desktop.domain.validation import Checked
from hebi_desktop.errors import ValidationFailed
from hebi_desktop.services.book import Book
from hebi_desktop.services.records import RecordService

__all__ = ["SampleMaker", "fill_demo"]

DEMO_BATCH = 10_000


def fill_demo(
    book: Book,
    rows: int,
    seed: int = 2024,
    progress: Callable[[str, int, int], None] | None = None,
    ledgers: tuple[str, ...] | None = None,
) -> dict[str, int]:
    """Add ``rows`` sample records to each of ``ledgers`` (default: every declared ledger),
    all in one transaction: a failure half-way (a full disk) leaves the database as it was,
    so "本次操作未保存" is the whole truth."""
    maker = SampleMaker(seed)
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
            for index, values in enumerate(maker.rows(ledger, rows), start=1):
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


def _key(ledger: Ledger, values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values.get(name) for name in ledger.natural_key)


def _stored_keys(connection: Connection, service: RecordService) -> set[tuple[Any, ...]]:
    """The natural keys of the live records (one query instead of one per new row)."""
    table = service.table
    columns = [table.c[name] for name in service.ledger.natural_key]
    statement = select(*columns).where(table.c.deleted_at.is_(None))
    return {tuple(row) for row in connection.execute(statement)}
