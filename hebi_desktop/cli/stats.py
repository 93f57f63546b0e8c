"""``hebi-desktop stats``: the headline figures per ledger, as the city reports them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hebi_desktop.cli.common import add_db_option, open_book, out, table
from hebi_desktop.domain.registry import all_ledgers

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "stats",
        help="显示各台账的主要统计数字",
        description="显示各台账的主要统计数字（与导出的汇总表一致）。",
    )
    parser.add_argument("--by-township", action="store_true", help="同时按乡镇分列")
    add_db_option(parser)
    parser.set_defaults(run=run)


def report(book: Book, by_township: bool) -> str:
    parts: list[str] = []
    for ledger in all_ledgers():
        if not ledger.measures:
            continue
        headline = book.stats.headline(ledger)
        parts.append(f"【{ledger.title}】")
        parts.append(table([[f.measure.label, f.text()] for f in headline.figures]))
        breakdown = book.stats.by_breakdown(ledger)
        if breakdown:
            header = ledger.field(ledger.breakdown or "").header
            parts.append(f"按{header}：")
            labels = [f.measure.label for f in breakdown[0].figures]
            parts.append(
                table(
                    [[header, *labels]]
                    + [[row.label, *(f.text() for f in row.figures)] for row in breakdown]
                )
            )
        if by_township:
            rows = book.stats.by_township(ledger)
            if rows:
                labels = [f.measure.label for f in rows[0].figures]
                parts.append("按乡镇：")
                parts.append(
                    table(
                        [["乡镇", *labels]]
                        + [[row.label, *(f.text() for f in row.figures)] for row in rows]
                    )
                )
        parts.append("")
    return "\n".join(parts)


def run(args: argparse.Namespace) -> int:
    with open_book(args) as book:
        out(report(book, args.by_township))
    return 0
