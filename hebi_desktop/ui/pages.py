"""What the main window may ask of its pages: typed protocols instead of ``getattr``.

Pages are built lazily and some are optional (a ledger page that failed to load is a
placeholder label), so the window checks which protocol a page satisfies with
``isinstance`` and calls it with the signature declared here; mypy checks both sides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from hebi_desktop.services.querying import RecordQuery


@runtime_checkable
class Refreshable(Protocol):
    """A page that re-reads the database on demand (F5, after an import)."""

    def refresh(self) -> None: ...


@runtime_checkable
class RecordsPage(Protocol):
    """A ledger's page: its records, the record dialog and the drafts left by a crash."""

    records_changed: SignalInstance
    dialog: Any  # the open record dialog, or None

    def new_record(self) -> Any: ...

    def show_all(self) -> None: ...

    def show_query(self, query: RecordQuery, title: str | None = None) -> None: ...

    def offer_drafts(self) -> list[Any]: ...


@runtime_checkable
class WorkingPage(Protocol):
    """A page that runs background work (import, export, backup) the window must let
    finish, or cancel, before it restores a backup or closes."""

    @property
    def busy(self) -> bool: ...


@runtime_checkable
class CancellablePage(WorkingPage, Protocol):
    def cancel_work(self, wait: bool = True) -> None: ...


@runtime_checkable
class WaitablePage(WorkingPage, Protocol):
    def wait(self) -> None: ...
