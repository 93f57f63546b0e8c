"""Outputs never clobber inputs: the database, its -wal, the imported workbook and backups
are refused as targets; an existing file is replaced only when it is a workbook."""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path

import pytest

from hebi_desktop.services.book import Book
from tests.cli_helpers import call
from tests.exchange.helpers import export
from tests.samples import housing


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A database whose file name ends in .xlsx, as a clerk may well name it."""
    path = tmp_path / "台账.xlsx"
    with Book.open(path) as book:
        book.records("housing").create(housing())
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A workbook to import, with one bad row (so a report is written)."""
    other = tmp_path / "other.sqlite"
    with Book.open(other) as book:
        book.records("housing").create(housing(id_number="410622195603080311"))
        export(book, tmp_path / "来源.xlsx", "housing", record_submission=False)
    return tmp_path / "来源.xlsx"


def test_export_onto_the_database_is_refused(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digest(database)
    code, _out, err = call(capsys, "export", "housing", "-o", str(database), "--db", str(database))
    assert code == 1 and "错误：" in err and "数据库" in err
    assert digest(database) == before
    with Book.open(database) as book:
        assert book.records("housing").count() == 1


def test_an_existing_file_that_is_not_a_workbook_is_never_replaced(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "备份.xlsx"  # a backup someone named like a workbook
    assert call(capsys, "backup", "-o", str(saved), "--db", str(database))[0] == 0
    before = digest(saved)
    code, _out, err = call(capsys, "export", "housing", "-o", str(saved), "--db", str(database))
    assert code == 1 and "不是 Excel 工作簿" in err
    assert digest(saved) == before
    # A workbook is replaced (atomically): exporting twice to one name works.
    target = tmp_path / "报送.xlsx"
    for _ in range(2):
        assert call(capsys, "export", "housing", "-o", str(target), "--db", str(database))[0] == 0
    assert not list(tmp_path.glob("*.part"))


def test_the_report_never_replaces_the_source_or_the_database(
    database: Path, source: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original, db_before = digest(source), digest(database)
    for report in (source, database):
        code, _out, err = call(
            capsys,
            "import",
            "housing",
            str(source),
            "--dry-run",
            "--report",
            str(report),
            "--db",
            str(database),
        )
        assert "问题报告未能写出" in err and ("源工作簿" in err or "数据库" in err)
        assert code in (0, 1)
    assert digest(source) == original
    assert digest(database) == db_before


@pytest.mark.parametrize(
    ("name", "expected"),
    [("", "指定导出文件名"), ("长" * 200 + ".xlsx", "文件名太长")],
)
def test_bad_output_names_are_explained(
    database: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    expected: str,
) -> None:
    target = name if not name else str(tmp_path / name)
    code, _out, err = call(capsys, "export", "housing", "-o", target, "--db", str(database))
    assert code == 1 and expected in err


def test_backup_never_writes_over_the_wal_or_a_workbook(
    database: Path, source: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wal = Path(f"{database}-wal")
    code, _out, err = call(capsys, "backup", "-o", str(wal), "--db", str(database))
    assert code == 1 and "日志文件" in err
    original = digest(source)
    code, _out, err = call(capsys, "backup", "-o", str(source), "--db", str(database))
    assert code == 1 and "不是数据库备份" in err
    assert digest(source) == original
    code, _out, err = call(capsys, "backup", "-o", "", "--db", str(database))
    assert code == 1 and "请指定备份文件名" in err


@pytest.mark.parametrize(
    ("error", "expected"),
    [(errno.EROFS, "磁盘为只读"), (errno.EACCES, "没有写入权限"), (errno.ENOSPC, "磁盘空间不足")],
)
def test_unwritable_folders_are_explained_in_chinese(
    database: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    error: int,
    expected: str,
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    target = tmp_path / "报送.xlsx"
    code, _out, err = call(capsys, "export", "housing", "-o", str(target), "--db", str(database))
    assert code == 1 and expected in err
    assert not any(ch.isascii() and ch.isalpha() for ch in err.split("：", 2)[-1])
