"""Which files may be opened as the program's database, checked before SQLite touches them.

Opening a file through the engine switches it to WAL mode and migrating creates our
tables, so another program's SQLite file, a workbook or a typo'd path must be refused
*before* that: read-only, so a refused file keeps every byte. A new (missing or empty)
file is created only when the clerk asked for a new database (first start of the
window, ``demo``, or ``--create``); a folder that does not exist is never made.
"""

from __future__ import annotations

from pathlib import Path

from hebi_desktop.errors import UserError
from hebi_desktop.storage import migrate
from hebi_desktop.storage.backup import OUR_TABLES
from hebi_desktop.storage.cipher import DatabaseError, KeyMissing, connect, find_key, is_plain
from hebi_desktop.storage.keys import KeyStoreError


class LockedDatabase(UserError):
    """An encrypted database no key of this desk opens: the recovery key is the way in."""


def check_database_file(path: Path, *, create: bool) -> None:
    """Refuse ``path`` unless it is our database, or a new one the clerk asked for."""
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"无法打开数据库“{path}”：文件夹不存在（{folder}），请检查路径是否写错")
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        if create:
            return
        raise UserError(
            f"无法打开数据库“{path}”：文件不存在；请检查路径是否写错，"
            "如确实要新建数据库，请加 --create 参数"
        )
    if not path.is_file():
        raise UserError(f"无法打开数据库“{path}”：这是一个文件夹，不是数据库文件")
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError:
        raise UserError(f"无法打开数据库“{path}”：无法读取该文件，请检查文件权限") from None
    tables, revision = _schema(path, database_key(path))
    if not tables:
        if create:
            return
        raise UserError(
            f"无法打开数据库“{path}”：这是一个空数据库；"
            "如确实要在其中新建本程序的数据库，请加 --create 参数"
        )
    if not tables >= OUR_TABLES:
        raise UserError(
            f"无法打开数据库“{path}”：这是其他程序的数据库，不是本程序的数据库（未做任何改动）"
        )
    if revision is not None and not migrate.is_known(revision):
        raise UserError(
            f"数据库“{path}”是更新版本的程序建立的（数据库版本{revision}），"
            "请安装最新版本的程序后再打开"
        )


def database_key(path: Path) -> bytes | None:
    """The key of the existing file ``path`` (None: plain); Chinese UserError otherwise."""
    try:
        return find_key(path)
    except KeyMissing as error:
        if _looks_like_other_file(path):
            raise UserError(
                f"无法打开数据库“{path}”：不是本程序的数据库文件（未做任何改动）"
            ) from None
        raise LockedDatabase(f"无法打开数据库“{path}”：{error}") from None
    except KeyStoreError as error:
        raise UserError(f"无法打开数据库“{path}”：{error}") from None


def _looks_like_other_file(path: Path) -> bool:
    """A workbook, a text or an empty-page file is not an encrypted database (whose
    size is a whole number of pages and whose first bytes look random)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    if size % 512 or size < 1024:
        return True
    return head.startswith((b"PK", b"\xd0\xcf\x11\xe0", b"%PDF")) or head.isascii()


def _schema(path: Path, key: bytes | None) -> tuple[set[str], str | None]:
    """The table names and the schema revision, read without changing the file."""
    try:
        connection = connect(path, key, read_only=True)
        try:
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            connection.close()
    except DatabaseError:
        if not is_plain(path):
            raise LockedDatabase(f"无法打开数据库“{path}”：数据库密钥不对") from None
        raise UserError(f"无法打开数据库“{path}”：文件已损坏或不是数据库（未做任何改动）") from None
    return tables, revision
