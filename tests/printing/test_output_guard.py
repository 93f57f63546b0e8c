"""``print -o`` passes the output guard every written file passes: no input is destroyed."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from hebi_desktop.services.book import Book
from hebi_desktop.storage.cipher import connect, find_key
from tests.cli_helpers import ROOT, call
from tests.raw_db import raw_connect

pytestmark = pytest.mark.usefixtures("qapp")


def _copy_db(book: Book, target: Path) -> Path:
    """A copy of the filled database (SQLite's backup: the -wal's pages included)."""
    assert book.sqlite_file is not None
    with (
        closing(raw_connect(book.sqlite_file)) as source,
        closing(connect(target, find_key(book.sqlite_file))) as copy,
    ):
        source.backup(copy)
    return target


def _print(capsys: pytest.CaptureFixture[str], db: Path, output: str) -> tuple[int, str, str]:
    return call(capsys, "--db", str(db), "print", "housing", "--form", "roster", "-o", output)


def test_print_onto_the_open_database_is_refused(
    filled: Book, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy_db(filled, tmp_path / "台账.pdf")  # a database whose name ends in .pdf
    before = db.read_bytes()
    code, _out, err = _print(capsys, db, str(db))
    assert code == 1 and "数据库文件" in err and "不能用来保存" in err, err
    assert db.read_bytes() == before


def test_an_existing_file_that_is_not_a_pdf_is_kept(
    filled: Book, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy_db(filled, tmp_path / "ledgers.sqlite")
    other = tmp_path / "备份.pdf"
    other.write_bytes(b"SQLite format 3\x00 not a pdf at all")
    code, _out, err = _print(capsys, db, str(other))
    assert code == 1 and "不是 PDF 文件" in err and "不会覆盖" in err, err
    assert other.read_bytes().startswith(b"SQLite")
    old_pdf = tmp_path / "名册.pdf"
    old_pdf.write_bytes(b"%PDF-1.4 an older roster")
    code, _out, err = _print(capsys, db, str(old_pdf))
    assert code == 0, err
    assert old_pdf.read_bytes() != b"%PDF-1.4 an older roster"
    assert not list(tmp_path.glob(".*.part"))


def test_a_folder_or_a_too_long_name_is_refused_in_chinese(
    filled: Book, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy_db(filled, tmp_path / "ledgers.sqlite")
    folder = tmp_path / "打印"
    folder.mkdir()
    code, _out, err = _print(capsys, db, str(folder))
    assert code == 1 and "是一个文件夹" in err, err
    assert not (tmp_path / "打印.pdf").exists()
    code, _out, err = _print(capsys, db, str(tmp_path / ("长" * 200 + ".pdf")))
    assert code == 1 and "文件名太长" in err, err


KILL_WHILE_PAINTING = """
import os, signal, sys
from hebi_desktop.printing import pdf
def killed(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
pdf.render = killed
from hebi_desktop.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_print_leaves_no_part_after_the_next_start(filled: Book, tmp_path: Path) -> None:
    db = _copy_db(filled, tmp_path / "ledgers.sqlite")
    out = tmp_path / "名册"
    out.mkdir()
    args = ["--db", str(db), "print", "housing", "--form", "roster", "-o", str(out / "名册.pdf")]
    env = {"QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", KILL_WHILE_PAINTING, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert list(out.glob(".*.pdf.part")), "the killed print should have left its part"
    Book.open(db).close()  # the next start
    assert not list(out.glob(".*.part"))
