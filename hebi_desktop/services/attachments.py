"""Attachments of one ledger's records: attach, list, read, delete and restore.

Every change is one transaction with its audit entry (``attach``, ``detach``,
``reattach``) under the record, like the record's own changes. Content goes to the
book's blob store first (stored once per SHA-256, see ``storage/blobs.py``), then the
rows are committed: a crash in between leaves an unreferenced file, never a row
without its content. Several files attach all together or not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, cast

from sqlalchemy import ColumnElement, Connection, Table, and_, func, insert, select, update

from hebi_desktop.domain.attachments import Evidence
from hebi_desktop.domain.fields import Ledger
from hebi_desktop.errors import Cancelled, RecordNotFound, StaleRecord, UserError
from hebi_desktop.services import audit
from hebi_desktop.services.photos import DEFAULT_LONG_SIDE, Prepared, prepare
from hebi_desktop.services.querying import missing_evidence_clause
from hebi_desktop.services.settings import ATTACHMENT_KEEP_ORIGINAL, ATTACHMENT_LONG_SIDE
from hebi_desktop.storage.blobs import ContentDamaged, ContentLocked, ContentMissing, sha256_of
from hebi_desktop.storage.models import Attachment, record_model

if TYPE_CHECKING:
    from hebi_desktop.services.transactions import Attaching

log = logging.getLogger(__name__)

Progress = Callable[[int, int], bool]  # (done, total) → False to cancel


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    """One attachment as lists, the viewer and the archive print show it."""

    id: int
    ledger: str
    record_id: int
    kind: str
    caption: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    taken_at: dt.datetime | None
    latitude: float | None
    longitude: float | None
    created_at: dt.datetime
    created_by: str
    deleted_at: dt.datetime | None
    original_sha256: str | None = None

    @property
    def is_photo(self) -> bool:
        return self.media_type.startswith("image/")

    @property
    def suffix(self) -> str:
        return (
            ".pdf"
            if self.media_type == "application/pdf"
            else (".png" if self.media_type == "image/png" else ".jpg")
        )


@dataclass(frozen=True, slots=True)
class NewAttachment:
    """One file to attach: to which record, as which kind, with which caption."""

    record_id: int
    path: Path
    kind: str
    caption: str = ""
    # What a manifest says of a file carried from another desk (its EXIF may be gone).
    taken_at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    file_name: str | None = None


def _info(row: object) -> AttachmentInfo:
    m = row._mapping  # type: ignore[attr-defined]
    values = {f.name: m[f.name] for f in fields(AttachmentInfo)}
    return AttachmentInfo(**{**values, "caption": values["caption"] or ""})


def read_failure(error: Exception) -> UserError:
    """The clerk's message for content that cannot be read back."""
    if isinstance(error, ContentLocked):
        return UserError("附件已加密，需要数据库密钥才能打开")
    if isinstance(error, ContentDamaged):
        return UserError("附件文件已损坏或被改动（校验值不符），请从备份恢复")
    return UserError("附件文件不见了（附件文件夹被移动或删除？），请从备份恢复")


class AttachmentService:
    def __init__(self, book: Attaching, ledger: Ledger) -> None:
        self.book = book
        self.ledger = ledger
        self.rules = ledger.attachments
        self.table = cast(Table, Attachment.__table__)
        self.records = record_model(ledger).__table__

    # --- settings -----------------------------------------------------------------

    def long_side(self) -> int:
        value = self.book.settings.get(ATTACHMENT_LONG_SIDE)
        return int(value) if value and value.isdigit() and int(value) >= 320 else DEFAULT_LONG_SIDE

    def keep_original(self) -> bool:
        return self.book.settings.get(ATTACHMENT_KEEP_ORIGINAL) == "1"

    # --- reading ------------------------------------------------------------------

    def find(self, record_id: int | None = None, *, deleted: bool = False) -> list[AttachmentInfo]:
        """The live (or with ``deleted`` only the deleted) attachments, by record then
        kind order then when attached."""
        c = self.table.c
        query = select(self.table).where(
            c.ledger == self.ledger.key,
            c.deleted_at.is_not(None) if deleted else c.deleted_at.is_(None),
        )
        if record_id is not None:
            query = query.where(c.record_id == record_id)
        with self.book.reading() as connection:
            found = [_info(row) for row in connection.execute(query.order_by(c.record_id, c.id))]
        order = {name: i for i, name in enumerate(self.rules.kind_names)}
        return sorted(found, key=lambda a: (a.record_id, order.get(a.kind, len(order)), a.id))

    def get(self, attachment_id: int) -> AttachmentInfo:
        c = self.table.c
        with self.book.reading() as connection:
            row = connection.execute(
                select(self.table).where(c.id == attachment_id, c.ledger == self.ledger.key)
            ).first()
        if row is None:
            raise UserError(f"没有编号为{attachment_id}的附件")
        return _info(row)

    def content(self, attachment: AttachmentInfo) -> bytes:
        """The stored bytes, verified against their SHA-256."""
        try:
            return self.book.blob_store.get(attachment.sha256)
        except (ContentMissing, ContentDamaged, ContentLocked) as error:
            log.warning("attachment %d unreadable: %s", attachment.id, type(error).__name__)
            raise read_failure(error) from None

    def counts(self, record_ids: Iterable[int] | None = None) -> dict[int, int]:
        """Live attachments per record (the ledger table's 附件 column)."""
        c = self.table.c
        query = (
            select(c.record_id, func.count())
            .where(c.ledger == self.ledger.key, c.deleted_at.is_(None))
            .group_by(c.record_id)
        )
        if record_ids is not None:
            query = query.where(c.record_id.in_(list(record_ids)))
        with self.book.reading() as connection:
            return {record_id: count for record_id, count in connection.execute(query)}

    # --- evidence -----------------------------------------------------------------

    def evidence_clause(self, evidence: Evidence) -> ColumnElement[bool]:
        """SQL: a live record that matches the rule and lacks a live attachment of its kind."""
        clause = missing_evidence_clause(self.ledger, self.records, evidence)
        return and_(self.records.c.deleted_at.is_(None), clause)

    def missing_evidence(
        self, record_ids: Sequence[int] | None = None
    ) -> list[tuple[int, Evidence]]:
        """(record id, broken rule) for every live record lacking declared evidence."""
        found: list[tuple[int, Evidence]] = []
        with self.book.reading() as connection:
            for evidence in self.rules.evidence:
                query = select(self.records.c.id).where(self.evidence_clause(evidence))
                if record_ids is not None:
                    query = query.where(self.records.c.id.in_(list(record_ids)))
                found.extend((rid, evidence) for rid in connection.scalars(query.order_by("id")))
        return sorted(found, key=lambda pair: pair[0])

    def missing_counts(self) -> dict[str, int]:
        """Records lacking each rule's evidence, by rule code (the overview's figures)."""
        counts: dict[str, int] = {}
        with self.book.reading() as connection:
            for evidence in self.rules.evidence:
                counts[evidence.code] = (
                    connection.scalar(
                        select(func.count())
                        .select_from(self.records)
                        .where(self.evidence_clause(evidence))
                    )
                    or 0
                )
        return counts

    # --- writing ------------------------------------------------------------------

    def attach(
        self, record_id: int, path: Path, kind: str, caption: str = "", operator: str | None = None
    ) -> AttachmentInfo:
        """Attach one file to one record."""
        return self.attach_many([NewAttachment(record_id, path, kind, caption)], operator)[0]

    def attach_many(
        self,
        items: Sequence[NewAttachment],
        operator: str | None = None,
        progress: Progress | None = None,
    ) -> list[AttachmentInfo]:
        """Attach every item, all or nothing. ``progress(done, total)`` may return False to
        cancel; then nothing is attached (``UserError``)."""
        for item in items:
            if item.kind not in self.rules.kind_names:
                raise UserError(
                    f"附件类别“{item.kind}”不是{self.ledger.nav_title}台账的类别"
                    f"（可选：{'、'.join(self.rules.kind_names)}）"
                )
        long_side, keep = self.long_side(), self.keep_original()
        prepared: list[tuple[NewAttachment, dict[str, object]]] = []
        for done, item in enumerate(items):
            if progress is not None and progress(done, len(items)) is False:
                raise Cancelled
            prepared.append((item, self._store(item.path, long_side, keep)))
        if progress is not None:
            progress(len(items), len(items))
        operator = operator or self.book.operator
        now = dt.datetime.now()
        ids: list[int] = []
        with self.book.writing() as connection:
            self._require_live(connection, {item.record_id for item in items})
            for item, row in prepared:
                for name in ("taken_at", "latitude", "longitude"):
                    if getattr(item, name) is not None:
                        row[name] = getattr(item, name)
                row.update(
                    ledger=self.ledger.key,
                    record_id=item.record_id,
                    kind=item.kind,
                    caption=item.caption.strip() or None,
                    file_name=item.file_name or item.path.name,
                    created_at=now,
                    created_by=operator,
                )
                new_id = connection.execute(insert(self.table).values(row)).inserted_primary_key
                assert new_id is not None
                ids.append(int(new_id[0]))
                self._audit(connection, item.record_id, "attach", None, row, operator, now)
        log.info("attached %d files to %s records", len(ids), self.ledger.key)
        by_id = {a.id: a for a in self._fetch(ids)}
        return [by_id[i] for i in ids]

    def _store(self, path: Path, long_side: int, keep: bool) -> dict[str, object]:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise UserError(f"无法读取文件“{path.name}”（{error.strerror or error}）") from None
        source = sha256_of(data)
        earlier = self._earlier(source, long_side)
        if earlier is not None:
            return earlier
        item: Prepared = prepare(data, path.name, long_side=long_side, keep_original=keep)
        store = self.book.blob_store
        store.put(item.sha256, item.content)
        original = None
        if item.original is not None:
            original = item.source_sha256
            store.put(original, item.original)
        return {
            "media_type": item.media_type,
            "size": len(item.content),
            "sha256": item.sha256,
            "source_sha256": item.source_sha256,
            "original_sha256": original,
            "width": item.width,
            "height": item.height,
            "taken_at": item.taken_at,
            "latitude": item.latitude,
            "longitude": item.longitude,
        }

    def _earlier(self, source_sha256: str, long_side: int) -> dict[str, object] | None:
        """The stored form of the same file attached before (by the SHA-256 of the file as
        given): attaching a photo again reuses it without decoding it again."""
        c = self.table.c
        columns = (
            c.media_type,
            c.size,
            c.sha256,
            c.source_sha256,
            c.original_sha256,
            c.width,
            c.height,
            c.taken_at,
            c.latitude,
            c.longitude,
        )
        with self.book.reading() as connection:
            row = connection.execute(
                select(*columns).where(c.source_sha256 == source_sha256).limit(1)
            ).first()
        if row is None:
            return None
        values = dict(row._mapping)
        width, height = values["width"], values["height"]
        if width and height and max(width, height) > long_side:
            return None  # stored larger than now wanted: prepare again
        if self.book.blob_store.missing([str(values["sha256"])]):
            return None
        return values

    def _require_live(self, connection: Connection, record_ids: set[int]) -> None:
        r = self.records.c
        live = set(
            connection.scalars(
                select(r.id).where(r.id.in_(sorted(record_ids)), r.deleted_at.is_(None))
            )
        )
        for record_id in sorted(record_ids - live):
            raise RecordNotFound(record_id)

    def set_deleted(
        self, attachment_id: int, *, deleted: bool, operator: str | None = None
    ) -> AttachmentInfo:
        """Soft delete (``deleted``) or restore one attachment, audited under its record."""
        operator = operator or self.book.operator
        now = dt.datetime.now()
        c = self.table.c
        with self.book.writing() as connection:
            row = connection.execute(
                select(self.table).where(c.id == attachment_id, c.ledger == self.ledger.key)
            ).first()
            if row is None:
                raise UserError(f"没有编号为{attachment_id}的附件")
            info = _info(row)
            if (info.deleted_at is not None) == deleted:
                raise StaleRecord(info.record_id)
            if not deleted:
                self._require_live(connection, {info.record_id})
            connection.execute(
                update(self.table)
                .where(c.id == attachment_id)
                .values(deleted_at=now if deleted else None)
            )
            action = "detach" if deleted else "reattach"
            self._audit(connection, info.record_id, action, info, None, operator, now)
        return self.get(attachment_id)

    def delete(self, attachment_id: int, operator: str | None = None) -> AttachmentInfo:
        return self.set_deleted(attachment_id, deleted=True, operator=operator)

    def restore(self, attachment_id: int, operator: str | None = None) -> AttachmentInfo:
        return self.set_deleted(attachment_id, deleted=False, operator=operator)

    def set_caption(self, attachment_id: int, caption: str, operator: str | None = None) -> None:
        operator = operator or self.book.operator
        now = dt.datetime.now()
        info = self.get(attachment_id)
        with self.book.writing() as connection:
            connection.execute(
                update(self.table)
                .where(self.table.c.id == attachment_id)
                .values(caption=caption.strip() or None)
            )
            audit.write_entry(
                connection,
                operator=operator,
                ledger=self.ledger.key,
                record_id=info.record_id,
                action="update",
                changes={"附件说明": [info.caption or None, caption.strip() or None]},
                at=now,
            )

    def _audit(
        self,
        connection: Connection,
        record_id: int,
        action: str,
        old: AttachmentInfo | None,
        new: dict[str, object] | None,
        operator: str,
        now: dt.datetime,
    ) -> None:
        if old is not None:
            text = f"{old.kind} {old.file_name}"
        else:
            assert new is not None
            text = f"{new['kind']} {new['file_name']}"
        before, after = (text, None) if action == "detach" else (None, text)
        audit.write_entry(
            connection,
            operator=operator,
            ledger=self.ledger.key,
            record_id=record_id,
            action=action,
            changes={"附件": [before, after]},
            at=now,
        )

    def _fetch(self, ids: Sequence[int]) -> list[AttachmentInfo]:
        c = self.table.c
        found: list[AttachmentInfo] = []
        with self.book.reading() as connection:
            for start in range(0, len(ids), 1000):
                chunk = list(ids[start : start + 1000])
                found.extend(
                    _info(row)
                    for row in connection.execute(select(self.table).where(c.id.in_(chunk)))
                )
        return found
