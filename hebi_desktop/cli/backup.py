"""``hebi-desktop backup`` and ``hebi-desktop restore``."""

from __future__ import annotations

import argparse
from pathlib import Path

from hebi_desktop.cli.common import add_db_option, err, open_book, out


def register(commands: argparse._SubParsersAction) -> None:
    backup = commands.add_parser(
        "backup",
        help="备份数据库（程序运行时也可安全备份）",
        description="把数据库完整复制到指定文件。"
        "使用 SQLite 在线备份，程序正在录入时备份也是一致的。",
    )
    backup.add_argument("-o", "--output", required=True, metavar="文件", help="备份文件路径")
    backup.add_argument(
        "--portable",
        action="store_true",
        help="带到另一台电脑用：照片等附件也装进这一个备份文件（否则附件放在备份旁的共用文件夹，"
        "每个文件只复制一次）",
    )
    add_db_option(backup)
    backup.set_defaults(run=run_backup)

    restore = commands.add_parser(
        "restore",
        help="从备份恢复数据库（先保留现有数据库的副本）",
        description="用备份文件替换当前数据库。替换前，当前数据库会先复制到备份目录，随时可以找回。"
        "恢复前请先关闭正在使用该数据库的窗口。",
    )
    restore.add_argument("backup_file", metavar="备份文件", help="要恢复的备份文件")
    add_db_option(restore)
    restore.set_defaults(run=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    target = Path(args.output)
    with open_book(args) as book:
        if args.portable:
            from hebi_desktop.services.transfer import portable_backup

            path = portable_backup(book, target)
        else:
            path = book.backup(target)
    out(f"已备份到：{path}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    # imported here: the command line is parsed without loading the storage layer
    from hebi_desktop.cli.server_backup import restore_to_server
    from hebi_desktop.services.backups import restore_database
    from hebi_desktop.storage.engine import resolve_url, sqlite_path

    source = Path(args.backup_file)
    if not source.is_file():
        err(f"错误：找不到备份文件“{source}”")
        return 1
    url = resolve_url(args.db)
    if sqlite_path(url) is None:
        return restore_to_server(args, source)
    outcome = restore_database(url, source)
    with outcome.book as book:
        if outcome.kept is not None:
            out(f"原数据库已保留在：{outcome.kept}")
        out(f"已从“{source}”恢复到：{book.location}")
        counts = book.count_all()
    out("恢复后记录数：" + "，".join(f"{k} {v} 条" for k, v in counts.items()))
    return 0
