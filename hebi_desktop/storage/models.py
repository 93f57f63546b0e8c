"""SQLAlchemy 2 models.

The fixed tables (divisions, villages, settings, audit log, submissions, drafts)
are written out as typed ``Mapped[...]`` classes. Each ledger's table is built
from its declaration: the bookkeeping columns every record shares come from the
typed :class:`RecordColumns` mixin, the ledger's own columns from its fields, so
a new ledger needs no storage code (only a migration for its table).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from hebi_desktop.domain.fields import Field, Kind, Ledger
from hebi_desktop.domain.pinyin_columns import (
    initials_column,
    initials_searched,
    pinyin_sorted,
    sort_column,
)
from hebi_desktop.domain.registry import all_ledgers

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Division(Base):
    """A county or township of Hebi (统计用区划代码), seeded from the shipped CSV."""

    __tablename__ = "divisions"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(String(12))


class Village(Base):
    """A village name once typed in a township, remembered for autocomplete."""

    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("township_code", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    township_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"))
    name: Mapped[str] = mapped_column(String(40))
    use_count: Mapped[int] = mapped_column(default=1)
    last_used: Mapped[dt.datetime] = mapped_column(DateTime)


class Setting(Base):
    """Operator name, township and other preferences kept with the data."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """Who changed which record when, with the old and new values (JSON)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "ledger", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator: Mapped[str] = mapped_column(String(40))
    ledger: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))  # create, update, delete, restore, import
    changes: Mapped[str | None] = mapped_column(Text)


class Submission(Base):
    """One workbook sent upward to the county: what, when, by whom, and its SHA-256."""

    __tablename__ = "submissions"
    __table_args__ = (Index(None, "ledger", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator: Mapped[str] = mapped_column(String(40))
    ledger: Mapped[str] = mapped_column(String(30))
    filters: Mapped[str] = mapped_column(Text)
    row_count: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # The filter scope as canonical JSON ("{}" = the whole ledger); NULL for submissions
    # recorded before submitted records were tracked (revision 0002).
    scope: Mapped[str | None] = mapped_column(Text)


class SubmittedRecord(Base):
    """The version of each record a scope's submissions have sent: the exact watermark.

    An incremental export holds the records of its scope that have no row here or a
    newer version than the one sent, so a record committed after an export's snapshot
    (even with an older timestamp, e.g. by a long import) is in the next one, always.
    """

    __tablename__ = "submitted_records"
    ledger: Mapped[str] = mapped_column(String(30), primary_key=True)
    scope: Mapped[str] = mapped_column(String(400), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)


class ReceivedSubmission(Base):
    """One ledger of one workbook taken in by a county desk (汇总报送): from whom, what, when.

    The file's SHA-256 and the content hash its metadata carries let the same submission,
    sent twice, be recognised and change nothing; records point back here by
    ``source_submission_id``.
    """

    __tablename__ = "received_submissions"
    __table_args__ = (Index(None, "ledger", "township_code"), Index(None, "sha256"))
    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    ledger: Mapped[str] = mapped_column(String(30))
    county_code: Mapped[str | None] = mapped_column(String(12))
    township_code: Mapped[str | None] = mapped_column(String(12))
    unit: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(12))  # full, incremental, partial
    filters: Mapped[str | None] = mapped_column(Text)  # JSON, as the sender exported
    exported_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    program_version: Mapped[str | None] = mapped_column(String(20))
    row_count: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)


class Draft(Base):
    """A half-filled form, saved as the clerk types so a crash does not lose it."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    ledger: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int | None] = mapped_column(Integer)
    values_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Attachment(Base):
    """A photo, scan or PDF attached to one record (一户一档).

    The content is stored once per SHA-256 (``attachment_contents`` on a server, a folder
    beside a SQLite file); ``source_sha256`` is the file as the clerk gave it, so the
    same photo attached again is recognised before it is decoded. Deleting is soft.
    """

    __tablename__ = "attachments"
    __table_args__ = (
        Index(None, "ledger", "record_id"),
        Index(None, "sha256"),
        Index(None, "source_sha256"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ledger: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    caption: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(Text)  # as attached (the clerk's own name)
    media_type: Mapped[str] = mapped_column(String(40))  # image/jpeg, application/pdf
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    source_sha256: Mapped[str] = mapped_column(String(64))
    original_sha256: Mapped[str | None] = mapped_column(String(64))  # kept original, if any
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # EXIF date taken
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(40))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AttachmentContent(Base):
    """Attachment bytes by SHA-256, on a server database (a SQLite desk keeps a folder)."""

    __tablename__ = "attachment_contents"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Roster(Base):
    """One imported reference roster (比对名单): its kind, area, source and as-of date.

    A newer roster of the same kind and area replaces the older one, which stays here as
    history (``replaced_by_id``) so checks of older records can use the roster then in force.
    """

    __tablename__ = "rosters"
    __table_args__ = (Index(None, "kind", "area_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    area_code: Mapped[str | None] = mapped_column(String(12))  # county or township; NULL: all
    source: Mapped[str] = mapped_column(Text)
    as_of: Mapped[dt.date] = mapped_column(Date)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(String(40))
    people: Mapped[int] = mapped_column(Integer)
    replaced_by_id: Mapped[int | None] = mapped_column(Integer)


class RosterPerson(Base):
    """One person of a roster, with the household head when the sheet names one."""

    __tablename__ = "roster_people"
    __table_args__ = (Index(None, "roster_id", "id_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id"))
    row: Mapped[int] = mapped_column(Integer)
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(40))
    head_id_number: Mapped[str | None] = mapped_column(String(18))
    head_name: Mapped[str | None] = mapped_column(String(40))
    relation: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(40))
    ended: Mapped[bool] = mapped_column(Boolean, default=False)


class HintConfirmation(Base):
    """A roster hint a clerk marked 已核实，情况属实, with the reason.

    ``fingerprint`` is the record's data when it was marked: the hint stays hidden only
    while the record is unchanged.
    """

    __tablename__ = "hint_confirmations"
    __table_args__ = (Index(None, "ledger", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ledger: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    operator: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class RosterHintRow(Base):
    """A roster hint found by the last roster check, so 待核实 lists the record too.

    Replaced wholesale by each roster check; a record's rows go when the record is saved
    again (the next check decides anew).
    """

    __tablename__ = "roster_hints"
    __table_args__ = (Index(None, "ledger", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ledger: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Verification(Base):
    """One second keying of a record: who keyed, who verified, how many fields differed.

    ``details`` (JSON) holds, per mismatched field, the stored value, the re-keyed value and
    the one the verifier chose; the keyer statistics count these rows.
    """

    __tablename__ = "verifications"
    __table_args__ = (Index(None, "ledger", "record_id"), Index(None, "keyer"))
    id: Mapped[int] = mapped_column(primary_key=True)
    ledger: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    keyer: Mapped[str] = mapped_column(String(40))
    verifier: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    fields: Mapped[int] = mapped_column(Integer)
    mismatched: Mapped[int] = mapped_column(Integer)
    details: Mapped[str | None] = mapped_column(Text)


class RecordColumns:
    """Bookkeeping every ledger record carries.

    ``version`` gives optimistic locking (an edit from a stale copy is refused);
    ``deleted_at`` makes deletes soft; ``flagged`` and ``warnings`` keep the soft-check
    results so flagged records can be listed without re-validating.
    """

    if TYPE_CHECKING:  # given by the declarative base of each generated class
        __table__: ClassVar[Table]

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    warnings: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(40))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # On a county desk: the received submission (汇总报送) the record came from.
    source_submission_id: Mapped[int | None] = mapped_column(Integer)
    # Second keying (复核录入): who re-entered the verified fields blind, and when. Editing a
    # verified field clears both (the record is 已录入 again).
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    verified_by: Mapped[str | None] = mapped_column(String(40))


# Scaled kinds (money, area) are stored as whole hundredths: exact sums, portable SQL.
def column_type(field: Field) -> TypeEngine:
    kind = field.kind
    if kind in (Kind.MONEY, Kind.DECIMAL):
        return BigInteger()
    if kind is Kind.INTEGER:
        return Integer()
    if kind is Kind.DATE:
        return Date()
    if kind is Kind.YES_NO:
        return Boolean()
    if kind is Kind.ID_NUMBER:
        return String(18)
    if kind is Kind.PHONE:
        return String(20)
    if kind is Kind.SCHOOL_YEAR:
        return String(9)
    if kind in (Kind.COUNTY, Kind.TOWNSHIP):
        return String(12)
    if kind is Kind.CHOICE:
        return String(max(len(c) for c in field.choices) + 4)
    return String(field.max_length)


def sort_key_type(field: Field) -> TypeEngine:
    """A pinyin sort key (see ``domain/pinyin.py``): up to seven letters per character plus
    the text itself. PostgreSQL must compare it byte-wise (``COLLATE "C"``), as SQLite does."""
    length = 8 * field.max_length + 8
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def _record_attributes(ledger: Ledger) -> dict[str, object]:
    attributes: dict[str, object] = {"__tablename__": ledger.table_name}
    for f in ledger.stored_fields:
        if f.kind in (Kind.COUNTY, Kind.TOWNSHIP):
            attributes[f.name] = mapped_column(
                ForeignKey("divisions.code"), nullable=not f.required
            )
        else:
            attributes[f.name] = mapped_column(column_type(f), nullable=True)
    for name in pinyin_sorted(ledger):
        attributes[sort_column(name)] = mapped_column(
            sort_key_type(ledger.field(name)), nullable=True
        )
    for name in initials_searched(ledger):
        attributes[initials_column(name)] = mapped_column(
            String(ledger.field(name).max_length), nullable=True
        )
    live = text("deleted_at IS NULL")
    attributes["__table_args__"] = (
        # A natural key may repeat only among deleted records, and across townships: a
        # county desk must hold both townships' copies of a double payment to report it.
        # Within one desk the record service still refuses any live duplicate.
        Index(
            f"uq_{ledger.table_name}_natural_key",
            "township_code",
            *ledger.natural_key,
            unique=True,
            sqlite_where=live,
            postgresql_where=live,
        ),
        Index(None, "township_code", ledger.main_date),
        Index(None, "deleted_at", "flagged"),
        Index(None, "updated_at"),
        *(Index(None, name) for name in ledger.search_fields),
        # Pinyin order over live records straight from an index, no sorting of 100,000 rows.
        *(
            Index(None, sort_column(name), "id", sqlite_where=live, postgresql_where=live)
            for name in pinyin_sorted(ledger)
        ),
        # The search box's LIKE '%...%' reads this narrow index instead of the wide rows.
        Index(
            f"ix_{ledger.table_name}_search",
            "deleted_at",
            *ledger.search_fields,
            *(initials_column(name) for name in initials_searched(ledger)),
        ),
    )
    return attributes


@cache
def record_model(ledger: Ledger) -> type[RecordColumns]:
    """The mapped class of a ledger's table, created once from its declaration."""
    class_name = "".join(part.title() for part in ledger.key.split("_")) + "Record"
    return type(class_name, (RecordColumns, Base), _record_attributes(ledger))


def register_all() -> None:
    """Map every ledger so ``Base.metadata`` (and Alembic) sees all tables."""
    for ledger in all_ledgers():
        record_model(ledger)


register_all()
