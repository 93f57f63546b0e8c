"""汇总报送: three townships' exports and one hand-made workbook collected at the county."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hebi_desktop.county.collect import Status, collect_file, collect_files, inspect_file
from hebi_desktop.errors import UserError
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.settings import SCOPE, SCOPE_TOWNSHIP
from hebi_desktop.storage.models import AuditEntry, ReceivedSubmission, record_model
from tests.county_helpers import (
    BEIYANG,
    GAOCUN,
    MIAOKOU,
    SHANTANG,
    XIGANG,
    counts_by_township,
    county_desk,
    education_rows,
    export_all,
    fill,
    hand_made_water,
    housing_rows,
    township_desk,
    water_rows,
)

SIZES = {BEIYANG: (6, 4, 2), GAOCUN: (5, 3, 3), XIGANG: (4, 2, 1)}  # housing, education, water


@dataclass
class Files:
    folder: Path
    exported: dict[str, Path]
    hand_made: Path


@pytest.fixture
def files(tmp_path: Path) -> Files:
    exported = {}
    for index, (township, (houses, students, repairs)) in enumerate(SIZES.items()):
        with township_desk(tmp_path, township) as desk:
            fill(desk, "housing", housing_rows(township, houses, 100 * (index + 1)))
            fill(desk, "education", education_rows(township, students, 100 * (index + 1) + 50))
            fill(desk, "water", water_rows(township, repairs))
            exported[township] = export_all(desk, tmp_path / f"{township}.xlsx")
    hand_made = hand_made_water(tmp_path / "庙口镇供水.xlsx", "庙口", water_rows(MIAOKOU, 3))
    return Files(tmp_path, exported, hand_made)


def audit_count(book: Book) -> int:
    with book.reading() as connection:
        return int(connection.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_three_townships_and_a_hand_made_book_are_counted_per_township(files: Files) -> None:
    with county_desk(files.folder) as county:
        results = collect_files(county, [*files.exported.values(), files.hand_made])
        assert all(r.ok for r in results)
        assert counts_by_township(county, "housing") == {BEIYANG: 6, GAOCUN: 5, XIGANG: 4}
        assert counts_by_township(county, "education") == {BEIYANG: 4, GAOCUN: 3, XIGANG: 2}
        assert counts_by_township(county, "water") == {
            BEIYANG: 2,
            GAOCUN: 3,
            XIGANG: 1,
            MIAOKOU: 3,
        }
        hand = results[-1]
        assert hand.meta is None and hand.parts[0].townships == (MIAOKOU,)
        assert hand.parts[0].ledger.key == "water" and hand.parts[0].status is Status.NEW
        assert all(not p.problems for r in results for p in r.parts)  # real village names
        # every record remembers the submission it came from
        with county.reading() as connection:
            table = record_model(county.records("housing").ledger).__table__
            sources = connection.execute(
                select(ReceivedSubmission.township_code, ReceivedSubmission.unit)
                .join(table, table.c.source_submission_id == ReceivedSubmission.id)
                .where(table.c.township_code == GAOCUN)
            ).all()
        assert sources and {row for row in sources} == {(GAOCUN, f"{GAOCUN}人民政府")}


def test_corrected_full_submission_replaces_only_its_township(files: Files) -> None:
    with county_desk(files.folder) as county:
        collect_files(county, files.exported.values())
        before_other = counts_by_township(county, "housing")
        with township_desk(files.folder, GAOCUN) as desk:
            service = desk.records("housing")
            first, second, *_ = service.ids(RecordQuery(sort="id"))
            service.delete(first)
            record = service.get(second)
            service.update(second, {**record.values, "remarks": "已更正"}, record.version)
            corrected = export_all(desk, files.folder / "corrected.xlsx")
        (result,) = collect_files(county, [corrected])
        housing = next(p for p in result.parts if p.ledger.key == "housing")
        assert housing.status is Status.REPLACEMENT and housing.removed == 5
        after = counts_by_township(county, "housing")
        assert after == {**before_other, GAOCUN: 4}
        remarks = [
            r.values.get("remarks")
            for r in county.records("housing").list(RecordQuery(township_code=GAOCUN))
        ]
        assert "已更正" in remarks
        # the replaced records are kept among the deleted ones, not lost
        deleted = county.records("housing").count(RecordQuery(township_code=GAOCUN, deleted=True))
        assert deleted == 5
        # each says in its history which submission replaced it
        service = county.records("housing")
        for record_id in service.ids(RecordQuery(township_code=GAOCUN, deleted=True)):
            last = service.history(record_id)[-1]
            assert last.action_label == "被新报送替换"
            assert set(last.changes) == {"replaced_by_submission"}


def test_same_file_twice_changes_nothing(files: Files) -> None:
    path = files.exported[BEIYANG]
    with county_desk(files.folder) as county:
        collect_files(county, [path])
        counts, entries = counts_by_township(county, "housing"), audit_count(county)
        (again,) = collect_files(county, [path])
        assert again.ok and {p.status for p in again.parts} == {Status.RECEIVED}
        assert counts_by_township(county, "housing") == counts
        assert audit_count(county) == entries
        # the same content exported again (another file, another time) is recognised too
        with township_desk(files.folder, BEIYANG) as desk:
            copy = export_all(desk, files.folder / "again.xlsx")
        (recognised,) = collect_files(county, [copy])
        assert {p.status for p in recognised.parts} == {Status.RECEIVED}
        assert audit_count(county) == entries


def test_incremental_submission_adds_and_removes_nothing(files: Files) -> None:
    with county_desk(files.folder) as county:
        collect_files(county, files.exported.values())
        with township_desk(files.folder, XIGANG) as desk:
            export_all(desk, files.folder / "sent.xlsx")  # recorded as the last submission
            fill(desk, "housing", housing_rows(XIGANG, 1, 990))
            increment = export_all(desk, files.folder / "inc.xlsx", since_last_submission=True)
        (result,) = collect_files(county, [increment])
        housing = next(p for p in result.parts if p.ledger.key == "housing")
        assert housing.mode == "incremental" and housing.status is Status.UPDATE
        assert (housing.inserted, housing.removed) == (1, 0)
        assert counts_by_township(county, "housing")[XIGANG] == 5


def test_workbook_of_another_county_is_refused(files: Files) -> None:
    with township_desk(files.folder, SHANTANG) as desk:
        fill(desk, "housing", housing_rows(SHANTANG, 2, 970))
        foreign = export_all(desk, files.folder / "浚县善堂镇.xlsx")
    with county_desk(files.folder) as county:
        (result,) = collect_files(county, [foreign])
        assert not result.ok and "浚县" in (result.refused or "")
        assert county.records("housing").count() == 0


def test_unknown_village_is_a_hint_not_a_refusal(files: Files) -> None:
    rows = water_rows(MIAOKOU, 2)
    rows[0]["village"] = rows[1]["village"][:-1] + "材"  # 村 mistyped as 材
    path = hand_made_water(files.folder / "typo.xlsx", "庙口", rows)
    with county_desk(files.folder) as county:
        (result,) = collect_files(county, [path])
        assert result.ok and county.records("water").count() == 2
        (hint,) = result.parts[0].problems
        assert rows[0]["village"] in hint and f"是否应为“{rows[1]['village']}”" in hint


def test_one_bad_row_refuses_the_whole_file(files: Files) -> None:
    rows = water_rows(MIAOKOU, 3)
    rows[1]["report_date"] = dt.date(2099, 1, 1)  # in the future
    bad = hand_made_water(files.folder / "bad.xlsx", "庙口", rows)
    with county_desk(files.folder) as county:
        (result,) = collect_files(county, [bad])
        assert not result.ok and result.parts[0].status is Status.REFUSED
        assert any(i.row == 4 and "报修日期" in i.column for i in result.parts[0].errors)
        assert county.records("water").count() == 0


def test_dry_run_previews_without_writing(files: Files) -> None:
    with county_desk(files.folder) as county:
        preview = inspect_file(county, files.exported[BEIYANG])
        assert [p.rows_read for p in preview.parts] == [6, 2, 4]
        result = collect_file(county, files.exported[BEIYANG], dry_run=True)
        assert result.ok and county.records("housing").count() == 0


def test_a_township_desk_cannot_collect(files: Files) -> None:
    with county_desk(files.folder) as county:
        county.settings.set(SCOPE, SCOPE_TOWNSHIP)
        with pytest.raises(UserError, match="县区"):
            collect_files(county, [files.exported[BEIYANG]])


def test_county_summary_has_every_township_and_totals_equal_stats(
    files: Files, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    from hebi_desktop.cli.stats import report
    from hebi_desktop.county.report import county_summary, not_submitted
    from hebi_desktop.domain.divisions import divisions
    from tests.cli_helpers import call

    with county_desk(files.folder) as county:
        collect_files(county, [files.exported[BEIYANG], files.exported[GAOCUN]])
        sections = county_summary(county)
        qixian = [t.code for t in divisions().townships_of("410622")]
        for section in sections:
            assert [r.code for r in section.rows] == qixian  # every township, even silent ones
            headline = county.stats.headline(section.ledger)
            assert section.total.figures == headline.figures
            for measure in section.ledger.measures:
                if measure.aggregate != "count_distinct":  # distinct counts need not add up
                    assert sum(r.value(measure.key) for r in section.rows) == headline.value(
                        measure.key
                    )
        housing = next(s for s in sections if s.ledger.key == "housing")
        assert housing.total.value("checks") == 11
        missing = not_submitted(county)
        assert {t.code for t in missing["housing"]} == set(qixian) - {BEIYANG, GAOCUN}
        assert not_submitted(county, "2001-01")["housing"][0].code == qixian[0]
        db = str(county.sqlite_file)
        stats_text = report(county, False)
    target = files.folder / "县区汇总.xlsx"
    code, out, _err = call(capsys, "--db", db, "summary", "-o", str(target))
    assert code == 0 and "未报送：" in out and "西岗镇" in out.split("未报送：")[1]
    sheet = load_workbook(target)["汇总"]
    totals = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "合计"]
    assert totals[0][2] == 11  # 排查次数, as stats says
    assert "排查次数" in stats_text and "11" in stats_text
    assert "未报送" in load_workbook(target).sheetnames


def test_collect_and_settings_commands(files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    from tests.cli_helpers import call

    db = str(files.folder / "command.sqlite")
    code, out, _err = call(
        capsys, "--db", db, "settings", "--create", "--county", "淇县", "--scope", "county"
    )
    assert code == 0 and "县区：淇县" in out and "工作范围：县区" in out
    code, out, _err = call(capsys, "--db", db, "settings", "--township", "北阳")
    assert code == 0 and "乡镇：北阳镇" in out
    code, _out, err = call(capsys, "--db", db, "settings", "--county", "淇县", "--township", "善堂")
    assert code == 1 and "善堂" in err
    call(capsys, "--db", db, "settings", "--scope", "county")
    paths = [str(p) for p in files.exported.values()]
    code, out, _err = call(capsys, "--db", db, "collect", *paths, "--dry-run")
    assert code == 0 and "试运行" in out and "新报送" in out
    bad_rows = water_rows(MIAOKOU, 2)
    bad_rows[0]["report_date"] = dt.date(2099, 1, 1)
    bad = hand_made_water(files.folder / "bad.xlsx", "庙口", bad_rows)
    report = files.folder / "结果.xlsx"
    code, out, _err = call(capsys, "--db", db, "collect", *paths, str(bad), "--report", str(report))
    assert code == 1 and "已接收 3 个，拒收 1 个" in out, out
    assert "第3行" in out, out
    problems = load_workbook(report)["问题"]
    assert any(row[2] == 3 for row in problems.iter_rows(min_row=3, values_only=True))
    code, out, _err = call(capsys, "--db", db, "collect", paths[0])
    assert code == 0 and "已接收过" in out
