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

from hebi_desktop.domain.registry import get_ledger, ledger_keys
from hebi_desktop.domain.samples import SampleMaker
from hebi_desktop.services.book import Book
from hebi_desktop.services.errors import ValidationFailed

__all__ = ["SampleMaker", "fill_demo"]


def fill_demo(
    book: Book,
    rows: int,
    seed: int = 2024,
    progress: Callable[[str, int, int], None] | None = None,
    ledgers: tuple[str, ...] | None = None,
) -> dict[str, int]:
    """Add ``rows`` sample records to each of ``ledgers`` (default: every declared ledger),
    one transaction per ledger."""
    maker = SampleMaker(seed)
    if ledgers is None:
        ledgers = ledger_keys()
    added: dict[str, int] = {}
    operator = book.operator
    for key in ledgers:
        ledger = get_ledger(key)
        service = book.records(ledger)
        checked_rows = []
        for index, values in enumerate(maker.rows(ledger, rows), start=1):
            checked = service.check(values)
            if not checked.ok:
                raise ValidationFailed(checked.errors, row=index)
            checked_rows.append(checked)
            if progress is not None and index % 10000 == 0:
                progress(key, index, rows)
        with book.writing() as connection:
            now = dt.datetime.now()
            # A rerun with the same seed would repeat natural keys; skip those quietly.
            fresh = (
                [
                    c
                    for c in checked_rows
                    if service.find_duplicate(c.values, None, connection) is None
                ]
                if service.count()
                else checked_rows
            )
            added[key] = len(service.insert_checked(connection, fresh, operator, now, "create"))
    return added
