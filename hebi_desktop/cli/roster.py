"""``hebi-desktop roster``: import the county's reference rosters and list them."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from hebi_desktop.cli.common import add_db_option, err, open_book, out, table
from hebi_desktop.domain.rosters import ROSTER_KINDS
from hebi_desktop.errors import UserError

KINDS_HELP = "，".join(f"{k.key}={k.name}" for k in ROSTER_KINDS)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "roster",
        help="导入、查看比对名单（低保、特困、脱贫人口等）",
        description="比对名单是县里各部门提供的低保、特困、脱贫人口等名单，用于核对台账中的"
        "户类别、家庭类别。名单含个人信息：只存在数据库（及其备份）中，不随台账导出。",
    )
    add_db_option(parser)
    actions = parser.add_subparsers(
        title="操作", dest="action", metavar="操作", parser_class=type(parser), required=True
    )
    importing = actions.add_parser(
        "import",
        help="从 Excel 或 CSV 导入一份名单",
        description="导入一份名单：表头与台账导入一样自动识别（至少要有身份证号、姓名两列），"
        "身份证号逐行校验；有任何错误时一行也不导入。同一类别、同一地区的新名单替换旧名单，"
        "旧名单保留为历史。",
    )
    importing.add_argument("kind", metavar="类别", help=f"名单类别：{KINDS_HELP}（也可写中文名）")
    importing.add_argument("file", metavar="文件", help="名单文件（.xlsx、.xls、.csv 等）")
    importing.add_argument(
        "--as-of", metavar="日期", help="名单截至日期，如 2024-06-30（默认今天）"
    )
    importing.add_argument(
        "--area", metavar="县区或乡镇", help="名单覆盖的县区或乡镇（默认：本库全部记录）"
    )
    importing.add_argument("--sheet", metavar="工作表", help="要导入的工作表名（默认自动选择）")
    add_db_option(importing)
    importing.set_defaults(run=run_import)
    listing = actions.add_parser("list", help="列出已导入的名单", description="列出已导入的名单。")
    listing.add_argument("--current", action="store_true", help="只列现行名单，不列历史名单")
    add_db_option(listing)
    listing.set_defaults(run=run_list)


def _date(text: str | None) -> dt.date | None:
    from hebi_desktop.domain.values import ValueProblem, to_date

    if text is None:
        return None
    try:
        day = to_date(text)
    except (ValueProblem, ValueError):
        raise UserError(f"参数 --as-of：“{text}”不是有效日期（应如 2024-06-30）") from None
    if day > dt.date.today():
        raise UserError(f"参数 --as-of：截至日期 {day:%Y-%m-%d} 晚于今天")
    return day


def run_import(args: argparse.Namespace) -> int:
    from hebi_desktop.exchange.roster_import import import_roster
    from hebi_desktop.services.rosters import resolve_area, resolve_kind

    kind = resolve_kind(args.kind)
    as_of = _date(args.as_of)
    area = resolve_area(args.area)
    source = Path(args.file)
    with open_book(args) as book:
        result = import_roster(book, kind, source, as_of=as_of, area=area, sheet=args.sheet)
    out(f"{source.name}（工作表“{result.sheet}”）：读取 {result.rows_read} 行")
    if result.ignored_columns:
        out(f"未使用的列：{'、'.join(result.ignored_columns)}")
    if result.errors:
        for issue in result.errors:
            err(issue.text())
        if result.errors_omitted:
            err(f"另有 {result.errors_omitted} 处错误未列出")
        err(f"发现 {result.error_count} 处错误，名单未导入（一行也没有导入）；请改正后重新导入")
        return 1
    stored = result.stored
    assert stored is not None
    out(f"已导入{stored.roster.label}：{stored.roster.people} 人")
    for old in stored.replaced:
        out(f"替换了{old.label}（保留为历史名单）")
    if stored.superseded_by is not None:
        out(f"已有更新的{stored.superseded_by.label}，本名单只保留为历史名单")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_book(args) as book:
        rosters = book.rosters.list(include_history=not args.current)
    if not rosters:
        out("还没有导入任何比对名单（用 roster import 导入）")
        return 0
    rows = [["编号", "类别", "地区", "截至日期", "人数", "来源文件", "导入时间", "导入人", "状态"]]
    for r in rosters:
        rows.append(
            [
                str(r.id),
                r.kind_name,
                r.area_name,
                f"{r.as_of:%Y-%m-%d}",
                str(r.people),
                r.source,
                f"{r.imported_at:%Y-%m-%d %H:%M}",
                r.imported_by,
                "现行" if r.in_force else f"历史（被{r.replaced_by_id}号替换）",
            ]
        )
    out(table(rows))
    return 0
