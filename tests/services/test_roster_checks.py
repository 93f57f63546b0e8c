"""The roster rules, each positive and negative; the roster in force on the record's date;
已核实 marks that hide a hint until the record changes; the masked report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hebi_desktop.errors import UserError
from hebi_desktop.exchange.roster_import import import_roster
from hebi_desktop.exchange.roster_report import write_roster_hints
from hebi_desktop.services.book import Book
from hebi_desktop.services.roster_checks import check_rosters, confirm_hint
from tests.cli_helpers import call
from tests.roster_helpers import household, person_id, write_roster
from tests.samples import HOUSEHOLD_HEAD_ID, STUDENT_ID, education, housing

OTHER = person_id(1970, 77)
GUARDIAN = person_id(1984, 5)


def roster(
    book: Book, tmp_path: Path, kind: str, rows: list[list[object]], as_of: dt.date, **kw: str
) -> None:
    path = write_roster(tmp_path / f"{kind}-{as_of}.xlsx", rows)
    result = import_roster(book, kind, path, as_of=as_of, area=kw.get("area"))
    assert result.ok, result.errors


def hints(book: Book) -> list[tuple[str, int, str]]:
    return [(h.rule.code, h.record.record_id, h.message) for h in check_rosters(book).hints]


def test_housing_category_not_on_its_roster_is_a_hint_naming_roster_and_date(
    book: Book, tmp_path: Path
) -> None:
    roster(book, tmp_path, "tuopin", household("王某", OTHER), dt.date(2024, 3, 31), area="淇县")
    record = book.records("housing").create(housing()).record  # 脱贫户, checked 2024-05-09
    ((code, record_id, message),) = hints(book)
    assert (code, record_id) == ("housing_category", record.id)
    assert message == "户类别为“脱贫户”，但户主不在脱贫户名单（淇县，截至2024-03-31）中"
    assert HOUSEHOLD_HEAD_ID not in message


def test_a_head_on_the_roster_gives_no_hint(book: Book, tmp_path: Path) -> None:
    roster(book, tmp_path, "tuopin", household("张秀英", HOUSEHOLD_HEAD_ID), dt.date(2024, 3, 31))
    book.records("housing").create(housing())
    assert hints(book) == []


def test_no_roster_of_the_claimed_kind_means_nothing_to_compare(book: Book, tmp_path: Path) -> None:
    roster(book, tmp_path, "dibao", household("王某", OTHER), dt.date(2024, 3, 31))
    book.records("housing").create(housing())  # claims 脱贫户; only a 低保 roster exists
    assert hints(book) == []


def test_a_roster_of_another_area_does_not_cover_the_record(book: Book, tmp_path: Path) -> None:
    roster(book, tmp_path, "tuopin", household("王某", OTHER), dt.date(2024, 3, 31), area="浚县")
    book.records("housing").create(housing())
    assert hints(book) == []


def test_each_record_is_compared_with_the_roster_in_force_on_its_date(
    book: Book, tmp_path: Path
) -> None:
    roster(book, tmp_path, "tuopin", household("张秀英", HOUSEHOLD_HEAD_ID), dt.date(2024, 3, 31))
    roster(book, tmp_path, "tuopin", household("王某", OTHER), dt.date(2024, 6, 30))
    service = book.records("housing")
    spring = service.create(housing()).record  # 2024-05-09: the March roster has the head
    summer = service.create(housing(check_date=dt.date(2024, 8, 1), completion_date=None,
                                    renovation_progress="施工中")).record  # fmt: skip
    assert [(c, r) for c, r, _ in hints(book)] == [("housing_category", summer.id)]
    assert spring.id != summer.id


def test_a_key_group_household_with_a_cd_house_not_renovated_is_a_hint(
    book: Book, tmp_path: Path
) -> None:
    roster(book, tmp_path, "dibao", household("张秀英", HOUSEHOLD_HEAD_ID), dt.date(2024, 3, 31))
    not_renovated = housing(
        household_category="其他",
        in_renovation=False,
        renovation_method=None,
        renovation_progress=None,
        completion_date=None,
        subsidy_amount=None,
    )
    record = book.records("housing").create(not_renovated).record
    ((code, record_id, message),) = hints(book)
    assert (code, record_id) == ("key_group_not_renovated", record.id)
    assert "农村低保名单" in message and "C级" in message


def test_a_key_group_household_taken_into_renovation_gives_no_hint(
    book: Book, tmp_path: Path
) -> None:
    roster(book, tmp_path, "dibao", household("张秀英", HOUSEHOLD_HEAD_ID), dt.date(2024, 3, 31))
    book.records("housing").create(housing(household_category="其他"))
    assert hints(book) == []


def test_a_student_listed_as_a_household_member_matches(book: Book, tmp_path: Path) -> None:
    rows = household("刘建军", GUARDIAN, ("刘子涵", STUDENT_ID, "子"))
    roster(book, tmp_path, "tuopin", rows, dt.date(2024, 9, 30))
    book.records("education").create(education())  # 家庭类别 脱贫户
    assert hints(book) == []


def test_a_student_on_no_roster_of_the_family_category_is_a_hint(
    book: Book, tmp_path: Path
) -> None:
    roster(book, tmp_path, "tuopin", household("王某", OTHER), dt.date(2024, 9, 30))
    record = book.records("education").create(education()).record
    ((code, record_id, message),) = hints(book)
    assert (code, record_id) == ("education_category", record.id)
    assert message.startswith("家庭类别为“脱贫户”，但学生不在脱贫户名单")


def test_a_deceased_person_still_paid_is_a_hint(book: Book, tmp_path: Path) -> None:
    rows = household("刘子涵", STUDENT_ID, status="死亡")
    roster(book, tmp_path, "tuopin", rows, dt.date(2024, 9, 30))
    record = book.records("education").create(education()).record
    found = hints(book)
    assert ("ended_still_paid", record.id) in [(c, r) for c, r, _ in found]
    (message,) = [m for c, _, m in found if c == "ended_still_paid"]
    assert "标为“死亡”" in message and "625.00 元" in message


def test_a_deceased_person_without_money_gives_no_paid_hint(book: Book, tmp_path: Path) -> None:
    rows = household("张秀英", HOUSEHOLD_HEAD_ID, status="死亡")
    roster(book, tmp_path, "tuopin", rows, dt.date(2024, 3, 31))
    book.records("housing").create(housing(subsidy_amount=None))
    assert "ended_still_paid" not in [c for c, _, _ in hints(book)]


def test_a_confirmed_hint_is_hidden_until_the_record_changes(book: Book, tmp_path: Path) -> None:
    roster(book, tmp_path, "tuopin", household("王某", OTHER), dt.date(2024, 3, 31))
    service = book.records("housing")
    record = service.create(housing()).record
    with pytest.raises(UserError, match="理由"):
        confirm_hint(book, "housing", record.id, "housing_category", "  ")
    confirm_hint(book, "housing", record.id, "housing_category", "已入户核实，名单待更新")
    result = check_rosters(book)
    assert result.hints == [] and result.confirmed == 1
    (entry,) = [e for e in service.history(record.id) if e.action == "confirm"]
    assert entry.operator == "测试员" and "已入户核实" in str(entry.changes)
    service.update(record.id, housing(phone="13903921111"), record.version)
    assert [c for c, _, _ in hints(book)] == ["housing_category"]


def test_the_report_masks_id_numbers(book: Book, tmp_path: Path) -> None:
    roster(book, tmp_path, "tuopin", household("王某", OTHER), dt.date(2024, 3, 31))
    book.records("housing").create(housing())
    target = write_roster_hints(tmp_path / "核查.xlsx", check_rosters(book).hints)
    sheet = load_workbook(target).active
    assert sheet is not None
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert HOUSEHOLD_HEAD_ID not in cells
    assert f"{HOUSEHOLD_HEAD_ID[:6]}********{HOUSEHOLD_HEAD_ID[-4:]}" in cells
    assert "户类别与比对名单不符" in cells


def test_cli_check_rosters(
    db_url: str, book: Book, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = call(capsys, "--db", db_url, "check", "--rosters")
    assert code == 0 and "还没有导入比对名单" in out
    roster(book, tmp_path, "tuopin", household("王某", OTHER), dt.date(2024, 3, 31))
    book.records("housing").create(housing())
    report = tmp_path / "out.xlsx"
    code, out, _ = call(capsys, "--db", db_url, "check", "--rosters", "--report", str(report))
    assert code == 1
    assert "户类别与比对名单不符" in out and "有 1 条提醒" in out
    assert HOUSEHOLD_HEAD_ID not in out and report.exists()


def test_a_saved_check_lists_the_record_as_to_be_verified_until_it_changes(
    book: Book, tmp_path: Path
) -> None:
    from hebi_desktop.services.querying import RecordQuery

    roster(book, tmp_path, "tuopin", household("王某", OTHER), dt.date(2024, 3, 31))
    service = book.records("housing")
    record = service.create(housing()).record
    assert not record.flagged and service.count(RecordQuery(flagged=True)) == 0
    check_rosters(book)  # not saved: nothing listed
    assert service.count(RecordQuery(flagged=True)) == 0
    check_rosters(book, save=True)
    assert service.ids(RecordQuery(flagged=True)) == [record.id]
    assert service.count(RecordQuery(flagged=False)) == 0
    (shown,) = service.fetch([record.id])
    assert shown.flagged and shown.warnings == [
        "户类别为“脱贫户”，但户主不在脱贫户名单（全部，截至2024-03-31）中"
    ]
    service.update(record.id, housing(phone="13903921111"), record.version)
    assert service.count(RecordQuery(flagged=True)) == 0  # until the next check
    check_rosters(book, save=True)
    assert service.count(RecordQuery(flagged=True)) == 1
    confirm_hint(book, "housing", record.id, "housing_category", "名单待更新")
    assert service.count(RecordQuery(flagged=True)) == 0
