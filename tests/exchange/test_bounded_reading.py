"""Huge, swollen or error-ridden workbooks: refused or read in bounded memory and time,
and read before the write lock is taken."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import UserError
from hebi_desktop.exchange.importer import MAX_ISSUES, import_workbook
from hebi_desktop.exchange.limits import Limits
from hebi_desktop.services.book import Book
from tests.cli_helpers import run
from tests.exchange.big_sheets import write_big_sheet, write_zip_bomb
from tests.exchange.test_import import housing_row, plain_sheet, stored
from tests.samples import housing

HOUSING = get_ledger("housing")
HEADERS = [f.header for f in HOUSING.fields]
STREAMED = Limits(stream_cells=0)  # every sheet read row by row, as a huge one is


def _id(number: int) -> str:
    return resident_id.make("410622", dt.date(1950, 1, 1) + dt.timedelta(days=number), number % 900)


def _rows(count: int) -> list[list[object]]:
    return [housing_row(i, 身份证号=_id(i)) for i in range(1, count + 1)]


def test_a_zip_bomb_is_refused_in_chinese_before_it_is_decompressed(
    book: Book, tmp_path: Path
) -> None:
    bomb = write_zip_bomb(tmp_path / "bomb.xlsx", HOUSING.title, HEADERS, 2_000_000_000)
    assert bomb.stat().st_size < 20_000_000
    started = time.perf_counter()
    with pytest.raises(UserError, match=r"解压后约 2\.0 GB"):
        import_workbook(book, "housing", bomb)
    assert time.perf_counter() - started < 5
    assert book.records("housing").count() == 0


def test_a_part_that_swells_hundreds_of_times_is_refused(book: Book, tmp_path: Path) -> None:
    """Smaller than the total cap, but no real sheet compresses a thousand to one."""
    bomb = write_zip_bomb(tmp_path / "dense.xlsx", HOUSING.title, HEADERS, 120_000_000, level=9)
    with pytest.raises(UserError, match="压缩比异常"):
        import_workbook(book, "housing", bomb)


def test_the_command_refuses_a_zip_bomb_quickly_and_in_little_memory(
    tmp_path: Path, db_path: Path
) -> None:
    bomb = write_zip_bomb(tmp_path / "bomb.xlsx", HOUSING.title, HEADERS, 2_000_000_000)
    probe = textwrap.dedent(
        f"""
        import json, sys, time
        from hebi_desktop.cli.main import main
        started = time.perf_counter()
        code = main(["--db", {str(db_path)!r}, "--create", "import", "housing", {str(bomb)!r}])
        peak = None
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
        if peak is None:
            import resource
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({{"code": code, "seconds": time.perf_counter() - started, "mb": peak}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=120
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["code"] == 1
    assert "解压后" in done.stderr and "Traceback" not in done.stderr
    assert measured["seconds"] < 10
    assert measured["mb"] < 300


def test_a_sheet_over_the_row_limit_is_refused(book: Book, tmp_path: Path) -> None:
    path = plain_sheet(tmp_path / "many.xlsx", *_rows(60))
    for limits in (Limits(max_rows=50), Limits(max_rows=50, stream_cells=0)):
        with pytest.raises(UserError, match="超过 50 行"):
            import_workbook(book, "housing", path, limits=limits)
    assert book.records("housing").count() == 0
    assert import_workbook(book, "housing", path, limits=Limits(max_rows=61)).inserted == 60


def test_a_streamed_sheet_imports_the_same_records(tmp_path: Path) -> None:
    path = plain_sheet(tmp_path / "ok.xlsx", *_rows(30))
    results = []
    for name, limits in (("whole", Limits()), ("streamed", STREAMED)):
        with Book.open(tmp_path / f"{name}.sqlite") as book:
            result = import_workbook(book, "housing", path, limits=limits)
            results.append((result.inserted, result.last_row, stored(book)))
    assert results[0] == results[1]
    assert results[0][0] == 30


def test_errors_beyond_the_first_thousand_are_counted_not_listed(
    book: Book, tmp_path: Path, db_path: Path
) -> None:
    rows = [housing_row(i, 身份证号=_id(i), 安全等级="E级") for i in range(1, 1201)]
    path = plain_sheet(tmp_path / "bad.xlsx", *rows)
    result = import_workbook(book, "housing", path)
    assert len(result.errors) == MAX_ISSUES
    assert result.error_count == 1200 and result.errors_omitted == 200
    assert result.omitted_text() == "另有 200 处错误未列出"
    done = run("--db", str(db_path), "--create", "import", "housing", str(path))
    assert done.returncode == 1
    assert "发现 1200 处错误" in done.stderr
    assert "另有 200 处错误未列出" in done.stderr


def test_other_desks_can_save_while_a_sheet_is_read(tmp_path: Path, db_path: Path) -> None:
    """The write lock is taken only once every row is read and checked."""
    path = plain_sheet(tmp_path / "ok.xlsx", *_rows(1200))
    other_id = _id(5000)
    with Book.open(db_path) as book, Book.open(db_path) as other:
        saved: list[int] = []

        def save_elsewhere(_done: int, _total: int) -> None:
            if not saved:
                other.records("housing").create(housing(id_number=other_id), "王芳")
                saved.append(1)

        result = import_workbook(book, "housing", path, progress=save_elsewhere)
        assert saved and result.ok and result.inserted == 1200
        assert book.records("housing").count() == 1201


def test_a_record_added_meanwhile_with_the_same_key_stops_the_import(
    tmp_path: Path, db_path: Path
) -> None:
    path = plain_sheet(tmp_path / "ok.xlsx", *_rows(1200))
    with Book.open(db_path) as book, Book.open(db_path) as other:

        def add_a_clash(done: int, _total: int) -> None:
            if done < 600 and not other.records("housing").count():
                other.records("housing").create(housing(id_number=_id(7)), "王芳")

        with pytest.raises(UserError, match="请重新导入"):
            import_workbook(book, "housing", path, progress=add_a_clash)
        assert book.records("housing").count() == 1  # the other desk's record only


@pytest.mark.slow
def test_a_million_row_sheet_is_read_in_bounded_memory(tmp_path: Path, db_path: Path) -> None:
    """One column filled on 1,000,000 rows: eight errors a row, 1,000 listed, < 500 MB."""
    path = write_big_sheet(
        tmp_path / "million.xlsx",
        HOUSING.title,
        HEADERS,
        lambda i: [None] * 3 + [f"张{i}"],
        1_000_000,
    )
    probe = textwrap.dedent(
        f"""
        import json, resource
        from pathlib import Path
        from hebi_desktop.exchange.importer import import_workbook
        from hebi_desktop.services.book import Book
        with Book.open({str(db_path)!r}) as book:
            result = import_workbook(book, "housing", Path({str(path)!r}))
        peak = None
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):  # this process alone (ru_maxrss survives exec)
                peak = int(line.split()[1]) / 1024
        if peak is None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({{"rows": result.rows_read, "listed": len(result.errors),
                          "errors": result.error_count, "mb": peak}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=900
    )
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["rows"] == 1_000_000
    assert measured["listed"] == MAX_ISSUES
    assert measured["errors"] > 1_000_000
    assert measured["mb"] < 500
