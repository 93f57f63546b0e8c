"""Errors a clerk can act on, each with a Chinese message that names what is wrong.

The bottom of the layers: storage, services, exchange and the front ends all raise and catch
these, so this module imports nothing of the program at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hebi_desktop.domain.fields import Issue


class UserError(Exception):
    """Shown to the clerk as is (``str()``), never as a traceback."""


class ValidationFailed(UserError):
    def __init__(self, issues: list[Issue], row: int | None = None) -> None:
        self.issues = issues
        self.row = row
        prefix = f"第{row}行：" if row is not None else ""
        super().__init__(prefix + "；".join(i.message for i in issues if i.is_error))


class DuplicateRecord(UserError):
    def __init__(self, key_text: str, existing_id: int, existing_label: str) -> None:
        self.existing_id = existing_id
        super().__init__(
            f"重复记录：{key_text} 已存在（记录编号{existing_id}，{existing_label}），不能重复录入"
        )


class StaleRecord(UserError):
    def __init__(self, record_id: int) -> None:
        self.record_id = record_id
        super().__init__(
            f"记录编号{record_id}在您打开后已被修改或删除，本次修改未保存；请重新打开该记录后再改"
        )


class RecordNotFound(UserError):
    def __init__(self, record_id: int) -> None:
        self.record_id = record_id
        super().__init__(f"找不到记录编号{record_id}")


class Cancelled(UserError):
    def __init__(self) -> None:
        super().__init__("已取消，未做任何更改")


# --- the database failed ------------------------------------------------------------------
#
# Raised by the services in place of SQLAlchemy's and the driver's own exceptions (see
# ``storage_error``), so front ends never import SQLAlchemy and a clerk never sees SQLite's
# English or, worse, the row being written: the messages below never contain row data.


class StorageError(UserError):
    """The database could not do what was asked; nothing was changed."""

    DEFAULT = "数据库读写失败，本次操作未完成，数据没有改动"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.DEFAULT)


class DatabaseBusy(StorageError):
    DEFAULT = (
        "数据库正被另一个程序或另一台电脑写入（如导入、备份），等了较长时间仍未空出，"
        "本次操作未保存；请稍候再试"
    )


class DiskFull(StorageError):
    DEFAULT = "磁盘空间已满，本次操作未保存；请清理磁盘（或换一个有空间的位置）后再试"


class ReadOnlyDatabase(StorageError):
    DEFAULT = (
        "数据库文件是只读的（或所在文件夹不允许写入），本次操作未保存；"
        "请检查文件属性和文件夹权限，或把数据库复制到可写的位置"
    )


class DatabaseDamaged(StorageError):
    DEFAULT = "数据库文件已损坏或不是本程序的数据库，本次操作未完成；请从备份恢复"


class DatabaseUnavailable(StorageError):
    DEFAULT = "无法访问数据库文件（可能已被移动、删除，或所在的磁盘、网络位置不可用）"


class ServerUnreachable(StorageError):
    DEFAULT = "连不上数据库服务器（连接中断），本次操作未保存；请检查网络和服务器是否开机，稍后重试"


class ConflictError(StorageError):
    DEFAULT = "与数据库中已有的记录冲突（可能同一条记录刚在别处录入或修改），本次操作未保存"


# Lower-case fragments of SQLite's and PostgreSQL's own messages, most specific first.
_PATTERNS: tuple[tuple[tuple[str, ...], type[StorageError]], ...] = (
    (("database is locked", "database table is locked", "database is busy",
      "lock timeout", "could not obtain lock", "deadlock detected",
      "could not serialize access"), DatabaseBusy),
    (("database or disk is full", "no space left on device", "disk full",
      "could not extend file"), DiskFull),
    (("readonly database", "read-only database", "read-only transaction",
      "read-only file system", "readonly file system"), ReadOnlyDatabase),
    (("malformed", "file is not a database", "file is encrypted", "not a database"),
     DatabaseDamaged),
    (("connection refused", "could not connect", "server closed the connection",
      "connection is closed", "terminating connection", "consuming input failed",
      "ssl syscall error", "connection timeout expired", "no connection to the server"),
     ServerUnreachable),
    (("unable to open database file", "disk i/o error"), DatabaseUnavailable),
)  # fmt: skip


def reason_of(error: BaseException) -> str:
    """The driver's own message (SQLite's or PostgreSQL's) for the log: its first line only,
    without SQL or parameters (PostgreSQL's ``DETAIL:`` line would quote the row's values)."""
    original = getattr(error, "orig", None)
    text = str(original if original is not None else error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def storage_error(error: BaseException) -> StorageError | None:
    """The program's own error for a database failure the clerk can do something about
    (wait, free disk space, fix permissions, restore a backup), or ``None``.

    ``None`` means a defect (a statement SQLite cannot parse, a missing table): the caller
    lets the original propagate, so it is logged with its traceback and reported as an
    internal error (exit code 2), not passed off as the clerk's problem.
    """
    from sqlalchemy.exc import IntegrityError

    if isinstance(error, StorageError):
        return error
    original = getattr(error, "orig", None)
    text = str(original if original is not None else error).lower()
    for fragments, kind in _PATTERNS:
        if any(fragment in text for fragment in fragments):
            return kind()
    if isinstance(error, IntegrityError):
        return ConflictError()
    if isinstance(error, OSError) and error.errno is not None:
        import errno

        if error.errno == errno.ENOSPC:
            return DiskFull()
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return ReadOnlyDatabase()
    return None
