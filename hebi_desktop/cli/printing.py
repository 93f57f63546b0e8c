"""``hebi-desktop print``: a roster, public notice or payment register as a PDF file."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from hebi_desktop.cli.common import add_db_option, add_ledger_argument, err, open_book, out
from hebi_desktop.domain.fields import Field
from hebi_desktop.domain.place import COUNTY as COUNTY_FIELD
from hebi_desktop.domain.place import TOWNSHIP as TOWNSHIP_FIELD
from hebi_desktop.domain.printing import FORM_TITLES, Form
from hebi_desktop.domain.values import ValueProblem, make_parser, to_date
from hebi_desktop.errors import UserError

FORM_HELP = "，".join(f"{form.value}={title}" for form, title in FORM_TITLES.items())


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "print",
        help="打印花名册、公示名单或发放登记表（生成 PDF）",
        description="把台账生成可直接打印、签字盖章的 PDF："
        "roster=台账花名册（每页小计、合计、签字栏），"
        "notice=公示名单（只含可公开的项目，不含完整身份证号、电话、住址、出生日期），"
        "register=资金发放登记表（领取人签字按手印栏）。筛选条件与导出相同。",
    )
    add_ledger_argument(parser)
    parser.add_argument(
        "--form",
        choices=[f.value for f in Form],
        default=Form.ROSTER.value,
        metavar="表格",
        help=f"表格（默认 roster）：{FORM_HELP}",
    )
    parser.add_argument("-o", "--output", required=True, metavar="文件.pdf", help="PDF 文件")
    parser.add_argument(
        "--paper", choices=["A4", "A3"], default="A4", metavar="纸张", help="纸张：A4（默认）或 A3"
    )
    parser.add_argument("--portrait", action="store_true", help="纵向打印（默认横向）")
    parser.add_argument("--county", metavar="县区", help="只打印该县区（名称或代码）")
    parser.add_argument("--township", metavar="乡镇", help="只打印该乡镇（名称或代码）")
    parser.add_argument("--village", metavar="行政村", help="只打印该行政村")
    parser.add_argument(
        "--all-places",
        action="store_true",
        help="打印数据库中全部县区、乡镇的记录（不给 --county/--township 时，"
        "默认只打印本机所在乡镇，县区电脑为本县区）",
    )
    parser.add_argument(
        "--from", dest="date_from", metavar="日期", help="只打印日期不早于该日的记录"
    )
    parser.add_argument("--to", dest="date_to", metavar="日期", help="只打印日期不晚于该日的记录")
    parser.add_argument(
        "--since-last-submission",
        action="store_true",
        help="只打印自该台账上次报送以来新增或修改的记录",
    )
    parser.add_argument(
        "--verified-only",
        action="store_true",
        help="只打印已复核（复核录入一致）的记录",
    )
    parser.add_argument(
        "--notice-from",
        metavar="日期",
        help="公示期开始日期（默认今天；只用于公示名单）",
    )
    parser.add_argument(
        "--notice-to",
        metavar="日期",
        help="公示期结束日期（默认开始后第5个工作日）",
    )
    add_db_option(parser)
    parser.set_defaults(run=run_print)


def _code(field: Field, text: str | None) -> str | None:
    if not text:
        return None
    try:
        return make_parser(field)(text)
    except ValueProblem as problem:
        raise UserError(f"{field.header}：{problem}") from None


def _date(option: str, text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return to_date(text)
    except ValueProblem as problem:
        raise UserError(f"参数 {option}：{problem}") from None


def gui_application() -> Any:
    """The QGuiApplication the font database and the PDF writer need (no window opens).

    Without a display (a Linux server, a terminal over SSH) Qt's offscreen platform is used.
    """
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if sys.platform.startswith("linux") and headless:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["hebi-desktop"])
    return app


def run_print(args: argparse.Namespace) -> int:
    from hebi_desktop.printing.content import PrintRequest, unverified_in
    from hebi_desktop.printing.pdf import write_pdf
    from hebi_desktop.services.querying import RecordQuery  # SQLAlchemy: not for --help

    target = Path(args.output)
    try:
        folder = target.is_dir()
    except OSError:  # a name too long for the file system: the output guard says so
        folder = False
    if folder or args.output.endswith(("/", "\\")):
        raise UserError(f"“{args.output}”是一个文件夹，请在文件夹后写上文件名，如 公示.pdf")
    if not target.suffix:
        target = target.with_suffix(".pdf")
    date_from, date_to = _date("--from", args.date_from), _date("--to", args.date_to)
    if date_from and date_to and date_to < date_from:
        raise UserError(f"参数 --to：结束日期{date_to}早于开始日期{date_from}")
    query = RecordQuery(
        county_code=_code(COUNTY_FIELD, args.county),
        township_code=_code(TOWNSHIP_FIELD, args.township),
        village=args.village.strip() if args.village else None,
        date_from=date_from,
        date_to=date_to,
        verified=True if args.verified_only else None,
    )
    request = PrintRequest(
        ledger=args.ledger,
        form=Form(args.form),
        query=query,
        since_last_submission=args.since_last_submission,
        paper=args.paper,
        landscape=not args.portrait,
        notice_from=_date("--notice-from", args.notice_from),
        notice_to=_date("--notice-to", args.notice_to),
        all_places=args.all_places,
    )
    gui_application()
    with open_book(args) as book:
        result = write_pdf(book, request, target, warn=lambda text: err(f"提醒：{text}"))
        unverified = unverified_in(book, request) if request.form is Form.REGISTER else 0
    out(f"已生成：{result.path}")
    if result.rows == 0:
        out("  注意：没有符合筛选条件的记录，表格是空的")
    out(f"  {FORM_TITLES[request.form]}：{result.rows} 条，共 {result.pages} 页（{args.paper}）")
    if unverified:
        out(
            f"  注意：其中 {unverified} 条尚未复核（复核录入），发放前请先复核，"
            "或加 --verified-only 只打印已复核的记录"
        )
    return 0
