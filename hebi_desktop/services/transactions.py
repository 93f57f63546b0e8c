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

from hebi_desktop.storage.blobs import BlobStore


class Reading(Protocol):
    """A read transaction (a book, or a snapshot that holds one open)."""

    def reading(self) -> AbstractContextManager[Connection]: ...


class Transactions(Reading, Protocol):
    """A read transaction and a write transaction (committed when the block ends)."""

    def writing(self) -> AbstractContextManager[Connection]: ...


class Operated(Transactions, Protocol):
    """Transactions and who is working: what the audited services need."""

    @property
    def operator(self) -> str: ...


class Settings(Protocol):
    """Reading one setting (the settings service, seen from another service)."""

    def get(self, key: str, default: str | None = None) -> str | None: ...


class Attaching(Operated, Protocol):
    """What the attachment service needs: its settings and where the contents live."""

    @property
    def settings(self) -> Settings: ...

    @property
    def blob_store(self) -> BlobStore: ...


class Database(Transactions, Protocol):
    """An open database as the copying and cleaning services see it."""

    engine: Engine
    write_engine: Engine  # the engine writes go through (SQLite: one writer at a time)

    @property
    def sqlite_file(self) -> Path | None: ...

    @property
    def location(self) -> str: ...

    @classmethod
    def open(
        cls, db: str | Path | None = None, *, backups: Path | None = None, create: bool = True
    ) -> Self: ...

    def close(self) -> None: ...

    @property
    def blob_store(self) -> BlobStore:
        """Where the attachments' contents are kept (a folder, or a server table)."""
        ...

    def read_attachments_from(self, folder: Path) -> None:
        """Read attachment contents from ``folder`` too (a backup's shared folder)."""
        ...
