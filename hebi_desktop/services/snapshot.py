"""One read transaction for everything an export reads: counts, figures, widths, rows.

An export of several sheets and a 汇总 must not contradict itself while an import
commits in between, and an incremental submission must record exactly the rows it
wrote. SQLite gives a connection one consistent snapshot from its first read until
the transaction ends (WAL mode); PostgreSQL does so at REPEATABLE READ. Every query
here runs on that one connection.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from hebi_desktop.domain.fields import Kind, Ledger
from hebi_desktop.services import submissions
from hebi_desktop.services.convert import stored_names
from hebi_desktop.services.querying import RecordQuery, Unsent, order_clauses, where_clauses
from hebi_desktop.services.stats import StatsService
from hebi_desktop.storage.models import record_model

if TYPE_CHECKING:
    import datetime as dt

    from hebi_desktop.services.book import Book

STREAM_BATCH = 2000


class Snapshot:
    """Reads of one consistent state of the database. Create with :func:`snapshot`."""

    def __init__(self, book: Book, connection: Connection) -> None:
        self.book = book
        self.connection = connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """The snapshot's connection (so services written for a Book read from it)."""
        yield self.connection

    @cached_property
    def stats(self) -> StatsService:
        return StatsService(self)

    def count(self, ledger: Ledger, query: RecordQuery) -> int:
        table = record_model(ledger).__table__
        statement = select(func.count()).select_from(table)
        return self.connection.scalar(statement.where(*where_clauses(ledger, table, query))) or 0

    def unsent(self, ledger: Ledger, query: RecordQuery) -> Unsent:
        """What the submissions of ``query``'s scope have not sent yet."""
        return submissions.unsent(self.connection, ledger.key, submissions.query_scope(query))

    def last_submitted(self, ledger: Ledger, query: RecordQuery) -> dt.datetime | None:
        scope = submissions.query_scope(query)
        return submissions.last_in_scope(self.connection, ledger.key, scope)

    def longest_texts(
        self, ledger: Ledger, query: RecordQuery
    ) -> tuple[dict[str, int | None], dict[str, list[str]]]:
        """The longest text per text column, and the division codes per place column."""
        table = record_model(ledger).__table__
        clauses = where_clauses(ledger, table, query)
        text_fields = [f for f in ledger.stored_fields if f.kind is Kind.TEXT]
        longest: dict[str, int | None] = {}
        codes: dict[str, list[str]] = {}
        if text_fields:
            statement = select(*(func.max(func.length(table.c[f.name])) for f in text_fields))
            row = self.connection.execute(statement.where(*clauses)).one()
            longest = {f.name: value for f, value in zip(text_fields, row, strict=True)}
        for f in ledger.stored_fields:
            if f.kind in (Kind.COUNTY, Kind.TOWNSHIP):
                statement = select(table.c[f.name]).where(*clauses).distinct()
                codes[f.name] = [c for c in self.connection.scalars(statement) if c]
        return longest, codes

    def rows(self, ledger: Ledger, query: RecordQuery) -> Generator[Any, None, None]:
        """The stored columns of every matching record, then its id and version, streamed.

        Leaner than ``RecordService.iter_items``: no other bookkeeping columns, no dicts;
        the sheet converts by position (:func:`stored_names` order).
        """
        table = record_model(ledger).__table__
        statement = (
            select(*(table.c[name] for name in stored_names(ledger)), table.c.id, table.c.version)
            .where(*where_clauses(ledger, table, query))
            .order_by(*order_clauses(ledger, table, query))
        )
        result = self.connection.execution_options(yield_per=STREAM_BATCH).execute(statement)
        try:
            for partition in result.partitions():
                yield from partition
        finally:
            result.close()


@contextmanager
def snapshot(book: Book) -> Iterator[Snapshot]:
    """A read-only transaction that sees one state of the database until the block ends."""
    engine = book.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name == "sqlite":
            # SQLite takes the snapshot at the first read of the file, so read now.
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
        yield Snapshot(book, connection)
