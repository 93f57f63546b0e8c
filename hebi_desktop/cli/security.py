"""``hebi-desktop encrypt``, ``recovery-key`` and ``startup-password``: the database's
protection."""

from __future__ import annotations

import argparse
from pathlib import Path

from hebi_desktop.cli.common import (
    add_db_option,
    current_startup_password,
    new_startup_password,
    open_book,
    out,
)


def register(commands: argparse._SubParsersAction) -> None:
    encrypt = commands.add_parser(
        "encrypt",
        help="把未加密的数据库（旧版本建立的）加密",
        description="把旧版本建立的未加密数据库加密：先写出加密副本，核对每张表的行数和完整性，"
        "再一步替换原文件并删除未加密的文件；程序建立的未加密备份随后重新加密（无法加密的删除）。"
        "中途断电或被强行结束，数据库仍是完整的（未加密或已加密）。",
    )
    add_db_option(encrypt)
    encrypt.set_defaults(run=run_encrypt)

    sheet = commands.add_parser(
        "recovery-key",
        help="打印“数据库恢复密钥”（PDF），换电脑或重装系统时用它打开数据库和备份",
        description="把数据库的恢复密钥写成一页 PDF（单位、日期、用法），请打印后锁在柜中。"
        "文件名以 .txt 结尾时写成文本文件，可直接用于 --recovery-key-file。",
    )
    sheet.add_argument("-o", "--output", required=True, metavar="文件", help="PDF 或 .txt 文件")
    add_db_option(sheet)
    sheet.set_defaults(run=run_recovery_key)

    password = commands.add_parser(
        "startup-password",
        help="多人共用一台电脑时：设置、修改或取消启动密码",
        description="启动密码默认不设。设了以后，打开程序窗口或运行任何要打开数据库的命令前，"
        "都要先输入启动密码。set 设置，change 修改，remove 取消，status 查看是否设了。"
        "当前密码在终端中询问，或用全局参数 --startup-password-file 文件；新密码在终端中"
        "输入两次，或用 --password-file 文件（密码写在第一行，不能写在命令行上）。"
        "忘记启动密码时：加全局参数 --recovery-key-file 恢复密钥文件，再运行 set 或 remove。",
    )
    password.add_argument(
        "action",
        choices=["set", "change", "remove", "status"],
        metavar="操作",
        help="set=设置，change=修改，remove=取消，status=查看",
    )
    password.add_argument(
        "--password-file", metavar="文件", help="新的启动密码写在这个文本文件的第一行"
    )
    add_db_option(password)
    password.set_defaults(run=run_startup_password)


def run_encrypt(args: argparse.Namespace) -> int:
    from hebi_desktop.services.encryption import describe, encrypt_database

    outcome = encrypt_database(getattr(args, "db", None))
    for line in describe(outcome):
        out(line)
    out("请运行 recovery-key -o 恢复密钥.pdf 打印恢复密钥并妥善保管")
    return 0


def run_recovery_key(args: argparse.Namespace) -> int:
    from hebi_desktop.services.encryption import write_recovery_text

    target = Path(args.output)
    with open_book(args) as book:
        if target.suffix.lower() == ".txt":
            path = write_recovery_text(book, target)
        else:
            from hebi_desktop.cli.printing import gui_application
            from hebi_desktop.printing.recovery_sheet import write_recovery_sheet

            _app = gui_application()
            path = write_recovery_sheet(book, target)
    out(f"恢复密钥已写入：{path}（请打印后锁在柜中，不要发到聊天软件）")
    return 0


def run_startup_password(args: argparse.Namespace) -> int:
    from hebi_desktop.errors import UserError
    from hebi_desktop.services import startup_password as startup

    action = args.action
    if action == "status":
        out("这台电脑设有启动密码" if startup.is_on() else "这台电脑没有设置启动密码（默认）")
        return 0
    if startup.is_recovered():
        # A forgotten password: the recovery key opens the database; keep it as the key.
        with open_book(args) as book:
            new = None if action == "remove" else new_startup_password(args.password_file)
            startup.reset_forgotten(book, new)
        out("已用恢复密钥" + ("设置了新的启动密码" if new else "取消了启动密码"))
        return 0
    if action == "set":
        if startup.is_on():
            raise UserError("已经设有启动密码；要修改请运行 startup-password change")
        startup.turn_on(new_startup_password(args.password_file))
        out("启动密码已设置；以后打开程序或运行命令前都要输入它。忘记时可用恢复密钥重新设置")
    elif action == "change":
        current = current_startup_password(args.startup_password_file)
        startup.change(current, new_startup_password(args.password_file))
        out("启动密码已修改")
    else:
        startup.turn_off(current_startup_password(args.startup_password_file))
        out("启动密码已取消；这台电脑的当前用户打开程序时不再需要输入密码")
    return 0
