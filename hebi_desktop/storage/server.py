"""What a shared PostgreSQL server needs beyond portable SQL.

Connection failures said in Chinese, the integrity check ``check`` runs on a server,
the lock that keeps two desks' imports from interleaving, and the cheap marker that
tells a desk another desk has changed something. SQLite needs none of this: its file
lock already serialises writers, and one file has one desk.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.storage.models import AuditEntry, Base

log = logging.getLogger(__name__)

# Any fixed 64-bit number the program alone uses: "hebi" in ASCII, then "imp".
IMPORT_LOCK_KEY = 0x68656269_00696D70
IMPORT_LOCK_POLL_S = 0.25
IMPORT_LOCK_WAIT_S = 600.0
WAITING_FOR_IMPORT = "另一台电脑正在导入…"


class LoginRefused(UserError):
    """The server wants a (different) password: the desk may ask the clerk for one."""


def login_refused(error: BaseException) -> bool:
    text_ = str(getattr(error, "orig", None) or error).lower()
    return "password authentication failed" in text_ or "no password supplied" in text_


def connection_failure(error: BaseException) -> str | None:
    """The Chinese reason a server connection failed, or ``None`` when not recognised.

    libpq's messages are English and may contain the host; the reason alone is kept.
    """
    text_ = str(getattr(error, "orig", None) or error).lower()
    if login_refused(error):
        return "服务器拒绝登录：用户名或密码不对（密码请设在 PGPASSWORD 或 pgpass 文件中）"
    if "authentication" in text_ or "pg_hba.conf" in text_ or "role" in text_:
        return "服务器拒绝登录：该用户无权连接这个数据库，请联系管理员"
    if "database" in text_ and "does not exist" in text_:
        return "服务器上没有这个数据库，请检查地址中的数据库名"
    if "root certificate file" in text_:
        return "找不到 sslrootcert 指定的 CA 证书文件，请检查地址中的证书路径（用正斜杠 /）"
    if "does not match host name" in text_:
        return (
            "服务器证书上的名字与地址中的服务器名不一致（sslmode=verify-full），"
            "可能连到了冒充的服务器，已拒绝连接"
        )
    if "certificate verify failed" in text_ or ("certificate" in text_ and "verif" in text_):
        return "服务器证书不是由 sslrootcert 指定的 CA 签发的，无法确认服务器身份，已拒绝连接"
    if "does not support ssl" in text_:
        return "服务器没有开启 SSL，无法建立加密连接；请管理员在服务器上开启 ssl"
    if "ssl" in text_:
        return "无法建立加密连接（sslmode），请检查服务器的 SSL 设置"
    markers = (
        "connection refused",
        "could not connect",
        "could not translate host",
        "timeout",
        "timed out",
        "no route",
        "network is unreachable",
        "server closed the connection",
        "connection failed",
        "name or service not known",
    )
    if any(marker in text_ for marker in markers):
        return "连不上数据库服务器：请检查网络、服务器地址和端口，以及服务器是否已开机"
    return None


def server_problems(engine: Engine) -> list[str]:
    """A server's counterpart of SQLite's integrity check: tables, indexes, references.

    PostgreSQL keeps its pages consistent itself; what can go wrong is a missing or
    invalid index (an interrupted ``CREATE INDEX CONCURRENTLY``, a manual change), an
    unvalidated constraint, or a reference to a missing row after manual surgery.
    """
    problems: list[str] = []
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name not in present:
                problems.append(f"缺少数据表{table.name}")
                continue
            have = {
                (tuple(index["column_names"]), bool(index["unique"]))
                for index in inspect(connection).get_indexes(table.name)
            }
            for index in table.indexes:
                wanted = (tuple(column.name for column in index.columns), bool(index.unique))
                if wanted not in have:
                    problems.append(f"表{table.name}缺少索引（{'、'.join(wanted[0])}）")
            problems.extend(_orphans(connection, table.name))
        invalid = text(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready)"
        )
        problems.extend(
            f"索引{name}已失效，需要重建（REINDEX）" for name in connection.scalars(invalid)
        )
        unvalidated = text(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace AND NOT convalidated"
        )
        problems.extend(
            f"表{table}的约束{name}未经验证" for table, name in connection.execute(unvalidated)
        )
    return problems


def _orphans(connection: Connection, table_name: str) -> list[str]:
    table = Base.metadata.tables[table_name]
    found: list[str] = []
    for key in table.foreign_keys:
        column, parent = key.parent, key.column
        statement = (
            select(func.count())
            .select_from(table)
            .where(column.is_not(None), ~select(parent).where(parent == column).exists())
        )
        count = connection.scalar(statement) or 0
        if count:
            found.append(f"表{table_name}有{count}行引用了不存在的{parent.table.name}")
    return found


def take_import_lock(
    connection: Connection,
    cancelled: Callable[[], bool] | None = None,
    waiting: Callable[[str], None] | None = None,
    patience_s: float = IMPORT_LOCK_WAIT_S,
) -> None:
    """Hold the office-wide import lock until ``connection``'s transaction ends.

    On a server two desks may import at once; their rows must not interleave and the
    second must see the first's rows when it looks for duplicates. The lock is a
    transaction-level advisory lock: readers never wait for it, and it is released by
    the commit or rollback, also when a desk's network drops. The second import waits
    (``waiting`` is told once), can be cancelled, and gives up after ``patience_s``.
    SQLite needs nothing: its writer transaction already excludes other writers.
    """
    if connection.dialect.name != "postgresql":
        return
    statement = text("SELECT pg_try_advisory_xact_lock(:key)")
    deadline = time.monotonic() + patience_s
    told = False
    while not connection.scalar(statement, {"key": IMPORT_LOCK_KEY}):
        if not told:
            log.info("waiting for another desk's import to finish")
            if waiting is not None:
                waiting(WAITING_FOR_IMPORT)
            told = True
        if cancelled is not None and cancelled():
            raise Cancelled
        if time.monotonic() > deadline:
            raise UserError("另一台电脑的导入长时间未完成，本次导入未写入任何记录，请稍后再试")
        time.sleep(IMPORT_LOCK_POLL_S)


def change_marker(connection: Connection) -> int:
    """A number that grows with every write of any desk (the newest audit entry).

    Every write of a record is one transaction with its audit entry, so a page that
    remembers this number knows cheaply whether anything changed since it last looked.
    """
    return connection.scalar(select(func.coalesce(func.max(AuditEntry.id), 0))) or 0


def describe(error: DBAPIError) -> str:
    """The clerk's message for a server error during work (network dropped, refused)."""
    return connection_failure(error) or "数据库服务器出错，本次操作未保存；请稍后再试"
