"""Errors a clerk can act on, each with a Chinese message that names what is wrong."""

from __future__ import annotations

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
