"""Importing the county's rosters: households read from the sheet, all rows or none,
a newer roster of the same kind and area replacing the older (kept as history)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hebi_desktop.errors import UserError
from hebi_desktop.exchange.roster_import import import_roster
from hebi_desktop.services.book import Book
from hebi_desktop.storage.models import Roster, RosterPerson
from tests.cli_helpers import call
from tests.roster_helpers import household, person_id, write_roster

HEAD = person_id(1956, 31)
CHILD = person_id(1980, 12)


def people(book: Book) -> list[tuple[str, str | None, bool]]:
    with book.reading() as connection:
        return [
            tuple(row)  # type: ignore[misc]
            for row in connection.execute(
                select(
                    RosterPerson.id_number, RosterPerson.head_id_number, RosterPerson.ended
                ).order_by(RosterPerson.id)
            )
        ]


def test_members_under_their_head_are_stored_with_the_household(book: Book, tmp_path: Path) -> None:
    source = write_roster(tmp_path / "低保.xlsx", household("张秀英", HEAD, ("张伟", CHILD, "子")))
    result = import_roster(book, "农村低保", source, as_of=dt.date(2024, 6, 30), area="410622")
    assert result.ok and result.stored is not None
    assert result.stored.roster.kind == "dibao"
    assert result.stored.roster.label == "农村低保名单（淇县，截至2024-06-30）"
    assert people(book) == [(HEAD, HEAD, False), (CHILD, HEAD, False)]


def test_a_deceased_person_is_marked_ended(book: Book, tmp_path: Path) -> None:
    source = write_roster(tmp_path / "r.xlsx", household("张秀英", HEAD, status="死亡"))
    import_roster(book, "dibao", source)
    assert people(book) == [(HEAD, HEAD, True)]


def test_one_bad_id_stores_nothing_and_names_row_and_column(book: Book, tmp_path: Path) -> None:
    bad = HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1")
    rows = [*household("张秀英", HEAD), [None, None, "李四", bad, "子", "正常"]]
    result = import_roster(book, "dibao", write_roster(tmp_path / "r.xlsx", rows))
    assert not result.ok and result.stored is None
    (issue,) = result.errors
    assert issue.row == 4 and issue.column == "公民身份号码"
    assert "校验" in issue.message or "身份证" in issue.message
    assert people(book) == []
    with book.reading() as connection:
        assert connection.scalar(select(func.count()).select_from(Roster)) == 0


def test_the_same_person_twice_is_refused(book: Book, tmp_path: Path) -> None:
    rows = household("张秀英", HEAD) + household("张秀英", HEAD)
    result = import_roster(book, "dibao", write_roster(tmp_path / "r.xlsx", rows))
    assert [i.row for i in result.errors] == [4]
    assert "第3行" in result.errors[0].message


def test_a_newer_roster_replaces_the_older_which_stays_as_history(
    book: Book, tmp_path: Path
) -> None:
    source = write_roster(tmp_path / "r.xlsx", household("张秀英", HEAD))
    first = import_roster(book, "dibao", source, as_of=dt.date(2024, 3, 31), area="淇县")
    second = import_roster(book, "dibao", source, as_of=dt.date(2024, 6, 30), area="淇县")
    other_area = import_roster(book, "dibao", source, as_of=dt.date(2024, 6, 30), area="浚县")
    other_kind = import_roster(book, "tuopin", source, as_of=dt.date(2024, 6, 30), area="淇县")
    assert first.stored and second.stored and other_area.stored and other_kind.stored
    assert [r.id for r in second.stored.replaced] == [first.stored.roster.id]
    assert other_area.stored.replaced == () and other_kind.stored.replaced == ()
    listed = {r.id: r for r in book.rosters.list()}
    assert listed[first.stored.roster.id].replaced_by_id == second.stored.roster.id
    assert listed[second.stored.roster.id].in_force
    assert {r.id for r in book.rosters.list(include_history=False)} == {
        second.stored.roster.id,
        other_area.stored.roster.id,
        other_kind.stored.roster.id,
    }


def test_an_older_roster_imported_late_is_kept_as_history_only(book: Book, tmp_path: Path) -> None:
    source = write_roster(tmp_path / "r.xlsx", household("张秀英", HEAD))
    newer = import_roster(book, "dibao", source, as_of=dt.date(2024, 6, 30))
    older = import_roster(book, "dibao", source, as_of=dt.date(2024, 3, 31))
    assert newer.stored and older.stored
    assert older.stored.superseded_by is not None
    assert older.stored.superseded_by.id == newer.stored.roster.id
    assert [r.id for r in book.rosters.list(include_history=False)] == [newer.stored.roster.id]


def test_csv_in_gbk_reads_like_a_workbook(book: Book, tmp_path: Path) -> None:
    source = tmp_path / "脱贫人口.csv"
    source.write_bytes(
        (f"姓名,身份证号,户主姓名\n张秀英,{HEAD},张秀英\n张伟,{CHILD},张秀英\n").encode("gb18030")
    )
    result = import_roster(book, "脱贫人口", source)
    assert result.ok and result.stored is not None
    assert result.stored.roster.people == 2


def test_an_unknown_kind_lists_the_kinds(book: Book, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="dibao（农村低保）"):
        import_roster(book, "五保", write_roster(tmp_path / "r.xlsx", household("张", HEAD)))


def test_cli_imports_and_lists(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_roster(tmp_path / "r.xlsx", household("张秀英", HEAD, ("张伟", CHILD, "子")))
    code, out, _ = call(
        capsys, "--db", db_url, "--create", "roster", "import", "dibao", str(source),
        "--as-of", "2024-06-30", "--area", "淇县",
    )  # fmt: skip
    assert code == 0, out
    assert "农村低保名单（淇县，截至2024-06-30）：2 人" in out
    code, out, _ = call(capsys, "--db", db_url, "roster", "list")
    assert code == 0 and "现行" in out and "农村低保" in out
    assert HEAD not in out  # the list names rosters, never people
    code, _, err = call(capsys, "--db", db_url, "roster", "import", "五保", str(source))
    assert code == 1 and "没有名为“五保”的名单类别" in err
    code, _, err = call(
        capsys, "--db", db_url, "roster", "import", "dibao", str(source), "--as-of", "2024-13-01"
    )
    assert code == 1 and "--as-of" in err


def test_rosters_go_into_the_backup(book: Book, tmp_path: Path) -> None:
    source = write_roster(tmp_path / "r.xlsx", household("张秀英", HEAD, ("张伟", CHILD, "子")))
    import_roster(book, "dibao", source, as_of=dt.date(2024, 6, 30))
    copy = book.backup(tmp_path / "backup.sqlite")
    with Book.open(copy) as restored:
        (roster,) = restored.rosters.list()
        assert (roster.kind, roster.people) == ("dibao", 2)
        assert [p[0] for p in people(restored)] == [HEAD, CHILD]
