"""What a shared PostgreSQL server adds: passwords kept out of sight, Chinese connection
failures, ``check`` on a server, the import lock between desks."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import Index, text
from sqlalchemy.engine import make_url

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.exchange.importer import import_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.checking import check_book
from hebi_desktop.storage.engine import display_url, make_engine, resolve_url
from hebi_desktop.storage.models import record_model
from hebi_desktop.storage.server import IMPORT_LOCK_KEY, WAITING_FOR_IMPORT
from tests.cli_helpers import run
from tests.exchange.helpers import export
from tests.samples import housing

SECRET = "Geheim-pa55"


def test_a_password_in_a_url_is_shown_masked() -> None:
    url = f"postgresql+psycopg://clerk:{SECRET}@10.0.0.5:5432/ledgers?sslmode=require"
    shown = display_url(url)
    assert SECRET not in shown
    assert shown == "postgresql+psycopg://clerk:***@10.0.0.5:5432/ledgers?sslmode=require"
    assert display_url("postgresql+psycopg://clerk@host/db") == "postgresql+psycopg://clerk@host/db"


def test_sslmode_and_a_connect_timeout_reach_the_driver() -> None:
    pytest.importorskip("psycopg")
    engine = make_engine("postgresql+psycopg://clerk@host/ledgers?sslmode=verify-full")
    _args, options = engine.dialect.create_connect_args(engine.url)
    assert options["sslmode"] == "verify-full"
    assert engine.dialect.name == "postgresql"
    engine.dispose()


def test_an_unreachable_server_is_explained_without_the_password(data_dir: Path) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(UserError) as refused:
        Book.open(f"postgresql+psycopg://clerk:{SECRET}@127.0.0.1:1/ledgers")
    message = str(refused.value)
    assert "连不上数据库服务器" in message
    assert SECRET not in message and "clerk:***@127.0.0.1:1/ledgers" in message
    logs = "".join(p.read_text(encoding="utf-8") for p in data_dir.rglob("*.log"))
    assert SECRET not in logs


def _with_password(url: str, password: str) -> str:
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def test_no_password_in_logs_settings_or_files_after_a_session(
    db_url: str, engine_name: str, data_dir: Path, tmp_path: Path
) -> None:
    if engine_name != "postgresql":
        pytest.skip("a password belongs to a server")
    password = os.environ.get("PGPASSWORD") or make_url(db_url).password
    assert password, "the test server needs a password"
    url = _with_password(db_url, password)
    env = {"PGPASSWORD": ""}  # the URL's password is the one used
    outputs = [
        run("demo", "--rows", "30", "--db", url, env=env),
        run("stats", "--db", url, env=env),
        run("check", "--db", url, env=env),
        run("export", "all", "-o", str(tmp_path / "all.xlsx"), "--db", url, env=env),
        run("backup", "-o", str(tmp_path / "portable.sqlite"), "--db", url, env=env),
        run("stats", "--db", _with_password(db_url, "wrong-" + password), env=env),
    ]
    assert [done.returncode for done in outputs] == [0, 0, 0, 0, 0, 1]
    assert "服务器拒绝登录" in outputs[-1].stderr
    for done in outputs:
        assert password not in done.stdout + done.stderr
    written = [p for folder in (data_dir, tmp_path) for p in folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in written) and any(p.suffix == ".xlsx" for p in written)
    for path in written:
        assert password.encode() not in path.read_bytes(), path
    with Book.open(db_url) as book:
        assert not [v for v in book.settings.all().values() if password in v]


def test_a_newer_schema_on_the_server_is_refused_untouched(
    book: Book, db_url: str, engine_name: str
) -> None:
    book.records("housing").create(housing())
    with book.writing() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    book.close()
    with pytest.raises(UserError, match="更新版本的程序"):
        Book.open(db_url)
    engine = make_engine(resolve_url(db_url))
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "9999"
        assert connection.scalar(text("SELECT count(*) FROM housing_checks")) == 1
    engine.dispose()


def test_check_on_a_server_finds_a_missing_and_a_broken_index(book: Book, engine_name: str) -> None:
    if engine_name != "postgresql":
        pytest.skip("SQLite's integrity_check covers its indexes")
    assert check_book(book).ok
    table = record_model(get_ledger("water")).__table__
    index: Index = next(i for i in table.indexes if not i.unique)
    with book.writing() as connection:
        index.drop(connection)
    try:
        problems = check_book(book).integrity
        assert any("water" in p and "缺少索引" in p for p in problems), problems
    finally:
        with book.writing() as connection:
            index.create(connection)
    natural = f"uq_{table.name}_natural_key"
    flag = "UPDATE pg_index SET indisvalid = {} WHERE indexrelid = CAST(:name AS regclass)"
    with book.writing() as connection:
        connection.execute(text(flag.format("false")), {"name": natural})
    try:
        assert f"索引{natural}已失效，需要重建（REINDEX）" in check_book(book).integrity
    finally:
        with book.writing() as connection:
            connection.execute(text(flag.format("true")), {"name": natural})
    assert check_book(book).ok


def test_a_second_import_waits_for_the_first_and_can_be_cancelled(
    book: Book, engine_name: str, tmp_path: Path
) -> None:
    if engine_name != "postgresql":
        pytest.skip("SQLite's writer lock already serialises imports")
    source = tmp_path / "one.xlsx"
    book.records("housing").create(housing())
    export(book, source, "housing", record_submission=False)
    book.records("housing").delete(1)
    told: list[str] = []
    held = threading.Event()
    with book.writing() as other_desk:  # another desk's import holds the lock
        other_desk.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})
        held.set()
        with pytest.raises(Cancelled):
            import_workbook(
                book, "housing", source, waiting=told.append, cancelled=lambda: bool(told)
            )
    assert told == [WAITING_FOR_IMPORT]
    assert book.records("housing").count() == 0
    # Once the other import is over, the same import goes through.
    assert import_workbook(book, "housing", source).inserted == 1
