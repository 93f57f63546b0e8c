"""What a killed export, backup or restore left behind is removed at the next start, and
nothing a live process is still writing (or that is not ours) is touched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hebi_desktop.services.book import Book
from tests.cli_helpers import ROOT, call

KILLED_EXPORT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from hebi_desktop.exchange.export import ExportRequest, export_workbook
    from hebi_desktop.services.book import Book

    def stall(done, total):
        if done:
            print("writing", flush=True)
            time.sleep(600)

    book = Book.open(sys.argv[1])
    export_workbook(book, ExportRequest(("housing",)), Path(sys.argv[2]), progress=stall)
    """
)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def filled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    database = tmp_path / "ledgers.sqlite"
    assert call(capsys, "demo", "--rows", "600", "--db", str(database))[0] == 0
    return database


def test_a_killed_export_leaves_nothing_after_the_next_start(
    filled: Path, tmp_path: Path, data_dir: Path
) -> None:
    folder = tmp_path / "报送"
    folder.mkdir()
    with Book.open(filled) as book:
        book.settings.set("last_export_dir", str(folder))
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_EXPORT, str(filled), str(folder / "上报.xlsx")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "writing"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert list(folder.glob(".上报.*.xlsx.part"))
    assert list((data_dir / "tmp" / str(process.pid)).iterdir())  # openpyxl's sheet file

    Book.open(filled).close()

    assert list(folder.iterdir()) == []
    assert not (data_dir / "tmp" / str(process.pid)).exists()


@pytest.mark.sqlite_only  # the copies and the database are files beside it
def test_leftover_copies_are_removed_but_live_and_foreign_files_kept(
    book: Book, tmp_path: Path, data_dir: Path
) -> None:
    database = book.sqlite_file
    assert database is not None
    backups = data_dir / "backups"
    gone = dead_pid()
    book.close()
    restoring = database.with_name(database.name + ".restoring")
    restoring.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    killed_backup = backups / f"hebi-desktop-20240509-173000-auto.sqlite.{gone}.part"
    killed_backup.write_bytes(b"SQLite format 3\x00")
    live_export = tmp_path / f".上报.{os.getpid()}.abc123.xlsx.part"
    live_export.touch()
    not_ours = tmp_path / f"notes.{gone}.part"
    not_ours.write_text("笔记", encoding="utf-8")

    Book.open(database).close()

    assert not restoring.exists() and not killed_backup.exists()
    assert live_export.exists() and not_ours.exists()
