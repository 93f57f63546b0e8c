"""``hebi-desktop encrypt`` and ``hebi-desktop recovery-key``: the database's protection."""

from __future__ import annotations

import argparse
from pathlib import Path

from hebi_desktop.cli.common import add_db_option, open_book, out


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
