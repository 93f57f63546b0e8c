"""The services on a real PostgreSQL server (the planned shared office database).

Runs only where ``HEBI_TEST_POSTGRES_URL`` names an empty database one may write to,
e.g. ``postgresql+psycopg://user:password@127.0.0.1/hebi_test``; it checks that the
services use portable SQL (partial unique index, upserts, aggregates, soft deletes).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from hebi_desktop.services.book import Book
from hebi_desktop.services.errors import DuplicateRecord, StaleRecord
from tests.samples import SAMPLES

URL = os.environ.get("HEBI_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not URL, reason="HEBI_TEST_POSTGRES_URL not set")


@pytest.fixture
def pg_book() -> Iterator[Book]:
    assert URL is not None
    book = Book.open(URL)
    with book.writing() as connection:
        for ledger in book.ledgers:
            connection.execute(text(f"DELETE FROM {ledger.table_name}"))
        connection.execute(text("DELETE FROM audit_log"))
        connection.execute(text("DELETE FROM villages"))
    yield book
    book.close()


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_record_life_cycle_on_postgres(pg_book: Book, key: str) -> None:
    service = pg_book.records(key)
    saved = service.create(SAMPLES[key]()).record
    with pytest.raises(DuplicateRecord):
        service.create(SAMPLES[key]())
    changed = service.update(saved.id, {**saved.values, "remarks": "复核"}, saved.version).record
    with pytest.raises(StaleRecord):
        service.update(saved.id, saved.values, saved.version)
    service.delete(changed.id)
    assert service.count() == 0
    service.create(SAMPLES[key]())  # the natural key is free again while the first is deleted
    with pytest.raises(DuplicateRecord):
        service.restore(saved.id)
    assert [entry.action for entry in service.history(saved.id)] == ["create", "update", "delete"]
    assert pg_book.villages.names("410622102") == ["王庄村"]
    ledger = service.ledger
    assert pg_book.stats.headline(ledger).figures[0].value == 1
