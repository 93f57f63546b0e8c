"""The open database: one object that front ends create once and pass around.

Like a ledger book on the clerk's desk, a :class:`Book` holds every ledger of
one database and the services that work on it. Opening it applies pending
migrations (after a backup) and makes sure the reference divisions are present.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from hebi_desktop.domain.divisions import load_divisions_file
from hebi_desktop.domain.fields import Ledger
from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.errors import StorageError, UserError, reason_of, storage_error
from hebi_desktop.services.adoption import LockedDatabase, check_database_file
from hebi_desktop.services.attachments import AttachmentService
from hebi_desktop.services.audit import AuditService
from hebi_desktop.services.leftovers import clean_leftovers, clean_restoring
from hebi_desktop.services.records import RecordService
from hebi_desktop.services.rosters import RosterService
from hebi_desktop.services.settings import SettingsService
from hebi_desktop.services.stats import StatsService
from hebi_desktop.services.villages import VillageService
from hebi_desktop.storage import migrate
from hebi_desktop.storage.backup import Progress, backup_file
from hebi_desktop.storage.blobs import (
    BlobStore,
    FolderStore,
    KeyProvider,
    TableStore,
    backup_folder,
    copy_missing,
    folder_beside,
)
from hebi_desktop.storage.cipher import KeyMissing
from hebi_desktop.storage.engine import (
    display_url,
    make_engine,
    reader,
    resolve_url,
    sqlite_path,
    writer,
)
from hebi_desktop.storage.file_keys import file_encryption_key
from hebi_desktop.storage.keys import KeyStoreError
from hebi_desktop.storage.models import Division
from hebi_desktop.storage.server import (
    LoginRefused,
    change_marker,
    connection_failure,
    login_refused,
)

log = logging.getLogger(__name__)


def _open_failure(url: str, error: Exception) -> str:
    """The Chinese message for a database that cannot be opened (no password shown)."""
    where = display_url(url)
    server_reason = connection_failure(error) if sqlite_path(url) is None else None
    if server_reason is not None:
        reason = server_reason
    elif isinstance(error, DBAPIError):
        # Busy, damaged, read-only, unreachable...: in Chinese, never the driver's English.
        reason = str(storage_error(error) or StorageError())
    elif isinstance(error, OSError):
        reason = f"无法创建或访问“{error.filename or where}”（{error.strerror or error}）"
    elif isinstance(error, ArgumentError):
        reason = f"不是有效的数据库文件路径或地址（{error}）"
    elif isinstance(error, ImportError):
        reason = f"缺少数据库驱动 {error.name or ''}".rstrip()
        if sqlite_path(url) is None:
            reason += '（请安装服务器版：pip install "hebi-desktop[server]"）'
    else:
        reason = str(error)
    return f"无法打开数据库“{where}”：{reason}"


def _backups_for(url: str) -> Path:
    """The default backup folder of the database at ``url`` (see services/backups.py)."""
    from hebi_desktop.paths import default_backup_folder

    return default_backup_folder(sqlite_path(url))


def _translated(error: SQLAlchemyError, what: str) -> StorageError | None:
    """The StorageError to raise instead of ``error``; ``None`` when ``error`` is a defect."""
    translated = storage_error(error)
    if translated is not None:
        # The driver's message names tables and columns, never values; the statement and
        # its parameters stay out of the log line.
        log.warning("database %s failed: %s: %s", what, type(error).__name__, reason_of(error))
    return translated


class Book:
    """An open database with its services. Use :meth:`open`; close with :meth:`close`."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.read_engine = reader(engine)
        self.write_engine = writer(engine)
        self.upgrade_backup: Path | None = None
        # The key attachment files are encrypted with (None: plain): derived from an
        # encrypted database's own key, so the photos are as safe as the records and come
        # back with the same recovery key. Looked up once, when first needed.
        self.attachment_key: KeyProvider = self._file_key
        self._file_key_cache: tuple[bytes | None] | None = None

    def _file_key(self) -> bytes | None:
        if self._file_key_cache is None:
            self._file_key_cache = (file_encryption_key(self),)
        return self._file_key_cache[0]

    @classmethod
    def open(
        cls, db: str | Path | None = None, *, backups: Path | None = None, create: bool = True
    ) -> Book:
        """Open and migrate the database at ``db``.

        ``db`` is a file path or SQLAlchemy URL; ``None`` means ``HEBI_DESKTOP_DB`` or the
        default file in the user's data folder. A SQLite file is checked first
        (``services/adoption.py``): only our own database is opened, and a missing or
        empty file is created only with ``create`` (front ends pass what the clerk asked).
        """
        url = resolve_url(db)
        path = sqlite_path(url)
        if path is not None:
            check_database_file(path, create=create)
            clean_restoring(path)  # before our own connections would make it look busy
        try:
            engine = make_engine(url)
        except KeyMissing as error:
            raise LockedDatabase(f"无法打开数据库“{display_url(url)}”：{error}") from None
        except KeyStoreError as error:
            raise UserError(f"无法打开数据库“{display_url(url)}”：{error}") from None
        except (OSError, ImportError, SQLAlchemyError) as error:
            # A folder that cannot be made, an unknown scheme, a driver not installed.
            raise UserError(_open_failure(url, error)) from None
        try:
            upgrade_backup = migrate.upgrade(engine, backups or _backups_for(url))
        except migrate.NewerDatabase as error:
            engine.dispose()
            raise UserError(
                f"数据库“{display_url(url)}”是更新版本的程序建立的"
                f"（数据库版本{error.revision}），请安装最新版本的程序后再打开"
            ) from None
        except (OSError, SQLAlchemyError) as error:
            # Not a database ("file is not a database"), unreachable server, locked file.
            log.warning("cannot open %s", display_url(url), exc_info=True)
            engine.dispose()
            if sqlite_path(url) is None and login_refused(error):
                raise LoginRefused(_open_failure(url, error)) from None
            raise UserError(_open_failure(url, error)) from None
        book = cls(url, engine)
        book.upgrade_backup = upgrade_backup
        book._seed_divisions()
        clean_leftovers(book)
        return book

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- transactions -------------------------------------------------------------
    #
    # Every service reaches the database through these two, so this is the one place where
    # SQLAlchemy's and the driver's exceptions become the program's own (``StorageError``
    # and its kinds, Chinese, without row data); the original is logged, its SQL parameters
    # hidden by the engine (``hide_parameters``). A defect (unparsable SQL) is not
    # translated: it propagates as is and is reported as an internal error.

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        try:
            with self.write_engine.begin() as connection:
                yield connection
        except SQLAlchemyError as error:
            translated = _translated(error, "write")
            if translated is None:
                raise
            raise translated from error

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        try:
            with self.read_engine.connect() as connection:
                yield connection
        except SQLAlchemyError as error:
            translated = _translated(error, "read")
            if translated is None:
                raise
            raise translated from error

    # --- services -----------------------------------------------------------------

    @cached_property
    def settings(self) -> SettingsService:
        return SettingsService(self)

    @cached_property
    def audit(self) -> AuditService:
        return AuditService(self)

    @cached_property
    def villages(self) -> VillageService:
        return VillageService(self)

    @cached_property
    def stats(self) -> StatsService:
        return StatsService(self)

    @cached_property
    def rosters(self) -> RosterService:
        return RosterService(self)

    @cached_property
    def _record_services(self) -> dict[str, RecordService]:
        return {}

    def records(self, ledger: str | Ledger) -> RecordService:
        """The record service of one ledger (by key or declaration)."""
        ledger = get_ledger(ledger) if isinstance(ledger, str) else ledger
        services = self._record_services
        if ledger.key not in services:
            services[ledger.key] = RecordService(
                self, ledger, history=self.audit, operator=lambda: self.operator
            )
        return services[ledger.key]

    @cached_property
    def _attachment_services(self) -> dict[str, AttachmentService]:
        return {}

    def attachments(self, ledger: str | Ledger) -> AttachmentService:
        """The attachment service of one ledger (by key or declaration)."""
        ledger = get_ledger(ledger) if isinstance(ledger, str) else ledger
        services = self._attachment_services
        if ledger.key not in services:
            services[ledger.key] = AttachmentService(self, ledger)
        return services[ledger.key]

    @cached_property
    def blob_store(self) -> BlobStore:
        """Where attachment bytes live: the server's table, or a folder beside the file."""
        path = self.sqlite_file
        if path is None:
            return TableStore(self.write_engine)
        return FolderStore(
            folder_beside(path), lambda: self.attachment_key(), TableStore(self.write_engine)
        )

    def read_attachments_from(self, folder: Path) -> None:
        """Read attachment contents from ``folder`` (a backup folder's shared files), then
        from this database's own table: a backup opened from a scratch copy."""
        self.__dict__["blob_store"] = FolderStore(
            folder, lambda: self.attachment_key(), TableStore(self.write_engine)
        )

    @property
    def ledgers(self) -> tuple[Ledger, ...]:
        return all_ledgers()

    @property
    def operator(self) -> str:
        return self.settings.operator or "未署名"

    # --- database-level work -------------------------------------------------------

    @property
    def sqlite_file(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def location(self) -> str:
        """The database as a clerk knows it: file path, or server URL without password."""
        return display_url(self.url)

    def backup(self, target: Path, progress: Progress | None = None) -> Path:
        """A consistent copy of the database in ``target``, always a SQLite file.

        A server database is copied table by table into a portable SQLite file.
        """
        source = self.sqlite_file
        if source is None:
            from hebi_desktop.services.transfer import portable_backup

            path = portable_backup(self, target, progress)
        else:
            # Fold the WAL into the main file first so the copy does not depend on it.
            with self.reading() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            path = backup_file(source, target, progress)
            # Attachments: the files this backup folder lacks, never the unchanged ones.
            copied = copy_missing(folder_beside(source), backup_folder(path.parent))
            log.info("backup copied %d new attachment files", copied)
        self.settings.set("last_backup_at", dt.datetime.now().isoformat(timespec="seconds"))
        self.settings.set("last_backup_file", str(path))
        return path

    def integrity_problems(self) -> list[str]:
        """The engine's own integrity and foreign-key checks; empty when healthy."""
        if self.engine.dialect.name != "sqlite":
            from hebi_desktop.storage.server import server_problems

            found = server_problems(self.engine)
            if migrate.needs_upgrade(self.engine):
                found.append("数据库版本与程序不一致")
            return found
        problems: list[str] = []
        with self.reading() as connection:
            result = [r[0] for r in connection.exec_driver_sql("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems.extend(f"数据库结构损坏：{line}" for line in result)
            for table, rowid, parent, _fk in connection.exec_driver_sql("PRAGMA foreign_key_check"):
                problems.append(f"表{table}第{rowid}行引用了不存在的{parent}")
        if migrate.needs_upgrade(self.engine):
            problems.append("数据库版本与程序不一致")
        return problems

    def _seed_divisions(self) -> None:
        rows = load_divisions_file()
        with self.reading() as connection:
            present = set(connection.scalars(select(Division.code)))
        missing = [r for r in rows if r.code not in present]
        if not missing:
            return
        with self.writing() as connection:
            connection.execute(
                insert(Division),
                [
                    {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code}
                    for r in missing
                ],
            )
        log.info("seeded %d divisions", len(missing))

    def change_marker(self) -> int:
        """A number every write of any desk increases (see ``storage.server``)."""
        with self.reading() as connection:
            return change_marker(connection)

    def count_all(self) -> dict[str, int]:
        """Live records per ledger, for the status bar."""
        from hebi_desktop.storage.models import record_model

        counts: dict[str, int] = {}
        with self.reading() as connection:
            for ledger in all_ledgers():
                model = record_model(ledger)
                counts[ledger.key] = (
                    connection.scalar(
                        select(func.count()).select_from(model).where(model.deleted_at.is_(None))
                    )
                    or 0
                )
        return counts
