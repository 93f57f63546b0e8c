"""Shared fixtures: every test gets a fresh data folder and a fresh database.

The database tests (storage, services, exchange, CLI, concurrency) run on both engines:
SQLite always, PostgreSQL when ``HEBI_TEST_POSTGRES_URL`` names a database one may wipe
(``.ci/postgres`` starts a throw-away server and sets it). Without the variable the
PostgreSQL half skips, so the README's test command needs no server.

Qt runs offscreen, so the tests need no screen.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import create_engine, inspect, text

from hebi_desktop.services.book import Book
from hebi_desktop.storage.keys import forget_session
from hebi_desktop.storage.migrate import head_revision

POSTGRES_URL = os.environ.get("HEBI_TEST_POSTGRES_URL")
ENGINES = ("sqlite", "postgresql")
# Test folders whose database tests run on both engines; the widget tests stay on SQLite.
BOTH_ENGINES = ("storage", "services", "exchange", "cli", "concurrency")
TESTS = Path(__file__).resolve().parent


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every database test of the chosen folders once per engine."""
    if "engine_name" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return
    parts = Path(metafunc.definition.path).resolve().relative_to(TESTS).parts
    if len(parts) > 1 and parts[0] in BOTH_ENGINES:
        metafunc.parametrize("engine_name", ENGINES, indirect=True)


@pytest.fixture
def engine_name(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``; the PostgreSQL half skips without a test server."""
    name = getattr(request, "param", "sqlite")
    if name == "postgresql" and not POSTGRES_URL:
        pytest.skip("HEBI_TEST_POSTGRES_URL not set (.ci/postgres sets it)")
    return name


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test's logs, backups and default database in its own folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("HEBI_DESKTOP_DATA_DIR", str(folder))
    monkeypatch.delenv("HEBI_DESKTOP_DB", raising=False)
    # Window sizes and column widths (QSettings) too: never the real user's.
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "user-settings")
    )
    return folder


@pytest.fixture(scope="session", autouse=True)
def _one_qt_application(qapp: object) -> object:
    """The run's QApplication, made before any command under test makes a bare
    QGuiApplication for printing (Qt allows one application object per process, and a
    widget test after a QGuiApplication would abort the whole run)."""
    return qapp


@pytest.fixture(autouse=True)
def fresh_logging() -> Iterator[None]:
    """Each test logs into its own data folder, as each run of the program does.

    The program configures logging once per process; without this, the first test's log
    file would receive every later test's lines, and a message naming "the log file" would
    name another test's folder.
    """
    import logging

    from hebi_desktop import logging_setup

    def reset() -> None:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if isinstance(handler.formatter, logging_setup.MaskingFormatter) or isinstance(
                handler, logging.NullHandler
            ):
                root.removeHandler(handler)
                handler.close()
        logging_setup._configured = False
        logging_setup.log_file = None

    reset()
    yield
    reset()


@pytest.fixture(scope="session", autouse=True)
def _test_key_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The test run's own key store (a key file), never the real user's.

    Session-wide, so databases that module-scoped fixtures build open in every test; a
    test that needs another PC switches ``HEBI_DESKTOP_KEY_DIR`` to an empty folder."""
    folder = tmp_path_factory.mktemp("keys")
    patch = pytest.MonkeyPatch()
    patch.setenv("HEBI_DESKTOP_KEY_DIR", str(folder))
    yield folder
    patch.undo()


@pytest.fixture(autouse=True)
def key_dir(_test_key_store: Path) -> Iterator[Path]:
    """The key folder; each test starts with no recovery key given and nothing cached."""
    forget_session()
    yield _test_key_store
    forget_session()


@pytest.fixture
def db_path(tmp_path: Path, engine_name: str) -> Path:
    """The SQLite file of a test; a test that needs the file itself runs on SQLite only."""
    if engine_name != "sqlite":
        pytest.skip("works on the SQLite file itself")
    return tmp_path / "ledgers.sqlite"


@pytest.fixture(scope="session")
def _postgres_reference_tables() -> frozenset[str]:
    """Start the test database from an empty schema; note the tables the program seeds.

    Migrating once per session and emptying the written tables per test keeps the
    PostgreSQL half fast; the seeded reference tables (divisions) are left filled.
    """
    assert POSTGRES_URL is not None
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    with Book.open(POSTGRES_URL) as book, book.reading() as connection:
        names = inspect(connection).get_table_names()
        seeded = {
            name
            for name in names
            if connection.scalar(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")'))
        }
        return frozenset(seeded | {"alembic_version"})


def empty_postgres(keep: frozenset[str]) -> None:
    """Empty every table the tests write (ids restart), keeping the reference tables."""
    assert POSTGRES_URL is not None
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            # A test may have moved the schema revision; every test starts at head.
            connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()}
            )
            names = [n for n in inspect(connection).get_table_names() if n not in keep]
            if names:
                listed = ", ".join(f'"{name}"' for name in names)
                connection.execute(text(f"TRUNCATE {listed} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture
def db_url(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """What ``--db`` gets: a fresh SQLite file, or the emptied PostgreSQL test database."""
    if engine_name == "sqlite":
        return str(tmp_path / "ledgers.sqlite")
    empty_postgres(request.getfixturevalue("_postgres_reference_tables"))
    assert POSTGRES_URL is not None
    return POSTGRES_URL


@pytest.fixture
def book(db_url: str) -> Iterator[Book]:
    opened = Book.open(db_url)
    opened.settings.set("operator", "测试员")
    opened.settings.set("county_code", "410622")
    opened.settings.set("township_code", "410622102")
    yield opened
    opened.close()


@pytest.fixture
def shared_pc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A key folder of the test's own, for setting a start-up password on it without
    locking the run's key store; scrypt made cheap (the record stores its cost, so
    commands started by the test derive as cheaply)."""
    from hebi_desktop.storage import key_wrap

    folder = tmp_path / "shared-pc-keys"
    monkeypatch.setenv("HEBI_DESKTOP_KEY_DIR", str(folder))
    monkeypatch.setattr(key_wrap, "SCRYPT_N", 2**10)
    forget_session()
    yield folder
    forget_session()
