"""What a service needs of the open database, so it need not import the book that builds it.

:class:`~hebi_desktop.services.book.Book` creates the services and passes itself in; the
services see it only through these protocols, so the imports run one way (book → services)
and a snapshot or a test can stand in for the book.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol, Self

from sqlalchemy import Connection, Engine


class Reading(Protocol):
    """A read transaction (a book, or a snapshot that holds one open)."""

    def reading(self) -> AbstractContextManager[Connection]: ...


class Transactions(Reading, Protocol):
    """A read transaction and a write transaction (committed when the block ends)."""

    def writing(self) -> AbstractContextManager[Connection]: ...


class Database(Transactions, Protocol):
    """An open database as the copying and cleaning services see it."""

    engine: Engine

    @property
    def sqlite_file(self) -> Path | None: ...

    @property
    def location(self) -> str: ...

    @classmethod
    def open(
        cls, db: str | Path | None = None, *, backups: Path | None = None, create: bool = True
    ) -> Self: ...

    def close(self) -> None: ...
