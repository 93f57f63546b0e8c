"""On the bytes: after demo, edits, backups and an encrypted export, no ID number, phone
number or name from the data appears in the database file, its ``-wal``, any backup, any
log, or the protected workbook."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from hebi_desktop.domain.fields import Kind
from hebi_desktop.domain.registry import all_ledgers
from hebi_desktop.services import backups
from hebi_desktop.services.book import Book
from tests.cli_helpers import call


def personal_values(book: Book) -> set[str]:
    """Every ID number, phone number and name in the database (live and deleted)."""
    found: set[str] = set()
    for ledger in all_ledgers():
        wanted = [
            f.name
            for f in ledger.stored_fields
            if f.kind in (Kind.ID_NUMBER, Kind.PHONE) or f.name == ledger.name_field
        ]
        for record in book.records(ledger).list(None, 0, 10_000):
            found.update(str(record.values[n]) for n in wanted if record.values.get(n))
    return {value for value in found if len(value) >= 2}


def leaks(path: Path, secrets: set[str]) -> list[str]:
    data = path.read_bytes()
    return sorted(s for s in secrets if s.encode("utf-8") in data)


def test_no_personal_data_on_disk_in_the_clear(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    db = data_dir / "hebi-desktop.sqlite"  # the default database, backups in the data folder
    assert call(capsys, "demo", "--rows", "40")[0] == 0
    password = tmp_path / "pw.txt"
    password.write_text("报送密码2026\n", encoding="utf-8")
    workbook = tmp_path / "报送.xlsx"
    code, _out, _err = call(
        capsys, "export", "all", "-o", str(workbook), "--encrypt", "--password-file", str(password)
    )
    assert code == 0
    assert call(capsys, "backup", "-o", str(tmp_path / "usb" / "备份.sqlite"))[0] == 0

    book = Book.open(db)
    try:
        service = book.records("housing")
        first = service.list(None, 0, 1)[0]
        edited = dict(first.values, head_name="赵德胜", phone="13912345678")
        service.update(first.id, edited, first.version)
        service.delete(service.list(None, 1, 1)[0].id)
        backups.make_backup(book, backups.AUTOMATIC)
        secrets = personal_values(book) | {"赵德胜", "13912345678"}
        assert len(secrets) > 100
        # While the window would be open: the -wal holds the latest pages.
        wal = Path(f"{db}-wal")
        assert wal.exists() and wal.stat().st_size > 0
        files = [db, wal, workbook, *tmp_path.rglob("*.sqlite"), *data_dir.rglob("*")]
        checked = [p for p in dict.fromkeys(files) if p.is_file() and p.name != "pw.txt"]
        assert any(p.parent.name == "backups" for p in checked)
        assert any(p.parent.name == "logs" for p in checked)
        for path in checked:
            assert leaks(path, secrets) == [], path
    finally:
        book.close()
    for path in [db, *data_dir.rglob("*.sqlite")]:
        assert leaks(path, secrets) == [], path


def test_the_byte_search_finds_data_in_a_plain_file(tmp_path: Path) -> None:
    """The check above can fail: a plain database shows the same values in its bytes."""
    plain = tmp_path / "plain.sqlite"
    with closing(sqlite3.connect(plain)) as connection:
        connection.execute("CREATE TABLE t (name TEXT, id_number TEXT)")
        connection.execute("INSERT INTO t VALUES ('赵德胜', '410622195603080311')")
        connection.commit()
    assert leaks(plain, {"赵德胜", "410622195603080311", "钱多多"}) == [
        "410622195603080311",
        "赵德胜",
    ]
