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
        """Store (or with ``None`` remove) one setting, in one transaction."""
        from sqlalchemy import delete, insert

        from hebi_desktop.storage.models import Setting

        with self._book.writing() as connection:
            connection.execute(delete(Setting).where(Setting.key == key))
            if value is not None:
                connection.execute(insert(Setting).values(key=key, value=value))

    def all(self) -> dict[str, str]:
        from sqlalchemy import select

        from hebi_desktop.storage.models import Setting

        with self._book.reading() as connection:
            return dict(connection.execute(select(Setting.key, Setting.value)).all())

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
