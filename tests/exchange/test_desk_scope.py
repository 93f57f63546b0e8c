"""What leaves the desk is the desk's own scope unless another is chosen, and the file's
title line, its stamp and its rows agree (an export and a print, on the command line).

The database holds several townships, as a desk that imported a city-wide sheet or a
county's collected workbooks does."""

from __future__ import annotations

from pathlib import Path

import pytest

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.exchange.metadata import read_metadata
from hebi_desktop.services.book import Book
from hebi_desktop.services.settings import SCOPE, SCOPE_COUNTY
from tests.cli_helpers import call
from tests.county_helpers import BEIYANG, GAOCUN, QIXIAN, SHANTANG, fill, housing_rows
from tests.exchange.helpers import calamine_rows, export
from tests.printing.pdf_text import pages

HOUSING = get_ledger("housing")
ROWS = {BEIYANG: 3, GAOCUN: 2, SHANTANG: 4}  # 北阳镇 is the desk's (tests/conftest.py)


@pytest.fixture
def mixed(book: Book) -> Book:
    for serial, (township, count) in enumerate(ROWS.items()):
        fill(book, "housing", housing_rows(township, count, 100 * (serial + 1)))
    return book


def townships_in(path: Path) -> list[str]:
    rows = calamine_rows(path, HOUSING.title)
    header = next(i for i, row in enumerate(rows) if "乡镇" in row)
    column = rows[header].index("乡镇")
    return sorted({row[column] for row in rows[header + 1 :] if row[column] not in ("", None)})


def title_line(path: Path) -> str:
    return str(calamine_rows(path, HOUSING.title)[0][0])


def test_an_export_holds_the_desks_township_unless_another_scope_is_chosen(
    mixed: Book, tmp_path: Path
) -> None:
    own = export(mixed, tmp_path / "own.xlsx", "housing")
    assert own.rows == {"housing": ROWS[BEIYANG]}
    assert townships_in(own.path) == ["北阳镇"]
    assert title_line(own.path).startswith("北阳镇住房安全")
    stamp = read_metadata(own.path)
    assert stamp is not None
    assert (stamp.county_code, stamp.township_code) == (QIXIAN, BEIYANG)

    everything = export(mixed, tmp_path / "all.xlsx", "housing", all_places=True)
    assert everything.rows == {"housing": sum(ROWS.values())}
    assert townships_in(everything.path) == sorted(["北阳镇", "高村镇", "善堂镇"])
    assert title_line(everything.path).startswith("鹤壁市住房安全")  # never "北阳镇"
    stamp = read_metadata(everything.path)
    assert stamp is not None
    assert (stamp.county_code, stamp.township_code) == (None, None)


def test_a_county_desk_exports_its_county(mixed: Book, tmp_path: Path) -> None:
    mixed.settings.set(SCOPE, SCOPE_COUNTY)
    result = export(mixed, tmp_path / "county.xlsx", "housing")
    assert result.rows == {"housing": ROWS[BEIYANG] + ROWS[GAOCUN]}  # 淇县, not 浚县's 善堂镇
    assert townships_in(result.path) == sorted(["北阳镇", "高村镇"])
    assert title_line(result.path).startswith("淇县住房安全")
    stamp = read_metadata(result.path)
    assert stamp is not None
    assert (stamp.county_code, stamp.township_code) == (QIXIAN, None)


def test_the_command_line_exports_the_desks_scope_by_default(
    mixed: Book, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "北阳镇.xlsx"
    code, out, err = call(capsys, "export", "housing", "-o", str(target), "--db", db_url)
    assert code == 0, err
    assert f"住房安全动态监测台账：{ROWS[BEIYANG]} 条" in out
    assert townships_in(target) == ["北阳镇"]

    other = tmp_path / "高村镇.xlsx"
    code, out, err = call(
        capsys, "export", "housing", "-o", str(other), "--township", "高村镇", "--db", db_url
    )
    assert code == 0, err
    assert townships_in(other) == ["高村镇"] and title_line(other).startswith("高村镇")
    stamp = read_metadata(other)
    assert stamp is not None and stamp.township_code == GAOCUN

    whole = tmp_path / "全部.xlsx"
    code, out, err = call(
        capsys, "export", "housing", "-o", str(whole), "--all-places", "--db", db_url
    )
    assert code == 0, err
    assert f"：{sum(ROWS.values())} 条" in out
    assert title_line(whole).startswith("鹤壁市")


@pytest.mark.usefixtures("qapp")
def test_the_command_line_prints_the_desks_scope_by_default(
    mixed: Book, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "花名册.pdf"
    code, out, err = call(capsys, "print", "housing", "-o", str(target), "--db", db_url)
    assert code == 0, err
    assert f"{ROWS[BEIYANG]} 条" in out
    text = "".join(pages(target))
    assert "北阳镇住房安全动态监测台账花名册" in text
    assert f"合计共{ROWS[BEIYANG]}户" in text or f"合计共{ROWS[BEIYANG]}条" in text

    whole = tmp_path / "全部.pdf"
    code, out, err = call(
        capsys, "print", "housing", "-o", str(whole), "--all-places", "--db", db_url
    )
    assert code == 0, err
    assert f"{sum(ROWS.values())} 条" in out
    text = "".join(pages(whole))
    assert "鹤壁市住房安全动态监测台账花名册" in text and "北阳镇住房安全" not in text
