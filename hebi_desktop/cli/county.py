"""``hebi-desktop collect`` and ``settings``: the county desk's monthly collection, and a
desk's settings from the command line (useful on both kinds of desk)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from hebi_desktop.cli.common import (
    add_db_option,
    add_password_option,
    open_book,
    out,
    use_passwords,
)
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.place import COUNTY as COUNTY_FIELD
from hebi_desktop.domain.place import TOWNSHIP as TOWNSHIP_FIELD
from hebi_desktop.domain.values import ValueProblem, make_parser
from hebi_desktop.errors import UserError
from hebi_desktop.services import settings as keys

if TYPE_CHECKING:
    from hebi_desktop.county.collect import FileCollection
    from hebi_desktop.county.collect_checks import ShrinkLimit

MAX_LINES = 50  # row problems printed per file; the report has them all


def register(commands: argparse._SubParsersAction) -> None:
    _register_collect(commands)
    _register_summary(commands)
    _register_settings(commands)


# --- collect ------------------------------------------------------------------------------


def _register_collect(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "collect",
        help="县区汇总乡镇报送的工作簿",
        description="把各乡镇报送的工作簿汇总到本机（工作范围须为县区）。每个文件全有或全无："
        "有一行出错整个文件不接收。全量报送替换该乡镇此前的同一台账记录（原记录保留在已删除中），"
        "增量报送按记录的唯一标识新增或更新；同一文件重复报送不会重复接收；外县区的文件拒收。"
        "接收前核对每个文件：内容与报送标识不符（导出后被改动）的文件、会删除某乡镇较多记录的"
        "全量报送暂不接收，需确认后加 --accept-edited / --allow-shrink；比已接收的报送更旧的文件"
        "拒收；同一次汇总的文件按导出时间先后接收。有文件被拒收或暂不接收时退出码为1。",
    )
    parser.add_argument(
        "files",
        nargs="+",
        metavar="文件",
        help="乡镇报送的 .xlsx 工作簿，或带附件导出的 .zip（逐个核对校验值，有改动的整个拒收）",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="只检查并列出将要做的事，不写入数据库"
    )
    parser.add_argument("--report", metavar="报告.xlsx", help="把每个文件的结果和问题写入工作簿")
    parser.add_argument(
        "--accept-edited",
        action="store_true",
        help="接收内容与报送标识不符（导出后被改动过）的文件；接收记录会注明",
    )
    parser.add_argument(
        "--allow-shrink",
        action="store_true",
        help="接收会清空或大量删除某乡镇记录的全量报送",
    )
    parser.add_argument(
        "--shrink-limit",
        metavar="百分比,条数",
        help="全量报送最多可删除该乡镇现有记录的多少（两者取较大者，默认 20,50），超过则暂不接收",
    )
    add_password_option(parser)
    add_db_option(parser)
    parser.set_defaults(run=run_collect)


def _describe(result: FileCollection) -> list[str]:
    from hebi_desktop.county.collect import STATUS_LABELS

    lines = [f"【{result.path.name}】{result.unit}"]
    if result.refused:
        lines.append(f"  拒收：{result.refused}")
        return lines
    for reason in result.held:
        lines.append(f"  暂不接收：{reason}")
    for text in result.edits:
        lines.append(f"    {text}")
    for text in result.shrinks:
        lines.append(f"    {text}")
    for part in result.parts:
        lines.append(
            f"  {part.ledger.title}：{part.township_names}，{part.mode_label}，"
            f"{part.rows_read} 条，{STATUS_LABELS[part.status]}"
        )
        if result.ok and not result.dry_run and part.status.value != "received":
            lines.append(
                f"    新增 {part.inserted} 条，更新 {part.updated} 条，替换删除 {part.removed} 条"
            )
        for problem in part.problems:
            lines.append(f"    提醒：{problem}")
        for issue in part.errors[:MAX_LINES]:
            lines.append(f"    [错误] {issue.text()}")
        if len(part.errors) > MAX_LINES:
            lines.append(f"    ……另有 {len(part.errors) - MAX_LINES} 个错误未列出")
        if part.warnings:
            lines.append(f"    提醒 {len(part.warnings)} 条（可接收，记录会被标记待核实）")
    if any(p.errors for p in result.parts):
        lines.append("  有错误，整个文件未接收；请乡镇改正后重新报送")
    elif result.edits and result.ok and not result.dry_run:
        lines.append("  已按确认接收内容被改动过的文件（已记入操作记录）")
    if not any(p.errors for p in result.parts) and (
        text := getattr(result, "attachment_text", "")  # a ZIP with attachments
    ):
        lines.append(f"  {text}")
    return lines


def write_collect_report(
    target: Path, results: list[FileCollection], protected: dict[Path, str] | None = None
) -> Path:
    from hebi_desktop.county.collect import STATUS_LABELS
    from hebi_desktop.exchange.tables import TableSheet, write_tables

    files = TableSheet(
        "报送文件",
        "汇总报送结果",
        ("文件", "填报单位", "台账", "乡镇", "方式", "条数", "结果", "新增", "更新", "替换删除"),
        [
            (
                r.path.name,
                r.unit,
                p.ledger.title,
                p.township_names,
                p.mode_label,
                p.rows_read,
                STATUS_LABELS[p.status] if r.ok else r.status_text(),
                p.inserted,
                p.updated,
                p.removed,
            )
            for r in results
            for p in r.parts
        ]
        + [
            (r.path.name, r.unit, "", "", "", 0, r.status_text(), 0, 0, 0)
            for r in results
            if r.refused
        ],
    )
    problems = TableSheet(
        "问题",
        "各文件的错误和提醒",
        ("文件", "台账", "行", "列", "单元格内容", "问题", "级别"),
        [
            (r.path.name, p.ledger.title, i.row, i.column, i.value, i.message, "错误")
            for r in results
            for p in r.parts
            for i in p.errors
        ]
        + [
            (r.path.name, p.ledger.title, "", "", "", text, "提醒")
            for r in results
            for p in r.parts
            for text in p.problems
        ],
    )
    inputs = {r.path: "要汇总的工作簿" for r in results}
    return write_tables(
        target, [files, problems], title="汇总报送结果", protected={**inputs, **(protected or {})}
    )


def _shrink_limit(text: str | None) -> ShrinkLimit | None:
    from hebi_desktop.county.collect_checks import ShrinkLimit

    if not text:
        return None
    share, _comma, records = text.replace("，", ",").replace("%", "").partition(",")
    try:
        limit = ShrinkLimit(float(share) / 100, int(records or ShrinkLimit().records))
    except ValueError:
        limit = None
    if limit is None or not 0 <= limit.share <= 1 or limit.records < 0:
        raise UserError(f"参数 --shrink-limit：应为“百分比,条数”，如 20,50（现为“{text}”）")
    return limit


def run_collect(args: argparse.Namespace) -> int:
    from hebi_desktop.county.collect import Choices
    from hebi_desktop.county.collect_archive import collect_any
    from hebi_desktop.exchange.files import check_target, database_files

    paths = [Path(name) for name in args.files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UserError("找不到文件：" + "、".join(missing))
    use_passwords(args)
    with open_book(args) as book:
        database = database_files(book.sqlite_file)
        if args.report:  # refuse a bad report name before anything is taken in
            check_target(Path(args.report), {**database, **{p: "要汇总的工作簿" for p in paths}})
        choices = Choices(
            accept_edited=args.accept_edited,
            allow_shrink=args.allow_shrink,
            shrink_limit=_shrink_limit(args.shrink_limit),
        )
        results = collect_any(book, paths, dry_run=args.dry_run, choices=choices)
    for result in results:
        for line in _describe(result):
            out(line)
    before = sum(1 for r in results if r.taken_before)
    taken = sum(1 for r in results if r.ok) - before
    held = sum(1 for r in results if r.waiting)
    refused = len(results) - taken - before - held
    verb = "可接收" if args.dry_run else "已接收"
    counts = [f"{verb} {taken} 个"]
    if before:
        counts.append(f"已接收过 {before} 个（未重复接收）")
    if held:
        counts.append(f"暂不接收 {held} 个（待确认）")
    counts.append(f"拒收 {refused} 个")
    out(f"共 {len(results)} 个文件：" + "，".join(counts))
    if args.dry_run:
        out("（试运行，未写入数据库）")
    if args.report:
        out(f"报告：{write_collect_report(Path(args.report), results, database)}")
    return 1 if refused or held else 0


# --- summary ------------------------------------------------------------------------------


def _register_summary(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "summary",
        help="县区汇总：各乡镇一行的统计数字和未报送乡镇",
        description="按乡镇列出各台账的主要统计数字（本县区每个乡镇一行，合计与 stats 一致），"
        "并列出所选月份没有报送的乡镇。",
    )
    parser.add_argument(
        "--month", metavar="年-月", help="查看哪个月的未报送乡镇（默认本月），如 2026-11"
    )
    parser.add_argument("-o", "--output", metavar="文件.xlsx", help="同时写出县区汇总工作簿")
    add_db_option(parser)
    parser.set_defaults(run=run_summary)


def run_summary(args: argparse.Namespace) -> int:
    from hebi_desktop.cli.common import table as columns
    from hebi_desktop.county.report import (
        county_summary,
        month_bounds,
        not_submitted,
        write_county_summary,
    )

    with open_book(args) as book:
        sections = county_summary(book)
        missing = not_submitted(book, args.month)
        start, _end = month_bounds(args.month)
        for section in sections:
            labels = [m.label for m in section.ledger.measures]
            out(f"【{section.ledger.title}】")
            out(
                columns(
                    [["乡镇", *labels]]
                    + [[r.label, *(f.text() for f in r.figures)] for r in section.rows]
                    + [["合计", *(f.text() for f in section.total.figures)]]
                )
            )
            if section.left_out:
                out(section.left_out_text())
            names = "、".join(t.name for t in missing.get(section.ledger.key, []))
            out(f"{start:%Y年%m月}未报送：{names or '无'}")
            out()
        if args.output:
            out(f"已导出：{write_county_summary(book, Path(args.output), args.month)}")
    return 0


# --- settings -----------------------------------------------------------------------------


def _register_settings(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "settings",
        help="查看或修改本机设置（填报人、单位、县区、乡镇、工作范围）",
        description="不带选项时显示本机设置；带选项时修改对应设置。县区和乡镇可以写名称或代码。",
    )
    parser.add_argument("--operator", metavar="姓名", help="填报人")
    parser.add_argument("--unit", metavar="单位全称", help="单位全称（如 淇县北阳镇人民政府）")
    parser.add_argument("--county", metavar="县区", help="所在县区（名称或代码）")
    parser.add_argument("--township", metavar="乡镇", help="所在乡镇（名称或代码）")
    parser.add_argument(
        "--scope",
        choices=(keys.SCOPE_TOWNSHIP, keys.SCOPE_COUNTY),
        metavar="范围",
        help="工作范围：township=乡镇（录入报送），county=县区（汇总各乡镇报送）",
    )
    parser.add_argument(
        "--photo-long-side",
        type=int,
        metavar="像素",
        help=f"附加照片时缩小到的长边像素（{MIN_LONG_SIDE}–{MAX_LONG_SIDE}，默认2560）",
    )
    parser.add_argument(
        "--keep-originals",
        choices=("是", "否"),
        metavar="是/否",
        help="附加照片时是否另外保留原图（默认否）",
    )
    parser.add_argument(
        "--self-verify",
        choices=("yes", "no"),
        metavar="yes/no",
        help="复核录入是否允许录入人本人复核（本单位只有一人时设为 yes；默认 no）",
    )
    add_db_option(parser)
    parser.set_defaults(run=run_settings)


SCOPE_LABELS = {keys.SCOPE_TOWNSHIP: "乡镇", keys.SCOPE_COUNTY: "县区"}
MIN_LONG_SIDE, MAX_LONG_SIDE = 800, 8000


def _ask_unit() -> str:
    """The new 单位全称 when someone is at the keyboard; otherwise they are told to set it."""
    import sys

    if not sys.stdin.isatty():
        return ""
    try:
        return input("县区或乡镇已改变，请输入新的单位全称（直接回车暂不填写）：").strip()
    except EOFError:
        return ""


def _code(field, text: str, county: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """A division code from a code or a name; a unique beginning of a name will do
    (北阳 for 北阳镇, 淇滨 for 淇滨区)."""
    text = text.strip()
    try:
        code = make_parser(field)(text)
    except ValueProblem as problem:
        table_ = divisions()
        pool = table_.counties if field is COUNTY_FIELD else table_.townships
        matches = [
            d
            for d in pool
            if d.name.startswith(text) and (county is None or d.parent_code == county)
        ]
        if text and len(matches) == 1:
            return matches[0].code
        raise UserError(f"{field.header}：{problem}") from None
    if not code:
        raise UserError(f"{field.header}：不能为空")
    return str(code)


def run_settings(args: argparse.Namespace) -> int:
    table_ = divisions()
    with open_book(args) as book:
        settings = book.settings
        current = settings.all()
        changes: dict[str, str | None] = {}
        if args.operator is not None:
            changes[keys.OPERATOR] = args.operator
        if args.unit is not None:
            changes[keys.UNIT_NAME] = args.unit
            current.pop(keys.UNIT_NAME, None)  # replaced, not cleared
        county = _code(COUNTY_FIELD, args.county) if args.county else None
        township = None
        if args.township:
            township = _code(TOWNSHIP_FIELD, args.township, county)
            parent = table_.by_code[township].parent_code or ""
            if county and parent != county:
                raise UserError(
                    f"乡镇：“{table_.name(township)}”不属于“{table_.name(county)}”，"
                    f"属于“{table_.name(parent)}”"
                )
        place, notes = keys.place_changes(current, county, township)
        if keys.UNIT_NAME in place:
            unit = _ask_unit()
            if unit:
                place[keys.UNIT_NAME] = unit
                notes[-1] = f"单位全称：{unit}"
        changes = {**place, **changes}
        if args.scope:
            changes[keys.SCOPE] = args.scope
        if args.photo_long_side is not None:
            if not MIN_LONG_SIDE <= args.photo_long_side <= MAX_LONG_SIDE:
                raise UserError(
                    f"照片长边：应为{MIN_LONG_SIDE}到{MAX_LONG_SIDE}之间的整数"
                    f"（现为{args.photo_long_side}）"
                )
            changes[keys.ATTACHMENT_LONG_SIDE] = str(args.photo_long_side)
        if args.keep_originals is not None:
            changes[keys.ATTACHMENT_KEEP_ORIGINAL] = "1" if args.keep_originals == "是" else "0"
        if args.self_verify:
            changes[keys.VERIFY_SAME_PERSON] = "1" if args.self_verify == "yes" else ""
        # every value checked before anything is stored: all or nothing
        changes = {k: keys.cleaned(k, v) if v else None for k, v in changes.items()}
        for key, value in changes.items():
            settings.set(key, value or None)
        values = settings.all()
    rows = [
        ["填报人", values.get(keys.OPERATOR, "")],
        ["单位全称", values.get(keys.UNIT_NAME, "")],
        ["县区", table_.name(values.get(keys.COUNTY))],
        ["乡镇", table_.name(values.get(keys.TOWNSHIP))],
        ["工作范围", SCOPE_LABELS.get(values.get(keys.SCOPE, keys.SCOPE_TOWNSHIP), "")],
        ["照片长边", f"{values.get(keys.ATTACHMENT_LONG_SIDE, '2560')} 像素"],
        ["保留原图", "是" if values.get(keys.ATTACHMENT_KEEP_ORIGINAL) == "1" else "否"],
        ["允许本人复核", "是" if values.get(keys.VERIFY_SAME_PERSON) == "1" else "否"],
    ]
    if changes:
        out("已保存。")
    for note in notes:
        out(note)
    if keys.UNIT_NAME in changes and not changes[keys.UNIT_NAME]:
        out("（重新填写单位全称：hebi-desktop settings --unit 单位全称）")
    for label, value in rows:
        out(f"{label}：{value or '（未设置）'}")
    return 0
