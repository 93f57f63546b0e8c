"""``hebi-desktop demo``: fill a database with realistic sample records."""

from __future__ import annotations

import argparse
import time

from hebi_desktop.cli.common import add_db_option, err, open_book, out
from hebi_desktop.domain.registry import get_ledger, ledger_titles


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "demo",
        help="生成示例数据（每本台账各若干条）",
        description=f"在{ledger_titles()}中各生成若干条逼真的示例记录：有效身份证号、鹤壁真实乡镇、"
        "合理的日期和金额，并含少量需核实（提醒）的记录。",
    )
    parser.add_argument(
        "--rows", type=int, required=True, metavar="条数", help="每本台账生成的条数"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=2024,
        metavar="种子",
        help="随机种子，相同种子生成相同数据（默认2024）",
    )
    parser.add_argument(
        "--all-places",
        action="store_true",
        help="示例记录分布在鹤壁全市各乡镇（默认只在本单位范围内：本乡镇，县区单位为本县区各乡镇）",
    )
    add_db_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from hebi_desktop.services.demo import fill_demo

    if args.rows < 1 or args.rows > 1_000_000:
        err("错误：--rows 应在1到1000000之间")
        return 1
    started = time.perf_counter()
    with open_book(args, create=True) as book:  # a demo database may well be new
        added = fill_demo(
            book,
            args.rows,
            args.seed,
            city_wide=args.all_places,
            progress=lambda key, done, total: err(f"  {key}：{done}/{total}"),
        )
    for key, count in added.items():
        out(f"{get_ledger(key).title}：新增 {count} 条")
    out(f"用时 {time.perf_counter() - started:.1f} 秒")
    return 0
