"""Which database this desk opens when neither ``--db`` nor ``HEBI_DESKTOP_DB`` says.

The choice cannot live in the database it chooses, so it is one line in a small file
in the desk's data folder. A server address is stored without a password, always:
passwords come from PGPASSWORD, the pgpass file or the window's prompt.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from hebi_desktop.errors import UserError
from hebi_desktop.paths import data_dir
from hebi_desktop.secrets import mask_address

FILE_NAME = "database-address.txt"
SERVER_SCHEMES = ("postgresql+psycopg",)


def choice_file() -> Path:
    return data_dir() / FILE_NAME


def chosen_database() -> str | None:
    """The address saved in the settings, or ``None`` (the default file)."""
    try:
        text = choice_file().read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def check_address(address: str) -> str:
    """A server address as the settings accept it; UserError (Chinese) otherwise."""
    address = address.strip()
    try:
        parsed = make_url(address)
    except ArgumentError:
        raise UserError(
            "服务器地址的格式应为 postgresql+psycopg://用户名@服务器/数据库名"
        ) from None
    if parsed.drivername not in SERVER_SCHEMES:
        raise UserError("服务器地址应以 postgresql+psycopg:// 开头")
    if parsed.password is not None or mask_address(address) != address:
        raise UserError(
            "地址中不要包含密码：密码请设在 PGPASSWORD 或 pgpass 文件中，或在连接时输入"
        )
    if not parsed.host or not parsed.database:
        raise UserError("服务器地址中缺少服务器或数据库名")
    return address


def save_choice(address: str | None) -> None:
    """Remember a server address (checked first); ``None`` or blank: the local file."""
    path = choice_file()
    if not address or not address.strip():
        path.unlink(missing_ok=True)
        return
    checked = check_address(address)
    partial = path.with_name(path.name + ".part")
    partial.write_text(checked + "\n", encoding="utf-8")
    os.replace(partial, path)
