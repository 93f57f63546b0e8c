"""No workbook the program writes holds a live formula, whatever text went into it.

Every writer of workbooks is found by reading the package's source (an openpyxl
``Workbook(`` or a table-sheet writer call); each must have an entry in :data:`WRITERS`
that feeds it the usual formula and DDE forms. A new writer without an entry fails
:func:`test_every_workbook_writer_is_tested`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hebi_desktop.domain import resident_id
from hebi_desktop.exchange.tables import TableSheet, write_tables
from hebi_desktop.services.settings import OPERATOR, UNIT_NAME
from tests import samples
from tests.cli_helpers import call
from tests.county_helpers import BEIYANG, county_desk, export_all, fill, place, township_desk
from tests.exchange.helpers import sheet_xml
from tests.exchange.test_import import housing_row, plain_sheet

PACKAGE = Path(__file__).resolve().parents[2] / "hebi_desktop"
WRITES_WORKBOOK = re.compile(r"(?<![\w.])(Workbook|write_tables|add_table_sheet)\(")

HOSTILE = (
    '=HYPERLINK("http://x","点")',
    "=NOW()",
    "+1",
    "-1+2",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=2+2",
    " =NOW()",
)
# What settings hold (a setting refuses tabs and line breaks).
HOSTILE_SETTINGS = tuple(h for h in HOSTILE if h.isprintable())


def _writers_in_package() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            code = line.split("#", 1)[0]
            if WRITES_WORKBOOK.search(code) and not code.lstrip().startswith("def "):
                found.add(path.relative_to(PACKAGE).as_posix())
    return found


# --- one producer per writer: hostile text in, the written workbook out ------------------


def _id(index: int) -> str:
    return resident_id.make("410622", dt.date(1960, 1, 1), 500 + index)


def _export(folder: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    with township_desk(folder, BEIYANG) as desk:
        desk.settings.set(OPERATOR, HOSTILE_SETTINGS[0])
        desk.settings.set(UNIT_NAME, HOSTILE_SETTINGS[1])
        rows = [
            samples.housing(
                **place(BEIYANG, i),
                head_name=text[:20],
                remarks=text,
                address=text,
                id_number=_id(i),
            )
            for i, text in enumerate(HOSTILE)
        ]
        fill(desk, "housing", rows)
        return export_all(desk, folder / "export.xlsx")


def _import_report(folder: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    rows = [
        housing_row(i + 1, 户主姓名=text, 行政村=text, 身份证号=text, 排查日期=text, 备注=text)
        for i, text in enumerate(HOSTILE)
    ]
    source = plain_sheet(folder / "hostile.xlsx", *rows)
    report = folder / "import-report.xlsx"
    with township_desk(folder, BEIYANG) as desk:
        db = str(desk.sqlite_file)
    code, _out, _err = call(
        capsys, "--db", db, "import", "housing", str(source), "--report", str(report)
    )
    assert code == 1
    return report


def _tables(folder: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    sheet = TableSheet("表", HOSTILE[0], HOSTILE, [HOSTILE, HOSTILE[::-1]])
    return write_tables(folder / "tables.xlsx", [sheet], title="t")


def _collect_report(folder: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    rows = [
        housing_row(i + 1, 身份证号=text, 排查日期=text, 行政村=text)
        for i, text in enumerate(HOSTILE)
    ]
    source = plain_sheet(folder / "submitted.xlsx", *rows)
    report = folder / "collect-report.xlsx"
    with county_desk(folder) as county:
        db = str(county.sqlite_file)
    code, _out, _err = call(capsys, "--db", db, "collect", str(source), "--report", str(report))
    assert code == 1
    return report


def _cross_check_report(folder: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    with township_desk(folder, BEIYANG) as desk:
        rows = [
            samples.housing(**{**place(BEIYANG), "village": text}, id_number=_id(i))
            for i, text in enumerate(HOSTILE)
        ]
        fill(desk, "housing", rows)
        db = str(desk.sqlite_file)
    report = folder / "cross.xlsx"
    code, _out, _err = call(capsys, "--db", db, "check", "--cross", "--report", str(report))
    assert code == 1
    return report


def _county_summary(folder: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    with county_desk(folder) as county:
        county.settings.set(OPERATOR, HOSTILE_SETTINGS[0])
        county.settings.set(UNIT_NAME, HOSTILE_SETTINGS[5])
        db = str(county.sqlite_file)
    target = folder / "summary.xlsx"
    code, _out, _err = call(capsys, "--db", db, "summary", "-o", str(target))
    assert code == 0
    return target


def _roster_report(folder: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    from hebi_desktop.exchange.roster_import import import_roster
    from hebi_desktop.exchange.roster_report import write_roster_hints
    from hebi_desktop.services.roster_checks import check_rosters
    from tests.roster_helpers import household, person_id, write_roster

    with township_desk(folder, BEIYANG) as desk:
        roster = write_roster(folder / "roster.xlsx", household("王某", person_id(1970, 77)))
        assert import_roster(desk, "tuopin", roster, as_of=dt.date(2024, 3, 31)).ok
        rows = [  # 脱贫户 households whose heads are not on the roster: one hint each
            samples.housing(**{**place(BEIYANG), "village": text}, id_number=_id(i))
            for i, text in enumerate(HOSTILE)
        ]
        fill(desk, "housing", rows)
        return write_roster_hints(folder / "roster-report.xlsx", check_rosters(desk).hints)


Producer = Callable[[Path, pytest.CaptureFixture[str]], Path]
WRITERS: dict[str, Producer] = {
    "exchange/export.py": _export,
    "exchange/report.py": _import_report,
    "exchange/tables.py": _tables,
    "cli/county.py": _collect_report,
    "county/crosscheck.py": _cross_check_report,
    "county/report.py": _county_summary,
    "exchange/roster_report.py": _roster_report,
}


def test_every_workbook_writer_is_tested() -> None:
    found = _writers_in_package()
    assert found, "the search for workbook writers found none"
    untested = found - set(WRITERS)
    assert not untested, f"workbook writers without a formula test: {sorted(untested)}"


def _hostile_texts_written(path: Path) -> set[str]:
    seen: set[str] = set()
    workbook = load_workbook(path)
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    seen.update(h for h in HOSTILE if h.strip() and h.strip() in cell.value)
    assert "<f>" not in sheet_xml(path)
    return seen


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_no_cell_of_any_written_workbook_is_a_formula(
    writer: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = WRITERS[writer](tmp_path, capsys)
    seen = _hostile_texts_written(path)
    assert seen, "the hostile texts never reached the workbook: the test proves nothing"
