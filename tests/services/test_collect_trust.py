"""The county believes rows, not stamps: edited, shrinking and stale submissions."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from hebi_desktop.county.collect import (
    AUDIT_COLLECT_EDITED,
    Choices,
    Status,
    collect_files,
)
from hebi_desktop.county.collect_checks import ShrinkLimit
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.storage.models import AuditEntry, ReceivedSubmission
from tests.cli_helpers import call
from tests.county_helpers import (
    BEIYANG,
    counts_by_township,
    county_desk,
    export_all,
    fill,
    housing_rows,
    township_desk,
)


def _export(folder: Path, name: str, houses: int = 6) -> Path:
    with township_desk(folder, BEIYANG) as desk:
        if not desk.records("housing").count(RecordQuery()):
            fill(desk, "housing", housing_rows(BEIYANG, houses, 300))
        return export_all(desk, folder / name)


def _edited_copy(original: Path, target: Path, *, drop_last: bool = False) -> Path:
    """What a clerk does in Excel: change a cell (or delete a row), save; stamp untouched."""
    workbook = load_workbook(original)
    sheet = next(ws for ws in workbook.worksheets if "住房" in ws.title)
    header_row = next(r for r in range(1, 10) if any(c.value == "户主姓名" for c in sheet[r]))
    name_column = next(c.column for c in sheet[header_row] if c.value == "户主姓名")
    sheet.cell(header_row + 1, name_column).value = "王改名"
    if drop_last:
        last = max(r for r in range(header_row + 1, sheet.max_row + 1) if sheet.cell(r, 1).value)
        sheet.delete_rows(last - 1)
    workbook.save(target)
    return target


def test_edited_copy_arriving_first_is_held_and_the_original_still_taken(tmp_path: Path) -> None:
    original = _export(tmp_path, "original.xlsx")
    edited = _edited_copy(original, tmp_path / "edited.xlsx")
    with county_desk(tmp_path) as county:
        (first,) = collect_files(county, [edited])
        assert not first.ok and first.waiting
        assert {p.status for p in first.parts} == {Status.HELD}
        assert "导出后被人改动过" in first.edits[0]
        assert counts_by_township(county, "housing") == {}
        (genuine,) = collect_files(county, [original])
        assert genuine.ok and not genuine.edits
        housing = next(p for p in genuine.parts if p.ledger.key == "housing")
        assert housing.status is Status.NEW and housing.inserted == 6


def test_corrected_copy_after_the_original_is_explained_not_ignored(tmp_path: Path) -> None:
    original = _export(tmp_path, "original.xlsx")
    edited = _edited_copy(original, tmp_path / "edited.xlsx", drop_last=True)
    with county_desk(tmp_path) as county:
        collect_files(county, [original])
        (held,) = collect_files(county, [edited])
        assert held.waiting and held.parts[0].status is Status.HELD
        text = "\n".join(held.edits)
        assert "报送标识为6条，文件中有5条（少1条）" in text
        assert "内容不同1条" in text and "缺少1条" in text and "身份证号" in text
        (accepted,) = collect_files(county, [edited], choices=Choices(accept_edited=True))
        assert accepted.ok
        assert counts_by_township(county, "housing") == {BEIYANG: 5}
        names = [r.values["head_name"] for r in county.records("housing").list(RecordQuery())]
        assert "王改名" in names
        with county.reading() as connection:
            actions = set(connection.scalars(select(AuditEntry.action)))
            filters = connection.scalars(select(ReceivedSubmission.filters)).all()
        assert AUDIT_COLLECT_EDITED in actions
        assert any("accepted_edited" in (f or "") for f in filters)


def test_empty_full_submission_never_empties_a_township(tmp_path: Path) -> None:
    first = _export(tmp_path, "first.xlsx")
    with township_desk(tmp_path, BEIYANG) as desk:
        service = desk.records("housing")
        for record_id in service.ids(RecordQuery()):
            service.delete(record_id)
        empty = export_all(desk, tmp_path / "empty.xlsx")
    with county_desk(tmp_path) as county:
        collect_files(county, [first])
        (held,) = collect_files(county, [empty])
        assert held.waiting and "没有任何记录" in held.shrinks[0] and "6条" in held.shrinks[0]
        assert counts_by_township(county, "housing") == {BEIYANG: 6}
        (applied,) = collect_files(county, [empty], choices=Choices(allow_shrink=True))
        assert applied.ok and counts_by_township(county, "housing") == {}


def test_full_submission_retiring_too_many_is_held(tmp_path: Path) -> None:
    first = _export(tmp_path, "first.xlsx")
    with township_desk(tmp_path, BEIYANG) as desk:
        service = desk.records("housing")
        for record_id in service.ids(RecordQuery(sort="id"))[:3]:
            service.delete(record_id)
        smaller = export_all(desk, tmp_path / "smaller.xlsx")
    with county_desk(tmp_path) as county:
        collect_files(county, [first])
        strict = Choices(shrink_limit=ShrinkLimit(share=0.2, records=2))
        (held,) = collect_files(county, [smaller], choices=strict)
        assert held.waiting and "有3条将被删除" in held.shrinks[0]
        assert counts_by_township(county, "housing") == {BEIYANG: 6}
        (taken,) = collect_files(county, [smaller])  # default: max(20 %, 50 records)
        assert taken.ok and counts_by_township(county, "housing") == {BEIYANG: 3}


def _full_then_incremental(folder: Path) -> tuple[Path, Path]:
    with township_desk(folder, BEIYANG) as desk:
        fill(desk, "housing", housing_rows(BEIYANG, 4, 300))
        full = export_all(desk, folder / "full.xlsx")
        time.sleep(1.1)  # stamps tell time to the second
        fill(desk, "housing", housing_rows(BEIYANG, 1, 990))
        newer = export_all(desk, folder / "inc.xlsx", since_last_submission=True)
    return full, newer


def test_older_full_after_newer_incremental_in_one_run(tmp_path: Path) -> None:
    full, newer = _full_then_incremental(tmp_path)
    with county_desk(tmp_path) as county:
        results = collect_files(county, [newer, full])
        assert [r.path for r in results] == [newer, full]
        assert all(r.ok for r in results)
        assert counts_by_township(county, "housing") == {BEIYANG: 5}


def test_older_full_in_a_later_run_is_refused_as_stale(tmp_path: Path) -> None:
    full, newer = _full_then_incremental(tmp_path)
    with county_desk(tmp_path) as county:
        collect_files(county, [newer])
        (stale,) = collect_files(county, [full])
        assert stale.refused and stale.refused.startswith("较旧的报送，已有 ")
        assert "日的报送" in stale.refused
        assert counts_by_township(county, "housing") == {BEIYANG: 1}


def test_command_counts_honestly_and_holds_edited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = _export(tmp_path, "original.xlsx")
    edited = _edited_copy(original, tmp_path / "edited.xlsx")
    db = str(tmp_path / "command.sqlite")
    call(capsys, "--db", db, "settings", "--create", "--county", "淇县", "--scope", "county")
    code, out, _err = call(capsys, "--db", db, "collect", str(edited))
    assert code == 1 and "暂不接收 1 个" in out and "--accept-edited" in out, out
    code, out, _err = call(capsys, "--db", db, "collect", str(original))
    assert code == 0 and "已接收 1 个" in out, out
    code, out, _err = call(capsys, "--db", db, "collect", str(original))
    assert code == 0 and "已接收 0 个" in out and "已接收过 1 个" in out, out
    code, out, _err = call(capsys, "--db", db, "collect", str(edited), "--accept-edited")
    assert code == 0 and "已接收 1 个" in out, out


def test_shrink_limit_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _export(tmp_path, "first.xlsx")
    with township_desk(tmp_path, BEIYANG) as desk:
        service = desk.records("housing")
        for record_id in service.ids(RecordQuery(sort="id"))[:3]:
            service.delete(record_id)
        smaller = export_all(desk, tmp_path / "smaller.xlsx")
    db = str(tmp_path / "command.sqlite")
    call(capsys, "--db", db, "settings", "--create", "--county", "淇县", "--scope", "county")
    call(capsys, "--db", db, "collect", str(first))
    code, out, _err = call(capsys, "--db", db, "collect", str(smaller), "--shrink-limit", "20,2")
    assert code == 1 and "有3条将被删除" in out and "暂不接收 1 个" in out, out
    code, _out, err = call(capsys, "--db", db, "collect", str(smaller), "--shrink-limit", "x")
    assert code == 1 and "百分比,条数" in err
    code, out, _err = call(capsys, "--db", db, "collect", str(smaller), "--shrink-limit", "50,0")
    assert code == 0 and "已接收 1 个" in out, out
