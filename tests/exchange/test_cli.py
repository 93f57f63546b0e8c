"""``hebi-desktop export``, ``import`` and ``submissions`` as a clerk types them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.registry import ledger_keys
from hebi_desktop.services.book import Book
from tests.cli_helpers import call, run
from tests.exchange.helpers import write_sheet
from tests.exchange.test_import import HOUSING_HEADERS, housing_row
from tests.samples import HOUSEHOLD_HEAD_ID, education, housing, water


@pytest.fixture
def filled(book: Book, db_url: str) -> str:
    book.records("housing").create(housing())
    book.records("water").create(water())
    book.records("education").create(education())
    return db_url


def test_export_all_prints_rows_hash_and_records_the_submission(
    filled: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "上报"
    code, out, _err = call(capsys, "export", "all", "-o", str(target), "--db", str(filled))
    assert code == 0
    assert (tmp_path / "上报.xlsx").is_file()
    assert "住房安全动态监测台账：1 条" in out and "SHA-256：" in out

    code, out, _err = call(capsys, "submissions", "--db", str(filled))
    assert code == 0
    assert out.count("上报.xlsx") == len(ledger_keys()) and "住房安全" in out and "测试员" in out


def test_export_filters_and_incremental(
    filled: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = call(
        capsys,
        "export",
        "housing",
        "-o",
        str(tmp_path / "a.xlsx"),
        "--township",
        "北阳镇",
        "--from",
        "2024年1月1日",
        "--to",
        "2024/12/31",
        "--since-last-submission",
        "--db",
        str(filled),
    )
    assert code == 0 and "1 条（此前没有报送记录，导出全部）" in out
    code, out, _err = call(
        capsys,
        "export",
        "housing",
        "-o",
        str(tmp_path / "b.xlsx"),
        "--since-last-submission",
        "--db",
        str(filled),
    )
    # A 北阳镇 submission is not a whole-ledger one: the whole ledger has not been sent.
    assert code == 0 and "条（此前没有报送记录，导出全部）" in out
    code, out, _err = call(
        capsys,
        "export",
        "housing",
        "-o",
        str(tmp_path / "c.xlsx"),
        "--since-last-submission",
        "--db",
        str(filled),
    )
    assert code == 0 and "0 条（自上次报送" in out


def test_export_mistakes_are_explained(
    filled: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = call(
        capsys, "export", "water", "-o", str(tmp_path / "无" / "x.xlsx"), "--db", str(filled)
    )
    assert code == 1 and "错误：文件夹不存在" in err
    code, _out, err = call(
        capsys,
        "export",
        "water",
        "-o",
        str(tmp_path / "x.xlsx"),
        "--township",
        "火星镇",
        "--db",
        str(filled),
    )
    assert code == 1 and "乡镇" in err and "火星镇" in err
    code, _out, err = call(
        capsys,
        "export",
        "water",
        "-o",
        str(tmp_path / "x.xlsx"),
        "--from",
        "去年",
        "--db",
        str(filled),
    )
    assert code == 1 and "--from" in err


def test_import_with_errors_lists_them_writes_a_report_and_exits_1(
    book: Book, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_sheet(
        tmp_path / "clerk.xlsx",
        [HOUSING_HEADERS, housing_row(1), housing_row(2, 排查日期="2024-02-30")],
    )
    code, _out, err = call(capsys, "import", "housing", str(source), "--db", db_url)
    assert code == 1
    assert "第3行 排查日期“2024-02-30”：排查日期：" in err
    report = tmp_path / "clerk-导入问题报告.xlsx"
    assert report.is_file() and str(report) in err
    assert book.records("housing").count() == 0


def test_import_dry_run_then_for_real(
    book: Book, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    second = resident_id.make("410622", dt.date(1950, 5, 5), 9)
    source = write_sheet(
        tmp_path / "clerk.xlsx",
        [[*HOUSING_HEADERS, "备用"], housing_row(1), housing_row(2, 身份证号=second)],
    )
    code, out, _err = call(capsys, "import", "housing", str(source), "--dry-run", "--db", db_url)
    assert code == 0 and "试导入（未写入）：可新增 2 条" in out and "备用" in out
    assert book.records("housing").count() == 0
    report = tmp_path / "报告.xlsx"
    code, out, _err = call(
        capsys, "import", "housing", str(source), "--report", str(report), "--db", db_url
    )
    assert code == 0 and "已导入：新增 2 条" in out and report.is_file()
    code, out, _err = call(
        capsys,
        "import",
        "housing",
        str(source),
        "--on-duplicate",
        "skip",
        "--db",
        db_url,
    )
    assert code == 0 and "跳过 2 条" in out
    assert book.records("housing").count() == 2


def test_import_reports_unlisted_villages_as_hints_and_imports_every_row(
    book: Book, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = resident_id.make("410622", dt.date(1950, 1, 1), 7)
    source = write_sheet(
        tmp_path / "v.xlsx",
        [
            HOUSING_HEADERS,
            housing_row(1, 行政村="黄推村"),
            housing_row(2, 行政村="新建村", 身份证号=other),
        ],
    )
    code, out, _err = call(capsys, "import", "housing", str(source), "--db", db_url)
    assert code == 0
    assert "已导入：新增 2 条" in out
    assert "村名提醒：2 行的行政村不在所属乡镇的村名单中（2 个村名" in out
    assert "第2行 行政村“黄推村”：不在本乡镇的村名单中，是否为“黄堆村”？" in out
    assert "第3行 行政村“新建村”：不在本乡镇的村名单中" in out
    assert {r.values["village"] for r in book.records("housing").list()} == {"黄推村", "新建村"}


def test_submissions_when_there_are_none(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = call(capsys, "submissions", "--ledger", "water", "--db", db_url, "--create")
    assert code == 0 and "还没有报送记录" in out


def test_as_a_process_export_and_import_round_trip(filled: str, tmp_path: Path) -> None:
    workbook = tmp_path / "h.xlsx"
    done = run("--db", str(filled), "export", "housing", "-o", str(workbook))
    assert done.returncode == 0, done.stderr
    new = str(tmp_path / "new.sqlite")
    done = run("--db", new, "--create", "import", "housing", str(workbook))
    assert done.returncode == 0, done.stderr
    assert "新增 1 条" in done.stdout and "Traceback" not in done.stderr
    with Book.open(tmp_path / "new.sqlite") as again:
        (record,) = again.records("housing").list()
        assert record.values["id_number"] == HOUSEHOLD_HEAD_ID
