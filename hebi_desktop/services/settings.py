"""Preferences kept in the database (operator, township, backup policy).

The key names are imported by the command line's argument parser, which must not load
SQLAlchemy to print ``--help``: the service imports it only when it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hebi_desktop.services.transactions import Transactions

OPERATOR = "operator"
OPERATOR_PHONE = "operator_phone"
COUNTY = "county_code"
TOWNSHIP = "township_code"
BACKUP_DIR = "backup_dir"
BACKUP_KEEP = "backup_keep"
BACKUP_ON_EXIT = "backup_on_exit"
# The desk's unit and the people who sign printed forms and submissions.
UNIT_NAME = "unit_name"  # 单位全称, e.g. 淇县北阳镇人民政府
REVIEWER = "reviewer"  # 审核人
UNIT_HEAD = "unit_head"  # 单位负责人
SUPERVISION_PHONE = "supervision_phone"  # 监督电话 on public notices
# 工作范围: "township" (a township desk, the default) or "county" (a county bureau collecting).
SCOPE = "scope"
SCOPE_TOWNSHIP = "township"
SCOPE_COUNTY = "county"
# Attachments: photos are shrunk to this long side (px) on attach; "1" keeps the original too.
ATTACHMENT_LONG_SIDE = "attachment_long_side"
ATTACHMENT_KEEP_ORIGINAL = "attachment_keep_original"


# What a clerk types into a setting, by key: zero-width characters are removed from these,
# and messages name the setting by its label.
TEXT_SETTINGS = {
    OPERATOR: "填报人",
    OPERATOR_PHONE: "联系电话",
    UNIT_NAME: "单位全称",
    REVIEWER: "审核人",
    UNIT_HEAD: "单位负责人",
    SUPERVISION_PHONE: "监督电话",
}
LABELS = {**TEXT_SETTINGS, COUNTY: "县区", TOWNSHIP: "乡镇", BACKUP_DIR: "备份文件夹"}


def label(key: str) -> str:
    return LABELS.get(key, key)


def setting_problem(key: str, value: str) -> str | None:
    """Why ``value`` cannot be stored under ``key`` (Chinese, naming the setting), else None.

    A setting is one line that goes into every exported workbook's title rows and
    properties: a control character (a pasted newline, ``\x01``) would make every export
    fail, so it is refused here, as record fields refuse it.
    """
    from hebi_desktop.domain.values import hidden_character

    hidden = hidden_character(value)
    if hidden is None:
        hidden = next((ch for ch in value if ch in "\t\r\n"), None)
    if hidden is None:
        return None
    return (
        f"“{label(key)}”含有不可见的控制字符（U+{ord(hidden):04X}），请删除后重新输入"
        "（常见于从网页或其他软件复制的文字）"
    )


def cleaned(key: str, value: str) -> str:
    """``value`` as stored: a text setting loses zero-width characters and is refused
    (:class:`UserError`) when it holds a control character; other keys (paths, marks)
    are stored as they are."""
    from hebi_desktop.domain.values import visible
    from hebi_desktop.errors import UserError

    if key not in TEXT_SETTINGS:
        return value
    value = visible(value).strip()
    problem = setting_problem(key, value)
    if problem is not None:
        raise UserError(problem)
    return value


def place_changes(
    current: dict[str, str], county: str | None, township: str | None
) -> tuple[dict[str, str | None], list[str]]:
    """What a new county and/or township (``None``: unchanged) does to the other settings,
    and the sentences that tell the clerk so.

    A township outside the new county is cleared, and so is the 单位全称: it names the old
    place (淇县北阳镇人民政府) and would otherwise head every export and printed form of
    the new one. The clerk is asked to enter both again.
    """
    from hebi_desktop.domain.divisions import divisions

    table = divisions()
    changes: dict[str, str | None] = {}
    notes: list[str] = []
    old_county, old_township = current.get(COUNTY) or "", current.get(TOWNSHIP) or ""
    new_county = county if county is not None else old_county
    if township:
        new_county = table.by_code[township].parent_code or new_county
    if new_county != old_county:
        changes[COUNTY] = new_county or None
        notes.append(f"县区：{table.name(old_county) or '（未设置）'} → {table.name(new_county)}")
    new_township = township if township is not None else old_township
    if new_township and table.by_code[new_township].parent_code != new_county:
        notes.append(
            f"原乡镇“{table.name(new_township)}”不属于{table.name(new_county)}，已清除；"
            f"请重新选择{table.name(new_county)}的乡镇（街道）"
        )
        new_township = ""
    if new_township != old_township:
        changes[TOWNSHIP] = new_township or None
        if new_township:
            notes.append(
                f"乡镇：{table.name(old_township) or '（未设置）'} → {table.name(new_township)}"
            )
    unit = current.get(UNIT_NAME)
    if changes and unit:
        changes[UNIT_NAME] = None
        notes.append(f"单位全称“{unit}”是原来的单位，已清除；请重新填写单位全称")
    return changes, notes


# 复核录入: "1" lets the clerk who keyed a record verify it too (a one-person office).
VERIFY_SAME_PERSON = "verify_same_person"


class SettingsService:
    def __init__(self, book: Transactions) -> None:
        self._book = book

    def get(self, key: str, default: str | None = None) -> str | None:
        from sqlalchemy import select

        from hebi_desktop.storage.models import Setting

        with self._book.reading() as connection:
            value = connection.scalar(select(Setting.value).where(Setting.key == key))
        return default if value is None else value

    def set(self, key: str, value: str | None) -> None:
        """Store (or with ``None`` remove) one setting, in one transaction; a
        :class:`UserError` naming the setting when ``value`` holds a control character."""
        from sqlalchemy import delete, insert

        from hebi_desktop.storage.models import Setting

        if value is not None:
            value = cleaned(key, value)

        with self._book.writing() as connection:
            connection.execute(delete(Setting).where(Setting.key == key))
            if value is not None:
                connection.execute(insert(Setting).values(key=key, value=value))

    def all(self) -> dict[str, str]:
        from sqlalchemy import select

        from hebi_desktop.storage.models import Setting

        with self._book.reading() as connection:
            return dict(connection.execute(select(Setting.key, Setting.value)).all())

    def check_stored(self, keys: tuple[str, ...] = tuple(TEXT_SETTINGS)) -> None:
        """A :class:`UserError` naming the first stored setting of ``keys`` a workbook
        cannot hold (stored by an older version, which did not refuse control characters)."""
        from hebi_desktop.errors import UserError

        values = self.all()
        for key in keys:
            problem = setting_problem(key, values.get(key) or "")
            if problem is not None:
                raise UserError(
                    f"设置中的{problem.split('，', 1)[0]}，无法写入工作簿；"
                    f"请在“设置”中重新填写“{label(key)}”后再试"
                )

    @property
    def operator(self) -> str | None:
        return self.get(OPERATOR)

    @property
    def township_code(self) -> str | None:
        return self.get(TOWNSHIP)

    @property
    def county_code(self) -> str | None:
        return self.get(COUNTY)

    @property
    def is_configured(self) -> bool:
        """Whether the first-start questions (operator and township) were answered."""
        values = self.all()
        return bool(values.get(OPERATOR) and values.get(TOWNSHIP))
