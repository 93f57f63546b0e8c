"""Database failures reach the clerk as the program's own Chinese errors, without data.

A writer that waits too long for another program's lock, a read-only database, a full
disk, a constraint the checks did not foresee: the services raise ``StorageError`` kinds
whose messages are Chinese and never quote the row; the log gets the driver's reason
without SQL parameters (no names or ID numbers).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from hebi_desktop import errors
from hebi_desktop.errors import (
    ConflictError,
    DatabaseBusy,
    DiskFull,
    ReadOnlyDatabase,
    StorageError,
    UserError,
    storage_error,
)
from hebi_desktop.services.book import Book
from hebi_desktop.storage import engine as engine_module
from tests.raw_db import raw_connect
from tests.samples import HOUSEHOLD_HEAD_ID, housing

NAME = housing()["head_name"]


def assert_clean(text: str) -> None:
    """No personal data and none of SQLite's English in what the clerk or the log sees."""
    for secret in (NAME, HOUSEHOLD_HEAD_ID, "13803921234", "王庄村12号"):
        assert secret not in text, text


def test_a_writer_that_waits_too_long_gets_a_chinese_busy_error(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)
    with Book.open(db_path) as book:
        other = raw_connect(db_path, isolation_level=None)  # another program, writing
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(DatabaseBusy) as raised:
                book.records("housing").create(housing())
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert "另一个程序或另一台电脑" in str(raised.value)
        assert "locked" not in str(raised.value)
        assert_clean(str(raised.value))
        assert_clean(caplog.text)
        assert "database is locked" in caplog.text  # the reason is logged for support
        assert book.records("housing").count() == 0
        book.records("housing").create(housing())  # and it works once the lock is gone


def test_a_read_only_database_refuses_a_save_in_chinese(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Book.open(db_path).close()
    read_only = f"sqlite:///file:{db_path.as_posix()}?mode=ro&uri=true"
    with Book.open(read_only) as book, pytest.raises(ReadOnlyDatabase) as raised:
        book.records("housing").create(housing())
    assert "只读" in str(raised.value)
    assert_clean(str(raised.value))
    assert_clean(caplog.text)


def test_a_constraint_the_checks_missed_is_a_conflict_without_the_row(
    book: Book, caplog: pytest.LogCaptureFixture
) -> None:
    service = book.records("housing")
    service.create(housing())
    checked = service.check(housing())
    with pytest.raises(ConflictError) as raised, book.writing() as connection:
        # Straight past the duplicate check, as a race with another desk would.
        service.insert_checked(connection, [checked, checked], "测试员", checked_now())
    assert_clean(str(raised.value))
    assert_clean(caplog.text)
    assert "[parameters" not in caplog.text
    assert service.count() == 1


def checked_now():  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime.now()


def test_failed_statements_never_carry_their_parameters(book: Book) -> None:
    """``hide_parameters``: even an untranslated SQLAlchemy error leaves the values out."""
    assert book.engine.hide_parameters
    with pytest.raises(StorageError) as raised, book.writing() as connection:
        # The key exists already: the driver refuses the row (on either engine).
        connection.execute(
            text("INSERT INTO settings (key, value) VALUES (:key, :value)"),
            {"key": "operator", "value": HOUSEHOLD_HEAD_ID},
        )
    cause = raised.value.__cause__
    assert cause is not None and HOUSEHOLD_HEAD_ID not in str(cause)


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("database is locked", DatabaseBusy),
        ("database or disk is full", DiskFull),
        ("attempt to write a readonly database", ReadOnlyDatabase),
        ("database disk image is malformed", errors.DatabaseDamaged),
        ("unable to open database file", errors.DatabaseUnavailable),
        ("could not obtain lock on row in relation", DatabaseBusy),
    ],
)
def test_driver_messages_map_to_chinese_errors(reason: str, kind: type[StorageError]) -> None:
    error = OperationalError("INSERT ...", {"id_number": HOUSEHOLD_HEAD_ID}, Exception(reason))
    translated = storage_error(error)
    assert translated is not None
    assert type(translated) is kind and isinstance(translated, UserError)
    message = str(translated)
    assert message and message.isascii() is False and reason not in message
    assert_clean(message)


def test_a_defect_is_not_passed_off_as_a_storage_problem(book: Book) -> None:
    """A statement the database cannot parse is a bug: it propagates untranslated (exit
    code 2). SQLite calls it an OperationalError, PostgreSQL a ProgrammingError."""
    error = OperationalError("SELECT FROM", {}, Exception('near "FROM": syntax error'))
    assert storage_error(error) is None
    with pytest.raises(DBAPIError) as raised, book.reading() as connection:
        connection.exec_driver_sql("SELECT FROM")
    assert not isinstance(raised.value, StorageError)
    assert storage_error(raised.value) is None


def test_an_integrity_error_maps_to_a_conflict() -> None:
    error = IntegrityError("INSERT ...", {"head_name": NAME}, Exception("UNIQUE failed"))
    assert isinstance(storage_error(error), ConflictError)


def test_postgres_detail_lines_stay_out_of_the_log_reason() -> None:
    detail = f"duplicate key value\nDETAIL:  Key (id_number)=({HOUSEHOLD_HEAD_ID}) exists."
    error = IntegrityError("INSERT ...", {}, Exception(detail))
    assert errors.reason_of(error) == "duplicate key value"


def test_unexpected_errors_exit_2_with_the_log_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    from hebi_desktop.cli import stats
    from hebi_desktop.cli.main import main

    def broken(_args: object) -> int:
        raise RuntimeError(f"bug with {HOUSEHOLD_HEAD_ID}")

    monkeypatch.setattr(stats, "run", broken)
    assert main(["stats"]) == 2
    err = capsys.readouterr().err
    assert "程序内部出错" in err and str(data_dir / "logs" / "hebi-desktop.log") in err
    assert HOUSEHOLD_HEAD_ID not in err


def test_a_locked_database_is_exit_1_in_chinese_on_the_command_line(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hebi_desktop.cli.main import main

    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)
    Book.open(db_path).close()
    other = raw_connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        code = main(["demo", "--rows", "3", "--db", str(db_path)])
    finally:
        other.execute("ROLLBACK")
        other.close()
    err = capsys.readouterr().err
    assert code == 1, err
    assert "另一个程序或另一台电脑" in err and "locked" not in err


def test_id_numbers_are_masked_in_log_lines_and_tracebacks() -> None:
    from hebi_desktop.logging_setup import MaskingFormatter, mask_ids

    assert mask_ids(f"x {HOUSEHOLD_HEAD_ID}, y") == (
        f"x {HOUSEHOLD_HEAD_ID[:6]}********{HOUSEHOLD_HEAD_ID[-4:]}, y"
    )
    assert mask_ids("order 12345678901234567890") == "order 12345678901234567890"
    try:
        raise ValueError(f"bad row {HOUSEHOLD_HEAD_ID}")
    except ValueError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed %s", (NAME,), None)
        record.exc_info = sys.exc_info()
    text = MaskingFormatter("%(message)s").format(record)
    assert "bad row" in text and HOUSEHOLD_HEAD_ID not in text
