"""What a county checks before it believes a submission: its content, its size, its age.

A workbook's stamp (``exchange/metadata.py``) is a claim made at export time; anyone can
open the file afterwards, change a cell or delete rows, and save it with the stamp intact.
So the county recomputes the content hash from the rows it actually read, in the form the
exporter hashed (the stored values, :func:`services.convert.stored_values`), and treats a
mismatch as an *edited* submission. A full submission that would empty or shrink a township
is held, and a submission older than one already taken in is *stale*. Each check says in
Chinese what it found, so the county can decide (``--accept-edited``, ``--allow-shrink``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Ledger
from hebi_desktop.exchange.metadata import FULL, INCREMENTAL, ContentDigest, SubmissionMeta
from hebi_desktop.services.convert import stored_names, stored_values
from hebi_desktop.storage.models import ReceivedSubmission, record_model

if TYPE_CHECKING:
    from hebi_desktop.services.settings import SettingsService

SHRINK_SHARE = "collect_shrink_share"  # percent of a township's live records (default 20)
SHRINK_RECORDS = "collect_shrink_records"  # at least this many records (default 50)
NAMED_KEYS = 5  # record keys named per kind of difference


@dataclass(frozen=True)
class ShrinkLimit:
    """How many records a full submission may retire before it is held: the larger of a share
    of the township's live records and a count."""

    share: float = 0.2
    records: int = 50

    def allows(self, live: int, retired: int) -> bool:
        return retired <= max(math.ceil(self.share * live), self.records)

    @classmethod
    def from_settings(cls, settings: SettingsService) -> ShrinkLimit:
        default = cls()
        try:
            share = float(settings.get(SHRINK_SHARE) or default.share * 100) / 100
            records = int(settings.get(SHRINK_RECORDS) or default.records)
        except ValueError:
            return default
        return cls(max(share, 0.0), max(records, 0))


def recomputed_content_hash(parts: Sequence[Any]) -> str:
    """The content hash of the rows read, as :class:`ContentDigest` hashed them on export."""
    digest = ContentDigest()
    for part in parts:
        ledger = part.ledger
        digest.add(ledger.key, (stored_values(ledger, c.values) for c in part.checked))
    return digest.hexdigest()


def _file_key(ledger: Ledger, values: dict[str, Any]) -> tuple[Any, ...]:
    return (values["township_code"], *(values[n] for n in ledger.natural_key))


def _held(connection: Connection, part: Any) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """The county's live records of the part's townships: key -> stored values."""
    ledger = part.ledger
    table = record_model(ledger).__table__
    names = stored_names(ledger)
    keys = [names.index(n) for n in ("township_code", *ledger.natural_key)]
    statement = select(*(table.c[n] for n in names)).where(
        table.c.township_code.in_(part.townships), table.c.deleted_at.is_(None)
    )
    held = {}
    for row in connection.execute(statement):
        values = tuple(row)
        held[tuple(values[i] for i in keys)] = values
    return held


def _named(ledger: Ledger, keys: list[dict[str, Any]]) -> str:
    shown = "；".join(ledger.key_text(values) for values in keys[:NAMED_KEYS])
    more = f"；……共{len(keys)}条" if len(keys) > NAMED_KEYS else ""
    return f"（{shown}{more}）"


def explain_edit(connection: Connection, meta: SubmissionMeta, parts: Sequence[Any]) -> list[str]:
    """What differs between an edited file and what was exported, as far as can be told: the
    row counts against the stamp, and each record against the county's copy of it."""
    lines = ["文件内容与导出时的报送标识不符：导出后被人改动过（增删了行或改了单元格）"]
    for part in parts:
        ledger = part.ledger
        declared = meta.rows.get(ledger.key)
        if declared is not None and declared != part.rows_read:
            more = part.rows_read - declared
            lines.append(
                f"{ledger.title}：报送标识为{declared}条，文件中有{part.rows_read}条"
                f"（{'多' if more > 0 else '少'}{abs(more)}条）"
            )
        held = _held(connection, part)
        if not held:
            continue
        names = stored_names(ledger)
        added, changed = [], []
        seen = set()
        for checked in part.checked:
            key = _file_key(ledger, checked.values)
            seen.add(key)
            old = held.get(key)
            if old is None:
                added.append(checked.values)
            elif old != stored_values(ledger, checked.values):
                changed.append(checked.values)
        removed = [dict(zip(names, held[key], strict=True)) for key in held if key not in seen]
        compared = []
        if added:
            compared.append(f"新增{len(added)}条{_named(ledger, added)}")
        if removed:
            compared.append(f"缺少{len(removed)}条{_named(ledger, removed)}")
        if changed:
            compared.append(f"内容不同{len(changed)}条{_named(ledger, changed)}")
        place = "、".join(divisions().name(code) for code in part.townships)
        lines.append(
            f"{ledger.title}与本县区已有的{place}记录相比："
            + ("，".join(compared) if compared else "没有不同")
        )
    return lines


def shrink_reasons(connection: Connection, part: Any, limit: ShrinkLimit) -> list[str]:
    """Why a full submission would empty or shrink its township too much (empty: it would not)."""
    ledger = part.ledger
    place = "、".join(divisions().name(code) for code in part.townships) or "该乡镇"
    table = record_model(ledger).__table__
    names = ("township_code", *ledger.natural_key)
    live = {
        tuple(row)
        for row in connection.execute(
            select(*(table.c[n] for n in names)).where(
                table.c.township_code.in_(part.townships), table.c.deleted_at.is_(None)
            )
        )
    }
    if not live:
        return []  # nothing to empty (a township without water repairs sends an empty sheet)
    if part.rows_read == 0:
        return [
            f"{ledger.title}：全量报送中没有任何记录，接收后{place}已有的{len(live)}条记录"
            "将全部被删除"
        ]
    kept = {_file_key(ledger, c.values) for c in part.checked}
    retired = len(live - kept)
    if limit.allows(len(live), retired):
        return []
    return [
        f"{ledger.title}：全量报送只有{part.rows_read}条，接收后{place}已有的{len(live)}条记录中"
        f"有{retired}条将被删除（超过{limit.share:.0%}或{limit.records}条的上限）"
    ]


def newer_received(
    connection: Connection, meta: SubmissionMeta | None, part: Any
) -> dt.datetime | None:
    """The export time of a newer submission already taken in for the same township and
    ledger that covers its whole ledger (full or incremental); ``None`` if there is none."""
    if meta is None or meta.exported_at is None or len(part.townships) != 1:
        return None
    table = ReceivedSubmission.__table__
    newest = connection.scalar(
        select(func.max(table.c.exported_at)).where(
            table.c.ledger == part.ledger.key,
            table.c.township_code == part.townships[0],
            table.c.mode.in_((FULL, INCREMENTAL)),
            table.c.exported_at > meta.exported_at,
        )
    )
    return newest if isinstance(newest, dt.datetime) else None


def stale_message(exported_at: dt.datetime, newer: dt.datetime) -> str:
    return (
        f"较旧的报送，已有 {newer.month} 月 {newer.day} 日的报送"
        f"（{newer:%Y-%m-%d %H:%M} 导出；本文件 {exported_at:%Y-%m-%d %H:%M} 导出），"
        "不能用旧数据覆盖新数据"
    )
