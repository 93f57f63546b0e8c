"""``hebi-desktop check``: database integrity plus every record against every rule."""

from __future__ import annotations

import argparse

from hebi_desktop.cli.common import (
    add_db_option,
    add_full_ids_option,
    err,
    open_book,
    out,
    table,
)


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
    parser.add_argument(
        "--cross",
        action="store_true",
        help="跨乡镇核查：同一户在两个乡镇、同一学生重复资助、同一身份证号姓名不一致、"
        "村名不在村名单中；发现问题时退出码为1",
    )
    parser.add_argument(
        "--rosters",
        action="store_true",
        help="与比对名单核对：户类别、家庭类别与名单不符，重点对象C/D级房屋未纳入改造，"
        "名单上已死亡或注销仍在发放；有提醒时退出码为1",
    )
    parser.add_argument(
        "--verify-stats",
        action="store_true",
        help="复核录入统计：每位录入人被复核的记录数、不一致字段数和不一致率",
    )
    parser.add_argument(
        "--report",
        metavar="核查.xlsx",
        help="与 --cross 或 --rosters 一起使用：把核查结果写入工作簿（名单核查的身份证号打码）",
    )
    add_full_ids_option(parser)
    add_db_option(parser)
    parser.set_defaults(run=run)


def run_cross(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hebi_desktop.county.crosscheck import cross_check, write_findings
    from hebi_desktop.exchange.files import database_files

    with open_book(args) as book:
        findings = cross_check(book)
        database = database_files(book.sqlite_file)
    for finding in findings[: args.limit or len(findings)]:
        kind = "提醒" if finding.hint else "核查"
        out(f"[{kind}] {finding.label}：{finding.message}")
        for ref in finding.records[:5]:
            out(f"    记录编号{ref.record_id}（{ref.township_name}{ref.village}）")
    if len(findings) > args.limit > 0:
        out(f"……另有 {len(findings) - args.limit} 项未列出")
    if args.report:
        saved = write_findings(Path(args.report), findings, database, full_ids=args.full_ids)
        out(f"核查结果：{saved}")
    if findings:
        out(f"跨乡镇核查发现 {len(findings)} 项问题，请逐项核实。")
        return 1
    out("跨乡镇核查通过：没有发现重复或不一致。")
    return 0


def run_rosters(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hebi_desktop.exchange.files import database_files
    from hebi_desktop.exchange.roster_report import write_roster_hints
    from hebi_desktop.services.roster_checks import check_rosters

    with open_book(args) as book:
        result = check_rosters(book, save=True)
        database = database_files(book.sqlite_file)
    if not result.rosters:
        out("还没有导入比对名单（用 roster import 导入），无从核对。")
        return 0
    for hint in result.hints[: args.limit or len(result.hints)]:
        ref = hint.record
        out(
            f"[提醒] {hint.rule.label}：{hint.ledger.title}记录编号{ref.record_id}"
            f"（{ref.township_name}{ref.village}）{hint.message}"
        )
    if len(result.hints) > args.limit > 0:
        out(f"……另有 {len(result.hints) - args.limit} 条未列出")
    if args.report:
        out(f"核查结果：{write_roster_hints(Path(args.report), result.hints, database)}")
    confirmed = f"（另有 {result.confirmed} 条已核实属实，不再列出）" if result.confirmed else ""
    if result.hints:
        out(
            f"与 {result.rosters} 份比对名单核对了 {result.records} 条记录，"
            f"有 {len(result.hints)} 条提醒，请逐条核实{confirmed}。"
        )
        return 1
    out(f"与 {result.rosters} 份比对名单核对了 {result.records} 条记录，没有提醒{confirmed}。")
    return 0


def run_verify_stats(args: argparse.Namespace) -> int:
    from hebi_desktop.services.querying import RecordQuery
    from hebi_desktop.services.verification import keyer_stats

    with open_book(args) as book:
        stats = keyer_stats(book)
        waiting = {
            ledger.nav_title: book.records(ledger).count(
                RecordQuery(verified=False, with_money=True)
            )
            for ledger in book.ledgers
            if ledger.money_fields
        }
    if stats:
        rows = [["录入人", "被复核记录", "核对字段", "不一致字段", "不一致率"]]
        rows += [
            [s.keyer, str(s.records), str(s.fields), str(s.mismatched), f"{s.rate:.1%}"]
            for s in stats
        ]
        out(table(rows))
    else:
        out("还没有复核过的记录。")
    out("有金额、尚未复核的记录：" + "，".join(f"{k} {v} 条" for k, v in waiting.items()))
    return 0


def run(args: argparse.Namespace) -> int:
    from hebi_desktop.services.checking import check_book

    if args.limit < 0:
        err("错误：--limit 不能小于0")
        return 1
    if sum(bool(x) for x in (args.cross, args.rosters, args.verify_stats)) > 1:
        err("错误：--cross、--rosters、--verify-stats 请分别运行")
        return 1
    if args.verify_stats:
        return run_verify_stats(args)
    if args.cross:
        return run_cross(args)
    if args.rosters:
        return run_rosters(args)
    if args.report:
        err("错误：--report 只能与 --cross 或 --rosters 一起使用")
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
        if ledger_result.evidence:
            out(f"  缺少附件（提醒）{len(ledger_result.evidence)} 处：")
        for record_id, message in ledger_result.evidence[: args.limit]:
            out(f"  [提醒] 记录编号{record_id}：{message}")
        hidden = (
            max(0, len(ledger_result.errors) - args.limit)
            + max(0, len(ledger_result.warnings) - args.limit)
            + max(0, len(ledger_result.evidence) - args.limit)
        )
        if hidden:
            out(f"  ……另有 {hidden} 条未列出")
    if result.ok:
        out("检查通过：数据库完好，没有违反规则的记录。")
        return 0
    out("检查未通过：请按上面的提示处理。")
    return 1
