"""Entry point: parse the command line, run a subcommand or open the window.

Every failure a user can cause ends with a Chinese message on stderr and exit
code 1, never a traceback; unexpected errors are logged with their traceback
and reported in one line.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from hebi_desktop import APP_TITLE, __version__, logging_setup
from hebi_desktop.cli.common import (
    DB_HELP,
    STARTUP_PASSWORD_FILE_HELP,
    add_create_option,
    err,
    use_startup_password,
)
from hebi_desktop.cli.parser import ChineseArgumentParser
from hebi_desktop.domain.registry import ledger_titles
from hebi_desktop.errors import UserError
from hebi_desktop.logging_setup import configure_logging
from hebi_desktop.paths import UnwritableDataFolder
from hebi_desktop.process_guard import prepare_process

log = logging.getLogger(__name__)


def build_parser() -> ChineseArgumentParser:
    from hebi_desktop.cli import (
        attachments,
        backup,
        check,
        county,
        demo,
        exchange,
        printing,
        roster,
        security,
        stats,
    )

    parser = ChineseArgumentParser(
        prog="hebi-desktop",
        description=f"{APP_TITLE}：{ledger_titles()}的录入、检查与报送。不带子命令时打开程序窗口。",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="显示版本号并退出"
    )
    parser.add_argument("--db", metavar="路径或地址", help=DB_HELP)
    add_create_option(parser)
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="无界面自检：临时数据库、迁移、每本台账录入一条、导出并读回，成功退出码为0",
    )
    parser.add_argument(
        "--recovery-key-file",
        metavar="文件",
        help="用打印的“数据库恢复密钥”（抄在文本文件中）打开这台电脑没有密钥的数据库或备份",
    )
    parser.add_argument("--startup-password-file", metavar="文件", help=STARTUP_PASSWORD_FILE_HELP)
    parser.add_argument("--verbose", action="store_true", help="把日志也输出到终端")
    commands = parser.add_subparsers(
        title="子命令", dest="command", metavar="子命令", parser_class=ChineseArgumentParser
    )
    for module in (
        demo,
        stats,
        check,
        backup,
        security,
        exchange,
        printing,
        county,
        attachments,
        roster,
    ):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # First: the windowed Windows exe has no standard streams, and Setup looks for the mutex.
    prepare_process()
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        print(f"hebi-desktop {__version__}")  # what argparse would print, without building it
        raise SystemExit(0)
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(verbose=args.verbose)
    try:
        if args.recovery_key_file:
            _use_recovery_key(args.recovery_key_file)
        if args.self_test:
            from hebi_desktop.selftest import run_self_test

            return run_self_test()
        if args.command is None:
            from hebi_desktop.ui.app import run_gui

            return run_gui(args.db, args.startup_password_file)
        use_startup_password(args.startup_password_file)
        code = int(args.run(args) or 0)
        _show_notices()
        return code
    except (UserError, UnwritableDataFolder) as error:
        err(f"错误：{error}")
        return 1
    except KeyboardInterrupt:
        err("已中断")
        return 1
    except BrokenPipeError:
        # Output piped into a pager or `head` that stopped reading: not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        if _is_backup_error(error):
            err(f"错误：{error}")
            return 1
        # A defect, not something the clerk did: exit 2. The error's own text may be
        # English or quote data, so it goes only to the log; the clerk gets where it is.
        log.exception("unexpected error")
        if logging_setup.log_file is None:
            err(
                f"程序内部出错（{type(error).__name__}），操作未完成；数据文件夹不可写，"
                "未能写入日志，请把这一行告诉技术支持人员"
            )
            return 2
        err(
            f"程序内部出错（{type(error).__name__}），操作未完成；"
            f"详细信息已写入日志文件 {logging_setup.log_file}，请发给技术支持人员"
        )
        return 2


def _use_recovery_key(path: str) -> None:
    from hebi_desktop.storage.keys import RecoveryKeyError, read_recovery_key_file, use_recovery_key

    try:
        use_recovery_key(read_recovery_key_file(Path(path)))
    except RecoveryKeyError as error:
        raise UserError(str(error)) from None


def _show_notices() -> None:
    """One-time notices (where the keys are kept without a key store), on stderr."""
    keys = sys.modules.get("hebi_desktop.storage.keys")
    if keys is not None:
        for notice in keys.take_notices():
            err(notice)


def _is_backup_error(error: Exception) -> bool:
    """A BackupError or a KeyStoreError (a wrong start-up password, say), told without
    importing the storage layer at start (it pulls in SQLAlchemy): whoever raised one
    has imported the module already."""
    backup = sys.modules.get("hebi_desktop.storage.backup")
    keys = sys.modules.get("hebi_desktop.storage.keys")
    return (backup is not None and isinstance(error, backup.BackupError)) or (
        keys is not None and isinstance(error, keys.KeyStoreError)
    )


if __name__ == "__main__":
    sys.exit(main())
