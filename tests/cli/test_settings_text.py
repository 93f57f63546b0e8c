"""Settings hold one clean line each; a change of county says what it changes; a county's
summary lists its own townships only."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from hebi_desktop.services.book import Book
from hebi_desktop.services.settings import OPERATOR, UNIT_NAME
from hebi_desktop.storage.models import Setting
from tests import samples
from tests.cli_helpers import call, run
from tests.county_helpers import BEIYANG, SHANTANG, county_desk, fill, housing_rows


@pytest.mark.parametrize("option", ["--operator", "--unit"])
@pytest.mark.parametrize("hidden", ["\n", "\x01", "\u202e"])
def test_settings_refuse_control_characters_in_chinese(
    book: Book, db_url: str, capsys: pytest.CaptureFixture[str], option: str, hidden: str
) -> None:
    before = book.settings.all()
    other = "--unit" if option == "--operator" else "--operator"
    code, _out, err = call(
        capsys, "--db", db_url, "settings", other, "好值", option, f"李{hidden}四"
    )
    assert code == 1
    assert f"U+{ord(hidden):04X}" in err and "控制字符" in err
    assert book.settings.all() == before  # nothing stored, not even the good value


def test_zero_width_characters_are_dropped_from_settings(book: Book) -> None:
    book.settings.set(OPERATOR, "王\u200b芳\ufeff")
    assert book.settings.operator == "王芳"


def test_an_export_names_a_bad_stored_setting_instead_of_failing(
    book: Book, db_url: str, tmp_path: Path
) -> None:
    book.records("housing").create(samples.housing())
    with book.writing() as connection:  # stored by an older version, which let it in
        connection.execute(update(Setting).where(Setting.key == OPERATOR).values(value="张\n三"))
    done = run("--db", db_url, "export", "housing", "-o", str(tmp_path / "x.xlsx"))
    assert done.returncode == 1
    assert "设置中的“填报人”" in done.stderr and "U+000A" in done.stderr
    assert "I/O operation" not in done.stderr and "内部出错" not in done.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_a_new_county_on_a_township_desk_says_what_changes(
    book: Book, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    book.settings.set(UNIT_NAME, "淇县北阳镇人民政府")
    code, out, _err = call(capsys, "--db", db_url, "settings", "--county", "浚县")
    assert code == 0
    assert "县区：淇县 → 浚县" in out
    assert "北阳镇" in out and "已清除" in out
    assert "淇县北阳镇人民政府" in out and "--unit" in out
    assert book.settings.get(UNIT_NAME) is None
    assert book.settings.township_code is None
    code, out, _err = call(
        capsys, "--db", db_url, "settings", "--township", "善堂", "--unit", "浚县善堂镇人民政府"
    )
    assert code == 0 and book.settings.get(UNIT_NAME) == "浚县善堂镇人民政府"


def test_a_county_summary_lists_only_its_own_townships(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with county_desk(tmp_path) as county:
        fill(county, "housing", housing_rows(SHANTANG, 1, 700))  # 浚县善堂镇
        fill(county, "housing", housing_rows(BEIYANG, 1, 800))  # 淇县北阳镇
        db = str(county.sqlite_file)
    target = tmp_path / "汇总.xlsx"
    code, out, _err = call(capsys, "--db", db, "summary", "-o", str(target))
    assert code == 0
    housing = out.split("【住房安全")[1].split("【")[0]
    assert "善堂镇" not in housing.split("数据中另有")[0]
    assert "浚县善堂镇" in housing and "未列入" in housing
    total = next(line for line in housing.splitlines() if line.startswith("合计"))
    assert total.split()[1] == "1"  # the county's own record only
    workbook = load_workbook(target)
    listed = [row[0] for row in workbook["汇总"].iter_rows(values_only=True) if row and row[0]]
    assert "善堂镇" not in listed and "北阳镇" in listed
    assert "浚县善堂镇" in str(list(workbook["未列入"].iter_rows(values_only=True)))
