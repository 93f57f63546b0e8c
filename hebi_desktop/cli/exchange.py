"""``hebi-desktop export``, ``import`` and ``submissions``: workbooks out and in.

The Excel libraries are imported by the commands that use them, not when the command
line is parsed (``--help`` and ``--version`` stay quick)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hebi_desktop.cli.common import (
    add_db_option,
    add_full_ids_option,
    add_ledger_argument,
    add_password_option,
    err,
    export_password,
    open_book,
    out,
    table,
    use_passwords,
)
from hebi_desktop.domain.place import COUNTY as COUNTY_FIELD
from hebi_desktop.domain.place import TOWNSHIP as TOWNSHIP_FIELD
from hebi_desktop.domain.registry import all_ledgers, get_ledger, ledger_keys
from hebi_desktop.domain.values import ValueProblem, make_parser, to_date
from hebi_desktop.errors import UserError
from hebi_desktop.exchange import ON_DUPLICATE
from hebi_desktop.exchange.limits import MAX_ROWS

if TYPE_CHECKING:
    from hebi_desktop.exchange.export import ExportRequest
    from hebi_desktop.exchange.importer import ImportResult, RowIssue

MAX_LINES = 200  # issues printed on the terminal; the report has them all


def register(commands: argparse._SubParsersAction) -> None:
    _register_export(commands)
    _register_import(commands)
    _register_submissions(commands)


# --- export ---------------------------------------------------------------------------


def _register_export(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "export",
        help="导出上报用的 Excel 工作簿",
        description="按上报格式导出台账工作簿（标题、填报行、表头、记录、合计行）。"
        "all 导出全部台账并附汇总表和图表。每次导出都记入报送记录（可用 --no-record 不记）。",
    )
    add_ledger_argument(parser, allow_all=True)
    parser.add_argument("-o", "--output", required=True, metavar="文件.xlsx", help="导出文件")
    parser.add_argument("--county", metavar="县区", help="只导出该县区（名称或代码）")
    parser.add_argument("--township", metavar="乡镇", help="只导出该乡镇（名称或代码）")
    parser.add_argument("--village", metavar="行政村", help="只导出该行政村")
    parser.add_argument(
        "--all-places",
        action="store_true",
        help="导出数据库中全部县区、乡镇的记录（不给 --county/--township 时，"
        "默认只导出本机所在乡镇，县区电脑为本县区）",
    )
    parser.add_argument(
        "--from",
        dest="date_from",
        metavar="日期",
        help="只导出日期不早于该日的记录（"
        + "、".join(f"{ledger.nav_title}按{ledger.main_date_header}" for ledger in all_ledgers())
        + "）",
    )
    parser.add_argument("--to", dest="date_to", metavar="日期", help="只导出日期不晚于该日的记录")
    parser.add_argument(
        "--since-last-submission",
        action="store_true",
        help="只导出自该台账上次报送以来新增或修改的记录（月度增量报送）",
    )
    parser.add_argument(
        "--mask-ids", action="store_true", help="脱敏：身份证号和电话号码中间用*代替"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="不记入报送记录（仅供本单位自用的导出）"
    )
    parser.add_argument(
        "--with-files",
        action="store_true",
        help="连同照片、扫描件等附件导出为 .zip（工作簿＋按乡镇/村/户分的文件夹＋校验清单）",
    )
    parser.add_argument(
        "--include-files",
        action="store_true",
        help="与 --with-files、--mask-ids 一起使用：脱敏导出时仍附带附件（默认不附带）",
    )
    parser.add_argument(
        "--verified-only",
        action="store_true",
        help="只导出已复核（复核录入一致）的记录",
    )
    add_password_option(parser, encrypt=True)
    add_db_option(parser)
    parser.set_defaults(run=run_export)


def _code(field, text: str | None) -> str | None:  # type: ignore[no-untyped-def]
    if not text:
        return None
    try:
        return make_parser(field)(text)
    except ValueProblem as problem:
        raise UserError(f"{field.header}：{problem}") from None


def _date(option: str, text: str | None):  # type: ignore[no-untyped-def]
    if not text:
        return None
    try:
        return to_date(text)
    except ValueProblem as problem:
        raise UserError(f"参数 {option}：{problem}") from None


def _progress_printer():  # type: ignore[no-untyped-def]
    """Progress on one terminal line, only when someone is watching."""
    if not sys.stderr.isatty():
        return None
    state = {"shown": -1}

    def show(done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if percent != state["shown"]:
            state["shown"] = percent
            end = "\n" if done >= total else ""
            print(f"\r  {done}/{total}（{percent}%）", end=end, file=sys.stderr, flush=True)

    return show


def run_export(args: argparse.Namespace) -> int:
    from hebi_desktop.exchange.export import ExportRequest, export_workbook
    from hebi_desktop.services.querying import RecordQuery

    if not args.output.strip():
        raise UserError("请用 -o 指定导出文件名，例如 -o 报送.xlsx")
    target = Path(args.output)
    if not target.suffix:
        target = target.with_suffix(".zip" if args.with_files else ".xlsx")
    query = RecordQuery(
        county_code=_code(COUNTY_FIELD, args.county),
        township_code=_code(TOWNSHIP_FIELD, args.township),
        village=args.village.strip() if args.village else None,
        date_from=_date("--from", args.date_from),
        date_to=_date("--to", args.date_to),
        verified=True if args.verified_only else None,
    )
    ledgers = ledger_keys() if args.ledger == "all" else (args.ledger,)
    request = ExportRequest(
        ledgers=tuple(k for k in ledger_keys() if k in ledgers),
        query=query,
        since_last_submission=args.since_last_submission,
        mask_ids=args.mask_ids,
        record_submission=not args.no_record,
        all_places=args.all_places,
        password=export_password(args),
    )
    if args.with_files:
        return _export_with_files(args, request, target)
    with open_book(args) as book:
        result = export_workbook(book, request, target, progress=_progress_printer())
    out(f"已导出：{result.path}")
    for key, count in result.rows.items():
        line = f"  {get_ledger(key).title}：{count} 条"
        if args.since_last_submission:
            since = result.since.get(key)
            line += (
                f"（自上次报送 {since:%Y-%m-%d %H:%M} 以来）"
                if since
                else "（此前没有报送记录，导出全部）"
            )
        out(line)
    out(f"SHA-256：{result.sha256}")
    if request.password:
        out("工作簿已加密：请把密码另行告诉接收单位（打电话或当面），不要和文件一起发送")
    if request.record_submission:
        out("已记入报送记录（hebi-desktop submissions 可查看）")
    return 0


def _export_with_files(args: argparse.Namespace, request: ExportRequest, target: Path) -> int:
    from hebi_desktop.exchange.export_files import export_with_files

    with open_book(args) as book:
        result = export_with_files(
            book,
            request,
            target,
            include_files=True if args.include_files else None,
            progress=_progress_printer(),
        )
    out(f"已导出：{result.path}")
    for key, count in result.workbook.rows.items():
        out(f"  {get_ledger(key).title}：{count} 条")
    if result.files_left_out:
        out("  脱敏导出未附带附件（需要时加 --include-files）")
    else:
        out(f"  附件：{result.files} 个（校验值见压缩包中的 manifest.json）")
    return 0


# --- import ---------------------------------------------------------------------------


def _register_import(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "import",
        help="从 Excel 工作簿导入记录",
        description="导入工作簿中的一张表：自动找到表头（可有标题行、填报行、合并单元格），"
        "识别常见的列名写法，每行按与录入界面相同的规则检查。只要有一行有错误，就一条也不导入，"
        "并生成问题报告（标出每个有问题的单元格），改正后可重新导入。"
        "也可导入 CSV 文件（UTF-8 或 GBK 编码，自动识别）。",
    )
    add_ledger_argument(parser)
    parser.add_argument("file", metavar="文件.xlsx", help="要导入的工作簿或 CSV 文件")
    parser.add_argument("--sheet", metavar="工作表", help="工作表名称（默认自动选择）")
    parser.add_argument("--dry-run", action="store_true", help="只检查、不写入")
    parser.add_argument(
        "--report",
        metavar="报告.xlsx",
        help="把问题报告写到该文件（有错误而未指定时，写到源文件旁）",
    )
    add_full_ids_option(parser)
    parser.add_argument(
        "--on-duplicate",
        choices=ON_DUPLICATE,
        default="error",
        metavar="处理方式",
        help="与已有记录重复时：error=报错（默认），skip=跳过，update=用表中数据更新",
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=MAX_ROWS,
        metavar="行数",
        help=f"工作表行数上限，超过则不导入（默认 {MAX_ROWS}，即一张 Excel 表的最大行数）",
    )
    add_password_option(parser)
    add_db_option(parser)
    parser.set_defaults(run=run_import)


def _print_issues(title: str, issues: list[RowIssue], printer, total: int) -> None:  # type: ignore[no-untyped-def]
    printer(title)
    for issue in issues[:MAX_LINES]:
        printer(f"  {issue.text()}")
    if total > MAX_LINES:
        printer(f"  ……另有 {total - MAX_LINES} 处，见问题报告")


def _default_report(source: Path) -> Path:
    return source.with_name(f"{source.stem}-导入问题报告.xlsx")


def run_import(args: argparse.Namespace) -> int:
    from hebi_desktop.exchange.files import database_files
    from hebi_desktop.exchange.importer import import_workbook
    from hebi_desktop.exchange.limits import Limits
    from hebi_desktop.exchange.report import write_report

    source = Path(args.file)
    if args.max_rows < 1:
        raise UserError("参数 --max-rows：行数应为正整数")
    use_passwords(args)
    with open_book(args) as book:
        database = database_files(book.sqlite_file)
        result = import_workbook(
            book,
            args.ledger,
            source,
            sheet=args.sheet,
            dry_run=args.dry_run,
            on_duplicate=args.on_duplicate,
            progress=_progress_printer(),
            limits=Limits(max_rows=args.max_rows),
            waiting=lambda notice: err(f"{notice}（等待中，按 Ctrl+C 取消）"),
        )
    _summarise(result)
    report = Path(args.report) if args.report else None
    if report is None and result.errors:
        report = _default_report(source)
    if report is not None:
        if not report.suffix:
            report = report.with_suffix(".xlsx")
        try:
            write_report(result, report, database, full_ids=args.full_ids)
        except UserError as error:
            err(f"问题报告未能写出：{error}")
        else:
            (err if result.errors else out)(f"问题报告：{report}")
    return 1 if result.errors else 0


def _summarise(result: ImportResult) -> None:
    title = get_ledger(result.ledger).title
    out(f"{result.file.name}（工作表“{result.sheet}”）→ {title}：读取 {result.rows_read} 行")
    if result.ignored_columns:
        out(f"未识别的列（已忽略）：{'、'.join(result.ignored_columns)}")
    if result.errors:
        _print_issues(
            f"发现 {result.error_count} 处错误，未导入任何记录：",
            result.errors,
            err,
            result.error_count,
        )
        if result.errors_omitted:
            err(f"（问题报告列出前 {len(result.errors)} 处；{result.omitted_text()}）")
        return
    counts = f"新增 {result.inserted} 条，更新 {result.updated} 条，跳过 {result.skipped} 条"
    out(f"试导入（未写入）：可{counts}" if result.dry_run else f"已导入：{counts}")
    if result.warnings:
        _print_issues(
            f"提醒 {result.warning_count} 处（照常导入，记录已标记待核实）：",
            result.warnings,
            out,
            result.warning_count,
        )
    if result.village_hints:
        _print_issues(
            f"村名提醒：{result.village_hint_text()}，例如：",
            result.village_hints,
            out,
            len(result.village_hints),
        )


# --- submissions ----------------------------------------------------------------------


def _register_submissions(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "submissions",
        help="查看报送记录",
        description="列出每次导出上报的记录：时间、台账、报送人、筛选条件、条数、文件和 SHA-256。",
    )
    parser.add_argument("--ledger", choices=list(ledger_keys()), metavar="台账", help="只看该台账")
    add_db_option(parser)
    parser.set_defaults(run=run_submissions)


def run_submissions(args: argparse.Namespace) -> int:
    from hebi_desktop.services.submissions import list_submissions

    with open_book(args) as book:
        entries = list_submissions(book, args.ledger)
    if not entries:
        out("还没有报送记录")
        return 0
    rows = [["时间", "台账", "报送人", "条数", "筛选", "SHA-256", "文件"]]
    for entry in entries:
        rows.append(
            [
                f"{entry.at:%Y-%m-%d %H:%M:%S}",
                get_ledger(entry.ledger).nav_title,
                entry.operator,
                str(entry.row_count),
                entry.filters_text(),
                entry.sha256,
                entry.file_name,
            ]
        )
    out(table(rows))
    return 0
