"""Re-checking a whole database: file integrity and every live record against the rules.

Rules can change between versions, and records can arrive from other programs
(a shared server), so a stored record is not assumed valid: it is re-validated. Only what
a value's stored type already guarantees is skipped (a date read as a date need not be
parsed again); every rule still runs, so the problems found are those of a full validation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hebi_desktop.domain.fields import Ledger
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery


@dataclass
class LedgerCheck:
    ledger: Ledger
    records: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    # Missing attachments the ledger's evidence rules ask for: 提醒, never failures.
    evidence: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class BookCheck:
    integrity: list[str]
    ledgers: list[LedgerCheck]

    @property
    def ok(self) -> bool:
        return not self.integrity and not any(c.errors for c in self.ledgers)


def check_ledger(book: Book, ledger: Ledger) -> LedgerCheck:
    service = book.records(ledger)
    check = service.validator.check_stored
    result = LedgerCheck(ledger)
    for record_id, values in service.iter_items(RecordQuery(sort="id")):
        result.records += 1
        checked = check(values)
        result.errors.extend((record_id, issue.message) for issue in checked.errors)
        result.warnings.extend((record_id, issue.message) for issue in checked.warnings)
    result.evidence = [
        (record_id, evidence.message)
        for record_id, evidence in book.attachments(ledger).missing_evidence()
    ]
    return result


def check_book(book: Book) -> BookCheck:
    return BookCheck(
        book.integrity_problems(), [check_ledger(book, ledger) for ledger in book.ledgers]
    )
