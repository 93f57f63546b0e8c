"""CSV files from other systems import like workbooks: UTF-8 (with or without BOM) and
GBK, the same header matching, checks and all-or-nothing write; collect says why not."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from hebi_desktop.county.collect import collect_files
from hebi_desktop.domain import resident_id
from hebi_desktop.exchange.importer import import_workbook
from hebi_desktop.exchange.report import write_report
from hebi_desktop.services.book import Book
from tests.county_helpers import county_desk
from tests.exchange.test_import import HOUSING_HEADERS, SECOND_ID, housing_row, stored
from tests.samples import HOUSEHOLD_HEAD_ID


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, rows: list[list[Any]], encoding: str, delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["住房安全排查台账（从其他系统导出）"])  # a title line, as such files have
    for row in rows:
        writer.writerow([_text(v) for v in row])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


ROWS = [
    HOUSING_HEADERS,
    housing_row(1),
    housing_row(2, 身份证号=SECOND_ID, 户主姓名="王建国", 行政村="北阳村"),
]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ","), ("gbk", ","), ("gb18030", "\t")],
)
def test_csv_in_utf8_and_gbk_imports(
    book: Book, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    source = write_csv(tmp_path / "名单.csv", ROWS, encoding, delimiter)
    result = import_workbook(book, "housing", source)
    assert result.ok and result.inserted == 2, [e.message for e in result.errors]
    records = stored(book)
    assert records[HOUSEHOLD_HEAD_ID]["head_name"] == "张秀英"
    assert records[SECOND_ID]["head_name"] == "王建国"
    assert records[SECOND_ID]["check_date"] == dt.date(2024, 5, 9)


def test_a_bad_csv_row_imports_nothing_and_is_named(book: Book, tmp_path: Path) -> None:
    rows = [*ROWS, housing_row(3, 身份证号=resident_id.make("410622", dt.date(1990, 1, 1), 5),
                               排查日期="2024-13-45")]  # fmt: skip
    source = write_csv(tmp_path / "名单.csv", rows, "gbk")
    result = import_workbook(book, "housing", source)
    assert not result.ok and book.records("housing").count() == 0
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (5, "排查日期", "2024-13-45")
    report = write_report(result, tmp_path / "问题.xlsx")  # the copy reads the CSV back
    assert report.is_file()


def test_undecodable_csv_is_explained(book: Book, tmp_path: Path) -> None:
    source = tmp_path / "乱码.csv"
    source.write_bytes(b"\xff\xfe\x00\x81\x30" * 10)
    with pytest.raises(Exception, match="文字编码"):
        import_workbook(book, "housing", source)


def test_collect_refuses_csv_saying_why(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "北阳镇.csv", ROWS, "utf-8-sig")
    with county_desk(tmp_path) as county:
        (result,) = collect_files(county, [source])
    assert result.refused and "报送标识" in result.refused and "CSV" in result.refused
