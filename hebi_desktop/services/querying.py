"""Turning a :class:`RecordQuery` and declared conditions into portable SQL clauses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, exists, false, or_, true

from hebi_desktop.domain.attachments import Evidence
from hebi_desktop.domain.fields import Kind, Ledger
from hebi_desktop.domain.pinyin_columns import (
    initials_column,
    initials_searched,
    pinyin_sorted,
    sort_column,
)
from hebi_desktop.domain.queries import Condition, Op
from hebi_desktop.domain.values import visible


@dataclass(frozen=True)
class Unsent:
    """Only records a submission scope has not sent yet (new, or changed since sent).

    ``legacy_since``: the last submission of the scope recorded before sent records
    were tracked; records never tracked count as sent when not changed after it.
    """

    ledger: str
    scope: str
    legacy_since: dt.datetime | None = None


@dataclass(frozen=True)
class RecordQuery:
    """What a table, an export or a summary asks for. Every filter is optional."""

    county_code: str | None = None
    township_code: str | None = None
    village: str | None = None
    text: str | None = None  # part of a name or ID number
    date_from: dt.date | None = None  # on the ledger's main date
    date_to: dt.date | None = None
    status: Mapping[str, str] = field(default_factory=dict)  # choice field → value
    flagged: bool | None = None  # the soft checks' stored flag, or a roster check's hint
    # 待核实: True for records with a 提醒 — flagged, or lacking an attachment an evidence
    # rule asks for; False for records with neither.
    needs_review: bool | None = None
    missing_evidence: tuple[str, ...] = ()  # only records lacking these rules' evidence
    deleted: bool = False  # True: only the deleted records (the bin)
    changed_since: dt.datetime | None = None  # created or changed after
    conditions: tuple[Condition, ...] = ()  # e.g. a Watch's
    ids: Sequence[int] | None = None
    unsent: Unsent | None = None  # incremental submissions (services/submissions.py)
    verified: bool | None = None  # second keying done (True) or not yet (False)
    state: str | None = None  # entered, verified or submitted (services/verification.py)
    with_money: bool = False  # only records with an amount above zero
    sort: str | None = None  # field name; default: newest first
    descending: bool = False


def condition_clause(table: Table, condition: Condition, today: dt.date) -> ColumnElement[bool]:
    column = table.c[condition.field]
    if condition.op is Op.IN:
        return column.in_(condition.value)
    if condition.op is Op.IS:
        return column.is_(None) if condition.value is None else column == condition.value
    if condition.op is Op.NOT_TRUE:
        return or_(column.is_(None), column == false())
    if condition.op is Op.OLDER_THAN_DAYS:
        return column < today - dt.timedelta(days=int(condition.value))
    raise ValueError(condition.op)


def missing_evidence_clause(
    ledger: Ledger, table: Table, evidence: Evidence
) -> ColumnElement[bool]:
    """The record matches the evidence rule and has no live attachment of its kind."""
    from hebi_desktop.storage.models import Attachment

    a = Attachment.__table__.c
    today = dt.date.today()
    has_kind = exists().where(
        a.ledger == ledger.key,
        a.record_id == table.c.id,
        a.kind == evidence.kind,
        a.deleted_at.is_(None),
    )
    return and_(*(condition_clause(table, cond, today) for cond in evidence.when), ~has_kind)


def where_clauses(ledger: Ledger, table: Table, query: RecordQuery) -> list[ColumnElement[bool]]:
    c = table.c
    clauses: list[ColumnElement[bool]] = [
        c.deleted_at.is_not(None) if query.deleted else c.deleted_at.is_(None)
    ]
    if query.county_code:
        clauses.append(c.county_code == query.county_code)
    if query.township_code:
        clauses.append(c.township_code == query.township_code)
    if query.village:
        clauses.append(c.village == query.village)
    needle = visible(query.text).strip() if query.text else ""  # a pasted 张\u200b三 too
    if needle:
        clauses.append(or_(*text_clauses(ledger, table, needle)))
    main = c[ledger.main_date]
    if query.date_from:
        clauses.append(main >= query.date_from)
    if query.date_to:
        clauses.append(main <= query.date_to)
    for name, value in query.status.items():
        if value:
            clauses.append(c[name] == value)
    if query.flagged is not None:
        # a soft rule's warning, or a hint of the last roster check
        hinted = roster_hinted(ledger, table)
        clauses.append(
            or_(c.flagged == true(), hinted)
            if query.flagged
            else and_(c.flagged == false(), ~hinted)
        )
    if query.needs_review is not None:
        # 待核实: flagged, hinted by the roster check, or lacking declared evidence
        lacking = [missing_evidence_clause(ledger, table, e) for e in ledger.attachments.evidence]
        review = or_(c.flagged == true(), roster_hinted(ledger, table), *lacking)
        clauses.append(review if query.needs_review else ~review)
    for code in query.missing_evidence:
        evidence = next(e for e in ledger.attachments.evidence if e.code == code)
        clauses.append(missing_evidence_clause(ledger, table, evidence))
    if query.changed_since is not None:
        clauses.append(c.updated_at > query.changed_since)
    today = dt.date.today()
    clauses.extend(condition_clause(table, cond, today) for cond in query.conditions)
    if query.ids is not None:
        clauses.append(c.id.in_(list(query.ids)))
    if query.unsent is not None:
        clauses.append(unsent_clause(table, query.unsent))
    if query.verified is not None:
        clauses.append(c.verified_at.is_not(None) if query.verified else c.verified_at.is_(None))
    if query.state:
        clauses.append(state_clause(ledger, table, query.state))
    if query.with_money:
        clauses.append(or_(false(), *(c[f.name] > 0 for f in ledger.money_fields)))
    return clauses


def roster_hinted(ledger: Ledger, table: Table) -> ColumnElement[bool]:
    from hebi_desktop.storage.models import RosterHintRow

    hints = RosterHintRow.__table__.c
    return exists().where(hints.ledger == ledger.key, hints.record_id == table.c.id)


STATES = ("entered", "verified", "submitted")


def state_clause(ledger: Ledger, table: Table, state: str) -> ColumnElement[bool]:
    """已录入 (not verified, not sent), 已复核 (verified, not sent), 已报送 (current version
    sent by a submission)."""
    from hebi_desktop.storage.models import SubmittedRecord

    if state not in STATES:
        raise ValueError(state)
    sent = SubmittedRecord.__table__.c
    submitted = exists().where(
        sent.ledger == ledger.key, sent.record_id == table.c.id, sent.version >= table.c.version
    )
    if state == "submitted":
        return submitted
    verified = table.c.verified_at.is_not(None)
    return and_(~submitted, verified if state == "verified" else ~verified)


def text_clauses(ledger: Ledger, table: Table, needle: str) -> list[ColumnElement[bool]]:
    """A part of a name or ID number; letters also find names by pinyin initials (zxy)."""
    c = table.c
    clauses = [
        c[name].contains(
            needle.upper() if ledger.field(name).kind is Kind.ID_NUMBER else needle,
            autoescape=True,
        )
        for name in ledger.search_fields
    ]
    if needle.isascii() and needle.isalpha():
        clauses.extend(
            c[initials_column(name)].contains(needle.lower(), autoescape=True)
            for name in initials_searched(ledger)
        )
    return clauses


def unsent_clause(table: Table, unsent: Unsent) -> ColumnElement[bool]:
    """Records with no sent version in the scope, or a newer version than the one sent."""
    from hebi_desktop.storage.models import SubmittedRecord

    sent = SubmittedRecord.__table__.c
    in_scope = and_(
        sent.ledger == unsent.ledger,
        sent.scope == unsent.scope,
        sent.record_id == table.c.id,
    )
    not_sent = ~exists().where(in_scope, sent.version >= table.c.version)
    if unsent.legacy_since is None:
        return not_sent
    return and_(not_sent, or_(table.c.updated_at > unsent.legacy_since, exists().where(in_scope)))


def order_clauses(ledger: Ledger, table: Table, query: RecordQuery) -> list[Any]:
    c = table.c
    if not query.sort:
        return [c.id.desc()]
    name = query.sort
    if name not in c:  # derived columns (性别, 出生日期) sort by the ID number they come from
        ids = [f.name for f in ledger.stored_fields if f.kind is Kind.ID_NUMBER]
        name = ids[0] if ids else "id"
    if name in pinyin_sorted(ledger):  # names and places in pinyin order
        name = sort_column(name)
    column = c[name]
    if query.descending:
        return [column.desc(), c.id.desc()]
    return [column.asc(), c.id.asc()]
