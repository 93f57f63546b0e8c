"""``hebi-desktop check``: database integrity plus every record against every rule."""

from __future__ import annotations

import argparse

from hebi_desktop.cli.common import add_db_option, err, open_book, out


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "check",
        help="检查数据库完整性并逐条核对规则",
        description="检查数据库文件是否完好，并用录入时相同的规则逐条核对所有记录。"
        "有损坏或有违反规则（错误）的记录时退出码为1；提醒只计数并列出，不算失败。",
    )
    parser.add_argument(
        "--limit", type=int, default=20, metavar="条数", help="每类问题最多列出的条数（默认20）"
    )
    add_db_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from hebi_desktop.services.checking import check_book

    if args.limit < 0:
        err("错误：--limit 不能小于0")
        return 1
    with open_book(args) as book:
        result = check_book(book)
    for problem in result.integrity:
        out(f"[损坏] {problem}")
    for ledger_result in result.ledgers:
        ledger = ledger_result.ledger
        out(
            f"【{ledger.title}】{ledger_result.records} 条记录："
            f"错误 {len(ledger_result.errors)} 条，提醒 {len(ledger_result.warnings)} 条"
        )
        for record_id, message in ledger_result.errors[: args.limit]:
            out(f"  [错误] 记录编号{record_id}：{message}")
        for record_id, message in ledger_result.warnings[: args.limit]:
            out(f"  [提醒] 记录编号{record_id}：{message}")
        hidden = max(0, len(ledger_result.errors) - args.limit) + max(
            0, len(ledger_result.warnings) - args.limit
        )
        if hidden:
            out(f"  ……另有 {hidden} 条未列出")
    if result.ok:
        out("检查通过：数据库完好，没有违反规则的记录。")
        return 0
    out("检查未通过：请按上面的提示处理。")
    return 1
