"""The roster check's report workbook: one row per hint, ID numbers masked.

The report goes to people who answer the hints (township clerks, village officials); the
record number and the masked ID find the record, a full ID number is not needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from hebi_desktop.domain.resident_id import mask
from hebi_desktop.exchange.tables import TableSheet, write_tables
from hebi_desktop.services.roster_checks import RosterHint

HEADERS = ("序号", "类别", "说明", "依据", "台账", "记录编号", "乡镇", "行政村", "姓名", "身份证号")


def write_roster_hints(
    target: Path, hints: Sequence[RosterHint], protected: Mapping[Path, str] | None = None
) -> Path:
    rows = [
        (
            number,
            hint.rule.label,
            hint.message,
            hint.rule.explanation,
            hint.ledger.title,
            hint.record.record_id,
            hint.record.township_name,
            hint.record.village,
            hint.record.name,
            mask(hint.record.id_number) if hint.record.id_number else "",
        )
        for number, hint in enumerate(hints, start=1)
    ]
    sheet = TableSheet("名单核查", "与比对名单核对结果", HEADERS, rows)
    return write_tables(target, [sheet], title="与比对名单核对结果", protected=protected)
