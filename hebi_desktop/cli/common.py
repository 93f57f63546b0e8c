"""What every subcommand shares: the ``--db`` option, opening the book, printing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from hebi_desktop.domain.registry import get_ledger, ledger_keys
from hebi_desktop.paths import DB_ENV_VAR

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

DB_HELP = (
    f"数据库文件路径或 SQLAlchemy 地址（默认取环境变量 {DB_ENV_VAR}，再取用户数据目录中的文件）"
)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a subcommand's unset --db must not overwrite the top-level one
    # (``hebi-desktop --db x.sqlite stats``); the top-level parser supplies the None default.
    parser.add_argument("--db", metavar="路径或地址", help=DB_HELP, default=argparse.SUPPRESS)
    add_create_option(parser, default=argparse.SUPPRESS)


FULL_IDS_HELP = (
    "报告中显示完整的身份证号和电话（默认脱敏：报告会转给村里、乡镇，"
    "只有需要据此处理的重复身份证号显示完整号码）"
)


def add_full_ids_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--full-ids", action="store_true", help=FULL_IDS_HELP)


CREATE_HELP = "数据库文件不存在（或为空）时新建；不加此参数时，路径写错会报错而不会新建空数据库"


def add_create_option(parser: argparse.ArgumentParser, default: object = False) -> None:
    parser.add_argument("--create", action="store_true", help=CREATE_HELP, default=default)


def add_ledger_argument(parser: argparse.ArgumentParser, allow_all: bool = False) -> None:
    choices = [*ledger_keys(), "all"] if allow_all else list(ledger_keys())
    names = "，".join(f"{k}={get_ledger(k).nav_title}" for k in ledger_keys())
    parser.add_argument(
        "ledger",
        choices=choices,
        metavar="台账",
        help=f"台账：{names}" + ("，all=全部" if allow_all else ""),
    )


@contextmanager
def open_book(args: argparse.Namespace, *, create: bool = False) -> Iterator[Book]:
    """The book of ``--db``; a new database only with ``create`` or ``--create``."""
    from hebi_desktop.services.book import Book  # not before a command needs it

    book = Book.open(getattr(args, "db", None), create=create or getattr(args, "create", False))
    _remind_plain(book)
    try:
        yield book
    finally:
        book.close()


def _remind_plain(book: Book) -> None:
    """An older version's plain database: say once per command how to encrypt it."""
    from hebi_desktop.storage.cipher import is_plain

    path = book.sqlite_file
    if path is not None and is_plain(path):
        err(
            f"提示：数据库“{path}”还没有加密；请关闭程序窗口后运行"
            f" hebi-desktop encrypt --db {path}（或打开一次程序窗口，会自动加密）"
        )


def out(text: str = "") -> None:
    print(text, flush=True)


def err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def table(rows: list[list[str]]) -> str:
    """Columns padded for a terminal, counting a Chinese character as two cells."""

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell + " " * (widths[i] - width(cell))
            if i == 0
            else " " * (widths[i] - width(cell)) + cell
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


PASSWORD_FILE_HELP = (
    "密码文件：密码写在文本文件的第一行（不要把密码写在命令行上，会留在命令历史中）；"
    "不给时在终端中询问"
)


def add_password_option(parser: argparse.ArgumentParser, *, encrypt: bool = False) -> None:
    """``--password-file`` (and for export ``--encrypt``): never a password argument."""
    if encrypt:
        parser.add_argument(
            "--encrypt",
            action="store_true",
            help="加密导出：工作簿设打开密码（Excel、WPS、LibreOffice 输入密码即可打开）",
        )
    parser.add_argument("--password-file", metavar="文件", help=PASSWORD_FILE_HELP)


def use_passwords(args: argparse.Namespace) -> None:
    """Passwords for protected workbooks: from ``--password-file``, else a terminal prompt."""
    from hebi_desktop.exchange.protected import provide_password, read_password_file, set_prompt

    if getattr(args, "password_file", None):
        provide_password(read_password_file(Path(args.password_file)))
    if sys.stdin.isatty():
        set_prompt(_ask)


def _ask(question: str) -> str | None:
    import getpass

    try:
        return getpass.getpass(f"{question}：") or None
    except EOFError:
        return None


def export_password(args: argparse.Namespace) -> str | None:
    """The password an ``--encrypt`` export is protected with (file, else asked twice)."""
    from hebi_desktop.errors import UserError
    from hebi_desktop.exchange.protected import check_new_password, read_password_file

    if not getattr(args, "encrypt", False):
        if getattr(args, "password_file", None):
            raise UserError("--password-file 要和 --encrypt 一起用（加密导出）")
        return None
    if args.password_file:
        return check_new_password(read_password_file(Path(args.password_file)))
    if not sys.stdin.isatty():
        raise UserError("加密导出需要密码：请用 --password-file 密码文件 提供（密码写在第一行）")
    first = check_new_password(_ask("请设置导出密码") or "")
    if _ask("请再输入一次导出密码") != first:
        raise UserError("两次输入的密码不一样，未导出")
    return first


STARTUP_PASSWORD_FILE_HELP = (
    "启动密码文件（这台电脑设了启动密码时）：密码写在文本文件的第一行；不给时在终端中询问。"
    "打开程序窗口时也可以用：密码对就不再弹出输入启动密码的小窗口"
)


def use_startup_password(path: str | None) -> None:
    """How this command gets the start-up password when the database keys are first
    needed: the file's first line, else a terminal prompt (three tries). Without a
    terminal and a file nothing is asked: the command ends with the Chinese reason."""
    from hebi_desktop.storage.keys import set_password_source

    def source(attempt: int) -> str | None:
        if path:
            from hebi_desktop.exchange.protected import read_password_file

            return read_password_file(Path(path)) if attempt == 1 else None
        if not sys.stdin.isatty():
            return None
        if attempt > 1:
            err("启动密码不对，请重新输入")
        return _ask("请输入启动密码")

    set_password_source(source)


def current_startup_password(path: str | None) -> str:
    """The start-up password set now, to change or remove it: file, else asked."""
    from hebi_desktop.errors import UserError
    from hebi_desktop.exchange.protected import read_password_file

    if path:
        return read_password_file(Path(path))
    if not sys.stdin.isatty():
        raise UserError(
            "需要当前的启动密码：请在终端中运行并按提示输入，"
            "或加 --startup-password-file 密码文件（密码写在第一行）"
        )
    return _ask("请输入当前的启动密码") or ""


def new_startup_password(path: str | None) -> str:
    """A new start-up password: the file's first line, else typed twice at the prompt."""
    from hebi_desktop.errors import UserError
    from hebi_desktop.exchange.protected import read_password_file
    from hebi_desktop.services.startup_password import MIN_LENGTH, check_new_password

    if path:
        return check_new_password(read_password_file(Path(path)))
    if not sys.stdin.isatty():
        raise UserError(
            "需要新的启动密码：请在终端中运行并按提示输入，或用 --password-file 密码文件 提供"
            "（密码写在第一行）"
        )
    first = check_new_password(_ask(f"请设置新的启动密码（至少{MIN_LENGTH}个字符）") or "")
    return check_new_password(first, _ask("请再输入一次新的启动密码") or "")
