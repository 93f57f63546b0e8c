"""``hebi-desktop attach`` (bulk attach from a folder) and ``attachments`` (list them)."""

from __future__ import annotations

import argparse
from pathlib import Path

from hebi_desktop.cli.common import add_db_option, add_ledger_argument, err, open_book, out, table


def register(commands: argparse._SubParsersAction) -> None:
    attach = commands.add_parser(
        "attach",
        help="从文件夹批量附加照片和扫描件",
        description="读取文件夹（含子文件夹）中的照片、扫描件和PDF，按文件名或文件夹名中的"
        "身份证号或姓名找到记录，按文件名中的类别词（如“改造后”）确定附件类别。"
        "全部匹配的文件一次附加：要么全部附加，要么一个也不附加。"
        "有无法匹配或匹配到多户的文件时只列出，不附加这些文件。",
    )
    add_ledger_argument(attach)
    attach.add_argument("folder", metavar="文件夹", help="照片所在文件夹")
    attach.add_argument(
        "--dry-run", action="store_true", help="只列出拟匹配结果和无法匹配的文件，不写入任何内容"
    )
    add_db_option(attach)
    attach.set_defaults(run=run_attach)

    listing = commands.add_parser(
        "attachments",
        help="列出台账记录的附件",
        description="列出附件：记录编号、类别、说明、拍摄日期、大小和SHA-256校验值。",
    )
    add_ledger_argument(listing)
    listing.add_argument("--record", type=int, metavar="记录编号", help="只列出这条记录的附件")
    listing.add_argument("--deleted", action="store_true", help="列出已删除（可恢复）的附件")
    add_db_option(listing)
    listing.set_defaults(run=run_list)


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)}KB"


def run_attach(args: argparse.Namespace) -> int:
    from hebi_desktop.domain.registry import get_ledger
    from hebi_desktop.services.bulk_attach import attach_proposal, propose

    folder = Path(args.folder).expanduser()
    if not folder.is_dir():
        err(f"错误：找不到文件夹“{folder}”")
        return 1
    ledger = get_ledger(args.ledger)
    with open_book(args) as book:
        proposal = propose(book, ledger, folder)
        for match in proposal.matches:
            c = match.candidate
            who = f"{c.name}" + (f"（身份证后四位{c.id_tail}）" if c.id_tail else "")
            guessed = "（文件名中没有类别词）" if match.kind_guessed else ""
            out(f"{match.relative} → 记录编号{c.record_id} {c.village}{who} {match.kind}{guessed}")
        for relative in proposal.unmatched:
            out(f"[无法匹配] {relative}")
        for ambiguous in proposal.ambiguous:
            ids = "、".join(str(c.record_id) for c in ambiguous.candidates)
            out(f"[匹配到多户] {ambiguous.relative}（记录编号{ids}），请在文件名中写上身份证号")
        summary = (
            f"可附加 {len(proposal.matches)} 个文件，无法匹配 {len(proposal.unmatched)} 个，"
            f"匹配到多户 {len(proposal.ambiguous)} 个"
        )
        if args.dry_run:
            out(f"{summary}（试运行，未写入）")
            return 0
        attached = attach_proposal(book, ledger, proposal)
    out(f"{summary}；已附加 {attached} 个文件")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_book(args) as book:
        found = book.attachments(args.ledger).find(args.record, deleted=args.deleted)
    if not found:
        out("没有附件")
        return 0
    rows = [["记录编号", "附件编号", "类别", "说明", "拍摄日期", "大小", "SHA-256"]]
    rows += [
        [
            str(a.record_id),
            str(a.id),
            a.kind,
            a.caption or "-",
            f"{a.taken_at:%Y-%m-%d}" if a.taken_at else "-",
            _size(a.size),
            a.sha256,
        ]
        for a in found
    ]
    out(table(rows))
    out(f"共 {len(found)} 个附件")
    return 0
