"""A full disk (a simulated ENOSPC) during export, backup and demo: a Chinese message, exit
code 1, and nothing left behind or half-saved."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from hebi_desktop.errors import StorageError
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.records import RecordService
from tests.cli_helpers import ROOT

# Runs the command with every write into a zip archive failing as a full disk does.
FULL_DISK_ZIP = """
import errno, os, sys, zipfile
def full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
zipfile.ZipFile.writestr = full
zipfile.ZipFile.write = full
from hebi_desktop.cli import main
sys.exit(main(sys.argv[1:]))
"""

# Runs the command with SQLite's backup (through SQLCipher's driver, which makes every copy)
# reporting a full disk after the copy was begun.
FULL_DISK_SQLITE = """
import sqlcipher3, sys
real = sqlcipher3.connect
class Full(sqlcipher3.Connection):
    def backup(self, target, **_kwargs):
        target.execute("CREATE TABLE begun(x)")
        target.commit()
        raise sqlcipher3.OperationalError("database or disk is full")
def connect(*args, **kwargs):
    return real(*args, **{**kwargs, "factory": Full})
sqlcipher3.connect = connect
from hebi_desktop.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def _filled(tmp_path: Path) -> Path:
    db = tmp_path / "ledgers.sqlite"
    book = Book.open(db)
    fill_demo(book, 30)
    book.close()
    return db


def test_full_disk_during_export(tmp_path: Path) -> None:
    db = _filled(tmp_path)
    out = tmp_path / "stick"
    out.mkdir()
    done = _run(FULL_DISK_ZIP, "--db", str(db), "export", "all", "-o", str(out / "上报.xlsx"))
    assert done.returncode == 1, done.stderr
    assert "磁盘空间不足" in done.stderr and "没有生成文件" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert list(out.iterdir()) == []


def test_full_disk_during_backup(tmp_path: Path) -> None:
    db = _filled(tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()
    done = _run(FULL_DISK_SQLITE, "--db", str(db), "backup", "-o", str(stick / "备份.sqlite"))
    assert done.returncode == 1, done.stderr
    assert "磁盘空间不足" in done.stderr and "没有生成备份" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(stick.iterdir()) == []


def test_demo_on_a_full_disk_saves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = Book.open(tmp_path / "ledgers.sqlite")
    real = RecordService.insert_checked
    calls: list[str] = []

    def insert(self: RecordService, *args: object, **kwargs: object) -> list[int]:
        calls.append(self.ledger.key)
        if len(set(calls)) == 2:  # the first ledger is written, the second hits the full disk
            raise OperationalError(
                "INSERT", {}, sqlite3.OperationalError("database or disk is full")
            )
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(RecordService, "insert_checked", insert)
    with pytest.raises(StorageError, match="磁盘空间已满，本次操作未保存"):
        fill_demo(book, 20)
    monkeypatch.undo()
    assert book.count_all() and not any(book.count_all().values())
    book.close()
