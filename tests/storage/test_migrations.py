"""Migrations at start-up: an empty file, a file at head, and an older file with data
(which is backed up before its schema changes, and left intact if a revision fails)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from hebi_desktop.domain.divisions import load_divisions_file
from hebi_desktop.domain.registry import all_ledgers
from hebi_desktop.errors import UserError
from hebi_desktop.paths import migrations_dir
from hebi_desktop.services.book import Book
from hebi_desktop.storage import migrate
from hebi_desktop.storage.checksums import manifest_of
from hebi_desktop.storage.models import Base
from tests.raw_db import raw_connect
from tests.samples import housing

# The real head when the tests start; other branches add revisions, so never a literal.
HEAD = migrate.head_revision()
EXTRA = "test_extra"  # an id no real revision will ever take

EXTRA_REVISION = '''"""test revision: a column added to settings"""

import sqlalchemy as sa
from alembic import op

revision = "{extra}"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("settings", sa.Column("note", sa.Text(), nullable=True))
    {after}


def downgrade() -> None:
    op.drop_column("settings", "note")
'''


def scripts_with_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after: str) -> None:
    """Point the migrations at a copy of the real ones plus one more revision on the head."""
    folder = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / f"{EXTRA}.py").write_text(
        EXTRA_REVISION.format(extra=EXTRA, head=HEAD, after=after), encoding="utf-8"
    )
    monkeypatch.setattr(migrate, "migrations_dir", lambda: folder)


def columns(path: Path, table: str) -> set[str]:
    with raw_connect(path) as connection:
        return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def revision_of(path: Path) -> str:
    with raw_connect(path) as connection:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def make_older_database(path: Path) -> int:
    """A database at the real head holding one record; returns its id."""
    with Book.open(path) as book:
        record_id = book.records("housing").create(housing()).record.id
    return record_id


def test_empty_file_is_created_at_head_without_a_backup(db_path: Path, data_dir: Path) -> None:
    book = Book.open(db_path)
    try:
        assert book.upgrade_backup is None
        assert migrate.current_revision(book.engine) == migrate.head_revision() == HEAD
        assert not migrate.needs_upgrade(book.engine)
        tables = set(inspect(book.engine).get_table_names())
        assert {ledger.table_name for ledger in all_ledgers()} <= tables
        assert {"divisions", "villages", "settings", "audit_log", "submissions", "drafts"} <= tables
        with book.reading() as connection:
            count = connection.exec_driver_sql("SELECT count(*) FROM divisions").scalar()
        assert count == len(load_divisions_file())
    finally:
        book.close()
    assert not list((data_dir / "backups").glob("*.sqlite"))


def test_zero_byte_file_is_initialised(db_path: Path) -> None:
    db_path.touch()
    with Book.open(db_path) as book:
        assert migrate.current_revision(book.engine) == HEAD
        assert book.upgrade_backup is None


def test_reopening_at_head_changes_nothing(db_path: Path, data_dir: Path) -> None:
    record_id = make_older_database(db_path)
    with Book.open(db_path) as book:
        assert book.upgrade_backup is None
        assert book.records("housing").get(record_id).values["head_name"] == "张秀英"
        with book.reading() as connection:
            count = connection.exec_driver_sql("SELECT count(*) FROM divisions").scalar()
        assert count == len(load_divisions_file())  # seeded once, not twice
    assert not list((data_dir / "backups").glob("*.sqlite"))


def test_migration_files_match_the_models(book: Book) -> None:
    """A model change without its migration (or the reverse) shows up here."""
    with book.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_older_database_with_data_is_backed_up_before_upgrading(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_id = make_older_database(db_path)
    scripts_with_extra(tmp_path, monkeypatch, after="pass")
    backups = tmp_path / "backups"

    with Book.open(db_path, backups=backups) as book:
        assert migrate.current_revision(book.engine) == EXTRA
        assert book.records("housing").get(record_id).values["head_name"] == "张秀英"
        backup = book.upgrade_backup

    assert backup is not None and backup.parent == backups
    assert f"before-upgrade-{HEAD}" in backup.name
    # no partial files left behind: the backup and its checksum manifest only
    assert sorted(backups.iterdir()) == [backup, manifest_of(backup)]
    # The copy was taken before the schema changed, and holds the data.
    assert revision_of(backup) == HEAD
    assert "note" not in columns(backup, "settings")
    with raw_connect(backup) as connection:
        names = connection.execute("SELECT head_name FROM housing_checks").fetchall()
    assert names == [("张秀英",)]
    assert revision_of(db_path) == EXTRA
    assert "note" in columns(db_path, "settings")


def test_failed_revision_leaves_the_old_schema_and_data(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_id = make_older_database(db_path)
    scripts_with_extra(tmp_path, monkeypatch, after='raise RuntimeError("half-way")')

    with pytest.raises(RuntimeError, match="half-way"):
        Book.open(db_path, backups=tmp_path / "backups")

    # The column added before the failure was rolled back with the revision.
    assert revision_of(db_path) == HEAD
    assert "note" not in columns(db_path, "settings")
    monkeypatch.undo()
    with Book.open(db_path) as book:
        assert book.records("housing").get(record_id).version == 1
        assert book.integrity_problems() == []


def test_database_of_a_newer_program_is_refused_untouched(db_path: Path, data_dir: Path) -> None:
    make_older_database(db_path)
    with raw_connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(UserError, match=r"更新版本的程序建立的（数据库版本9999），请安装最新版本"):
        Book.open(db_path)
    assert revision_of(db_path) == "9999"
    assert not list((data_dir / "backups").glob("*.sqlite"))


def test_integrity_check_reports_a_version_mismatch(book: Book) -> None:
    assert book.integrity_problems() == []
    with book.writing() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    assert "数据库版本与程序不一致" in book.integrity_problems()
