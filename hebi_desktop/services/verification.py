"""Second keying (复核录入): a second person re-enters the verified fields blind.

As in CSPro's verify mode or EpiData's double entry: the verifier does not see the stored
values; what they type is compared field by field. When everything matches the record is
marked 已复核 with who and when. A mismatch is shown side by side and the verifier
chooses which value is right; a chosen re-keyed value replaces the stored one (the whole
record is validated again). Every verification is kept (keyer, verifier, fields compared
and mismatched) for the keyer statistics, and audited.

A record's state: 已录入 → 已复核, and 已报送 once a submission has sent its current version.
Editing a verified field makes it 已录入 again (services/records.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, func, insert, select, update

from hebi_desktop.domain.display import display_value
from hebi_desktop.domain.fields import Issue, Ledger, Level
from hebi_desktop.domain.values import ValueProblem, make_parser
from hebi_desktop.errors import (
    RecordNotFound,
    StaleRecord,
    UserError,
    ValidationFailed,
)
from hebi_desktop.services import audit
from hebi_desktop.services.records import (
    ENTERED_LABEL,
    STATE_CHANGE,
    SUBMITTED_LABEL,
    VERIFIED_LABEL,
    Record,
)
from hebi_desktop.services.settings import VERIFY_SAME_PERSON
from hebi_desktop.storage.models import SubmittedRecord, Verification

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

SAME_PERSON_SETTING = VERIFY_SAME_PERSON  # "1": the keyer may verify their own records
VERIFY_ACTION = "verify"
ENTERED = "entered"
REKEYED = "rekeyed"


@dataclass(frozen=True, slots=True)
class Comparison:
    """One verified field: the stored value and the re-keyed one."""

    field: str
    header: str
    entered: Any
    rekeyed: Any

    @property
    def matches(self) -> bool:
        return self.entered == self.rekeyed


class MismatchNeedsChoice(UserError):
    """Re-keyed values differ and the verifier has not chosen yet."""

    def __init__(self, mismatches: list[Comparison]) -> None:
        self.mismatches = mismatches
        headers = "、".join(m.header for m in mismatches)
        super().__init__(f"复核录入与原录入不一致：{headers}；请逐项选择正确的值")


@dataclass(frozen=True, slots=True)
class KeyerStats:
    """CSPro's keyer statistics: what one keyer's records showed when verified."""

    keyer: str
    records: int
    fields: int
    mismatched: int

    @property
    def rate(self) -> float:
        return self.mismatched / self.fields if self.fields else 0.0


class VerificationService:
    def __init__(self, book: Book, ledger: Ledger) -> None:
        self.book = book
        self.ledger = ledger
        self.records = book.records(ledger)
        self.fields = tuple(ledger.field(name) for name in ledger.verify_fields)
        self._parsers = {f.name: make_parser(f) for f in self.fields}

    # --- comparing ------------------------------------------------------------------

    def parse(self, rekeyed: Mapping[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
        """The re-keyed values typed, and the problems of those that do not parse."""
        values: dict[str, Any] = {}
        issues: list[Issue] = []
        for f in self.fields:
            raw = rekeyed.get(f.name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                values[f.name] = None
                continue
            try:
                values[f.name] = self._parsers[f.name](raw)
            except ValueProblem as problem:
                values[f.name] = None
                issues.append(Issue(Level.ERROR, f.name, f"{f.header}：{problem}"))
        return values, issues

    def compare(self, record: Record, rekeyed: Mapping[str, Any]) -> list[Comparison]:
        values, issues = self.parse(rekeyed)
        if issues:
            raise ValidationFailed(issues)
        return [
            Comparison(f.name, f.header, record.values.get(f.name), values[f.name])
            for f in self.fields
        ]

    def keyer_of(self, record: Record) -> str:
        """Who keyed the values being verified: the last person who saved the record."""
        return record.updated_by

    def check_verifier(self, record: Record, operator: str) -> None:
        if record.deleted:
            raise RecordNotFound(record.id)
        if record.verified:
            raise UserError(
                f"记录编号{record.id}已于{record.verified_at:%Y-%m-%d %H:%M}"
                f"由{record.verified_by}复核，无需再复核"
            )
        allowed = self.book.settings.get(SAME_PERSON_SETTING) == "1"
        if not allowed and operator == self.keyer_of(record):
            raise UserError(
                f"这条记录是{operator}录入的，复核应由另一人进行"
                "（如本单位只有一人，可在设置中允许本人复核）"
            )

    # --- verifying ------------------------------------------------------------------

    def verify(
        self,
        record_id: int,
        expected_version: int,
        rekeyed: Mapping[str, Any],
        choices: Mapping[str, str] | None = None,
        operator: str | None = None,
    ) -> Record:
        """Verify with ``rekeyed`` values; ``choices`` says per mismatched field which value
        is right (``entered`` or ``rekeyed``). Without a choice for every mismatch:
        :class:`MismatchNeedsChoice`, and nothing is written."""
        operator = operator or self.book.operator
        choices = choices or {}
        now = dt.datetime.now()
        record = self.records.get(record_id)
        if record.version != expected_version:
            raise StaleRecord(record_id)
        self.check_verifier(record, operator)
        comparisons = self.compare(record, rekeyed)
        mismatches = [c for c in comparisons if not c.matches]
        unresolved = [c for c in mismatches if choices.get(c.field) not in (ENTERED, REKEYED)]
        if unresolved:
            raise MismatchNeedsChoice(unresolved)
        corrected = {c.field: c.rekeyed for c in mismatches if choices[c.field] == REKEYED}
        keyer = self.keyer_of(record)
        table = self.records.table
        with self.book.writing() as connection:
            current = self.records._fetch(connection, record_id)
            if current is None or current.deleted or current.version != expected_version:
                raise StaleRecord(record_id)
            values: dict[str, Any] = {"verified_at": now, "verified_by": operator}
            changes: dict[str, Any] = {STATE_CHANGE: [ENTERED_LABEL, VERIFIED_LABEL]}
            for c in mismatches:  # the two values and the verifier's choice, in words
                kept = "采用原录入" if choices[c.field] == ENTERED else "采用复核录入"
                changes[f"复核不一致：{c.header}"] = [
                    f"原录入 {self.shown(c, ENTERED)}",
                    f"复核录入 {self.shown(c, REKEYED)}，{kept}",
                ]
            if corrected:
                checked = self.records.check({**current.values, **corrected})
                if not checked.ok:
                    raise ValidationFailed(checked.errors)
                values |= self.records._row(checked, operator, now)
                values |= {"version": current.version + 1}
                self.records._forget_roster_hints(connection, record_id)
                changes |= audit.changed_fields(
                    {k: current.values.get(k) for k in corrected}, corrected
                )
            connection.execute(
                update(table)
                .where(table.c.id == record_id, table.c.version == expected_version)
                .values(values)
            )
            connection.execute(
                insert(Verification).values(
                    ledger=self.ledger.key,
                    record_id=record_id,
                    keyer=keyer,
                    verifier=operator,
                    at=now,
                    fields=len(comparisons),
                    mismatched=len(mismatches),
                    details=audit.dump_changes(
                        {c.field: [c.entered, c.rekeyed, choices[c.field]] for c in mismatches}
                    )
                    if mismatches
                    else None,
                )
            )
            audit.write_entry(
                connection,
                operator=operator,
                ledger=self.ledger.key,
                record_id=record_id,
                action=VERIFY_ACTION,
                changes=changes,
                at=now,
            )
        return self.records.get(record_id)

    # --- states ---------------------------------------------------------------------

    def states(self, records: list[Record]) -> dict[int, str]:
        """已录入, 已复核 or 已报送 for each record (已报送: its current version was sent)."""
        sent = cast(Table, SubmittedRecord.__table__).c
        ids = [r.id for r in records]
        versions: dict[int, int] = {}
        with self.book.reading() as connection:
            for start in range(0, len(ids), 500):
                statement = (
                    select(sent.record_id, func.max(sent.version))
                    .where(
                        sent.ledger == self.ledger.key, sent.record_id.in_(ids[start : start + 500])
                    )
                    .group_by(sent.record_id)
                )
                versions.update({rid: v for rid, v in connection.execute(statement)})
        return {
            r.id: SUBMITTED_LABEL
            if versions.get(r.id, 0) >= r.version
            else (VERIFIED_LABEL if r.verified else ENTERED_LABEL)
            for r in records
        }

    def shown(self, comparison: Comparison, which: str) -> str:
        field = self.ledger.field(comparison.field)
        value = comparison.entered if which == ENTERED else comparison.rekeyed
        return display_value(field, value) or "（空）"


def keyer_stats(book: Book, ledger: str | None = None) -> list[KeyerStats]:
    """Per keyer: records verified, fields compared and mismatched (all ledgers by default)."""
    table = cast(Table, Verification.__table__)
    c = table.c
    statement = (
        select(c.keyer, func.count(), func.sum(c.fields), func.sum(c.mismatched))
        .group_by(c.keyer)
        .order_by(c.keyer)
    )
    if ledger is not None:
        statement = statement.where(c.ledger == ledger)
    with book.reading() as connection:
        return [
            KeyerStats(keyer, int(count), int(fields or 0), int(mismatched or 0))
            for keyer, count, fields, mismatched in connection.execute(statement)
        ]
