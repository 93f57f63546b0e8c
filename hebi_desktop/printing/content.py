"""What goes on the paper: a form's title, heading, columns, rows and signature lines.

This part knows the ledgers and the settings but no Qt: it reads the records through the
record service (the same filters as an export), sorts them by village then name in pinyin
order, turns every value into the text a clerk reads, and leaves measuring and drawing to
:mod:`hebi_desktop.printing.render`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.display import display_value
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Field, Kind, Ledger
from hebi_desktop.domain.pinyin import sort_key
from hebi_desktop.domain.printing import FORM_TITLES, Column, Form, IdPolicy, column
from hebi_desktop.domain.queries import Aggregate
from hebi_desktop.errors import UserError
from hebi_desktop.services.desk_scope import query_place, with_default_place
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.settings import REVIEWER, SUPERVISION_PHONE, UNIT_HEAD, UNIT_NAME

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

NUMBER_HEADER = "序号"
SIGNATURE_HEADER = "领取人签字（按手印）"
NOTICE_DAYS = 5
RECORD_ID = "_record_id"  # carried beside the values, to name a record in a warning
SORT_STEP = 4096  # rows sorted at once (see sorted_in_steps)
T = TypeVar("T")


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class TableColumn:
    """One printed column. ``width`` is in half-width characters of the body font."""

    header: str
    width: int
    align: Align = Align.CENTER
    summed: bool = False  # added up in the 本页小计 and 合计 rows
    key: bool = False  # repeated on every page when the columns spill
    money: bool = False
    rigid: bool = False  # numbers, dates, ID numbers: never wrapped, never narrowed


@dataclass
class Document:
    """A form ready to be laid out: everything is text except the sums."""

    form: Form
    title: str
    unit: str
    day: dt.date
    columns: list[TableColumn]
    rows: list[list[str]]
    sums: list[list[Decimal]]  # per row, the values of the summed columns in order
    count_unit: str  # 户 / 处 / 人次: what a row counts
    heading: list[str]  # the line under the title: 填报单位、填报日期、单位：元
    intro: str = ""  # the notice's paragraph (first page)
    signatures: list[str] = field(default_factory=list)  # on every page
    closing: list[str] = field(default_factory=list)  # the notice's unit and date (last page)
    page_subtotals: bool = True
    row_min_mm: float = 0.0  # the register leaves room to sign and press a fingerprint
    stamp: bool = True
    record_ids: list[int] = field(default_factory=list)  # per row: the record it shows

    @property
    def count_label(self) -> str:
        return f"共{len(self.rows)}{self.count_unit}"

    @property
    def summed_indexes(self) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.summed]

    def grand_totals(self) -> list[Decimal]:
        totals = [Decimal(0)] * len(self.summed_indexes)
        for values in self.sums:
            totals = [a + b for a, b in zip(totals, values, strict=True)]
        return totals


@dataclass(frozen=True)
class PrintRequest:
    """What to print: a ledger's form, the export's filters, paper and notice period."""

    ledger: str
    form: Form = Form.ROSTER
    query: RecordQuery = field(default_factory=RecordQuery)
    since_last_submission: bool = False
    paper: str = "A4"
    landscape: bool = True
    notice_from: dt.date | None = None
    notice_to: dt.date | None = None
    day: dt.date | None = None  # 填报日期; today when not given
    all_places: bool = False  # no place filter: the whole database, not the desk's scope


# --- dates and names -------------------------------------------------------------------


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The last day of a period of ``days`` working days (Mon–Fri) that starts on ``start``.

    A start on a weekend moves to the next Monday. Public holidays are not known here;
    the clerk edits the period when one falls inside it.
    """
    day = start
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    counted = 1
    while counted < days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


def notice_period(start: dt.date, end: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """From–to of a notice: the default is five working days from ``start``."""
    first = start
    while first.weekday() >= 5:
        first += dt.timedelta(days=1)
    return first, end or add_working_days(first, NOTICE_DAYS)


def default_unit_name(county_code: str | None, township_code: str | None) -> str:
    """县 + 乡镇 + 人民政府 (a 街道 + 办事处): what prints when no 单位全称 is saved."""
    table = divisions()
    county = table.name(county_code) if county_code else ""
    township = table.name(township_code) if township_code else ""
    if township:
        suffix = "办事处" if township.endswith("街道") else "人民政府"
        return f"{county}{township}{suffix}"
    return f"{county}人民政府" if county else ""


def unit_name(book: Book) -> str:
    """The full 填报单位: the saved 单位全称, else :func:`default_unit_name`."""
    settings = book.settings.all()
    saved = settings.get(UNIT_NAME, "").strip()
    return saved or default_unit_name(settings.get("county_code"), settings.get("township_code"))


def place_name(book: Book, query: RecordQuery) -> str:
    """Whose records the form holds: the filtered township (and village) or county, else
    the whole city — 北阳镇, or 北阳镇王庄村 for a notice posted in one village. Never the
    desk's township over records of other places."""
    return query_place(query) + (query.village or "")


# --- the forms -------------------------------------------------------------------------


def build_document(
    book: Book, request: PrintRequest, cancelled: Callable[[], bool] | None = None
) -> Document:
    """Read the records and lay out the words of one form (see the module docstring)."""
    from hebi_desktop.domain.registry import get_ledger

    ledger = get_ledger(request.ledger)
    forms = ledger.print_forms
    if forms is None or not forms.has(request.form):
        raise UserError(f"{ledger.title}没有“{FORM_TITLES[request.form]}”")
    query = form_query(book, ledger, request)
    records = _records(book, ledger, query, cancelled)
    day = request.day or dt.date.today()
    unit = unit_name(book)
    if not unit:
        raise UserError("请先在“设置”中填写单位全称（或所在县区、乡镇），打印的表格要写明填报单位")
    place = place_name(book, query)
    try:
        if request.form is Form.REGISTER:
            return _register(book, ledger, records, unit, place, day)
        if request.form is Form.NOTICE:
            return _notice(book, ledger, records, unit, place, day, request)
        return _roster(book, ledger, records, unit, place, day)
    finally:
        release_in_steps(records)


def release_document(document: Document) -> None:
    """Empty a long form's rows a piece at a time (see :func:`release_in_steps`); only
    for a document nothing else will read again."""
    for items in (document.rows, document.sums, document.record_ids):
        release_in_steps(items)


def release_in_steps(items: list[Any]) -> None:
    """Empty ``items`` a piece at a time. Freeing 100,000 records in one go holds the
    interpreter for a quarter of a second; in pieces, other threads (the window) run
    between them."""
    while items:
        del items[-SORT_STEP:]


def unverified_in(book: Book, request: PrintRequest) -> int:
    """How many records with money the form holds that no second keying has verified:
    a payment register should not pay from a single keying unknowingly."""
    from hebi_desktop.domain.registry import get_ledger

    ledger = get_ledger(request.ledger)
    query = dataclasses.replace(form_query(book, ledger, request), with_money=True)
    if query.verified:
        return 0
    return book.records(ledger).count(dataclasses.replace(query, verified=False))


def form_query(book: Book, ledger: Ledger, request: PrintRequest) -> RecordQuery:
    """The records a form prints: the request's filters within the desk's own scope."""
    query = dataclasses.replace(request.query, deleted=False)  # never the bin
    if not request.all_places:
        query = with_default_place(book, query)  # the desk's own scope unless chosen
    if request.since_last_submission:
        from hebi_desktop.exchange.submissions import last_submission

        last = last_submission(book, ledger.key)
        query = dataclasses.replace(query, changed_since=last.at if last else None)
    return query


def _records(
    book: Book, ledger: Ledger, query: RecordQuery, cancelled: Callable[[], bool] | None
) -> list[dict[str, Any]]:
    records = [
        {**values, RECORD_ID: record_id}
        for record_id, values in book.records(ledger).iter_items(query, cancelled=cancelled)
    ]
    name = ledger.name_field
    return sorted_in_steps(
        records, key=lambda v: (sort_key(v.get("village")), sort_key(v.get(name)))
    )


def sorted_in_steps(items: list[T], key: Callable[[T], Any], step: int = SORT_STEP) -> list[T]:
    """``sorted(items, key=key)`` (stable, the same order) made of short sorts and a merge.

    One ``list.sort`` of 100,000 rows compares in C for a few tenths of a second without
    letting any other thread run; the preview reads on a worker while the window must
    keep answering, so the work is cut into pieces the interpreter can switch between.
    """
    if len(items) <= step:
        return sorted(items, key=key)
    pieces = [sorted(items[i : i + step], key=key) for i in range(0, len(items), step)]
    return list(heapq.merge(*pieces, key=key))


def _summed(ledger: Ledger, f: Field) -> bool:
    """Money is always added up; a count (受益人口) when the city reports its sum."""
    if f.kind is Kind.MONEY:
        return True
    return f.kind is Kind.INTEGER and any(
        m.aggregate is Aggregate.SUM and m.field == f.name for m in ledger.measures
    )


RIGID_KINDS = frozenset(
    {
        Kind.ID_NUMBER,
        Kind.PHONE,
        Kind.DATE,
        Kind.MONEY,
        Kind.DECIMAL,
        Kind.INTEGER,
        Kind.SCHOOL_YEAR,
        Kind.YES_NO,
    }
)


def _width(f: Field, spec: Column) -> int:
    if spec.width:
        return spec.width
    fixed = {
        Kind.ID_NUMBER: 19,
        Kind.PHONE: 13,
        Kind.DATE: 11,
        Kind.MONEY: 13,  # 16,645,916.00 in bold in the 合计 row
        Kind.DECIMAL: 9,
        Kind.SCHOOL_YEAR: 10,
        Kind.YES_NO: 5,
    }
    return fixed.get(f.kind, f.width)


def _align(f: Field) -> Align:
    if f.kind in (Kind.MONEY, Kind.DECIMAL, Kind.INTEGER):
        return Align.RIGHT
    if f.kind is Kind.TEXT and f.width >= 14:
        return Align.LEFT
    return Align.CENTER


class _Table:
    """Columns and a way to turn one record into its printed row and its sums."""

    def __init__(self, ledger: Ledger, specs: list[Column], *, mask: bool) -> None:
        self.ledger = ledger
        self.fields = [ledger.field(s.field) for s in specs]
        self.mask = mask
        keys = set(ledger.key_columns)
        self.columns = [TableColumn(NUMBER_HEADER, 5, key=True, rigid=True)]
        for spec, f in zip(specs, self.fields, strict=True):
            self.columns.append(
                TableColumn(
                    spec.header or f.header.replace("（元）", ""),  # the heading says 单位：元
                    _width(f, spec),
                    _align(f),
                    summed=_summed(ledger, f),
                    key=f.name in keys,
                    money=f.kind is Kind.MONEY,
                    rigid=f.kind in RIGID_KINDS or f.name in keys,
                )
            )
        self.summed = [f for f in self.fields if _summed(ledger, f)]

    def row(self, number: int, values: dict[str, Any]) -> list[str]:
        cells = [str(number)]
        for f in self.fields:
            value = values.get(f.name)
            if f.kind is Kind.ID_NUMBER and self.mask and value:
                cells.append(resident_id.mask(value))
            else:
                cells.append(display_value(f, value))
        return cells

    def sums(self, values: dict[str, Any]) -> list[Decimal]:
        return [Decimal(values.get(f.name) or 0) for f in self.summed]


def _count_unit(ledger: Ledger) -> str:
    return ledger.print_forms.count_unit if ledger.print_forms is not None else "条"


def _id_field(ledger: Ledger) -> str | None:
    """The resident-ID column, masked on notices and registers (None: the ledger has none)."""
    return next((f.name for f in ledger.fields if f.kind is Kind.ID_NUMBER), None)


def _heading(unit: str, day: dt.date, money: bool, label: str = "填报") -> list[str]:
    items = [f"{label}单位：{unit}", f"{label}日期：{chinese_date(day)}"]
    if money:
        items.append("单位：元")
    return items


def _signers(book: Book, *first: str) -> list[str]:
    settings = book.settings.all()
    operator = settings.get("operator", "")
    return [
        f"{first[0] if first else '填表人'}：{operator}",
        f"审核人：{settings.get(REVIEWER, '')}",
        f"单位负责人（签字）：{settings.get(UNIT_HEAD, '')}",
        "单位（盖章）：",
    ]


def _roster(
    book: Book, ledger: Ledger, records: list[dict[str, Any]], unit: str, place: str, day: dt.date
) -> Document:
    assert ledger.print_forms is not None
    table = _Table(ledger, list(ledger.print_forms.columns(Form.ROSTER)), mask=False)
    return Document(
        form=Form.ROSTER,
        title=f"{place}{ledger.title}花名册",
        unit=unit,
        day=day,
        columns=table.columns,
        rows=[table.row(n, v) for n, v in enumerate(records, start=1)],
        sums=[table.sums(v) for v in records],
        count_unit=_count_unit(ledger),
        heading=_heading(unit, day, any(c.money for c in table.columns)),
        signatures=_signers(book),
        record_ids=[v[RECORD_ID] for v in records],
    )


def _notice(
    book: Book,
    ledger: Ledger,
    records: list[dict[str, Any]],
    unit: str,
    place: str,
    day: dt.date,
    request: PrintRequest,
) -> Document:
    forms = ledger.print_forms
    assert forms is not None
    specs = list(forms.columns(Form.NOTICE))
    id_field = _id_field(ledger)
    if forms.notice_ids is IdPolicy.MASKED and id_field is not None:
        after = next(
            (i + 1 for i, s in enumerate(specs) if s.field == ledger.name_field), len(specs)
        )
        specs.insert(after, Column(id_field, 19))
    table = _Table(ledger, specs, mask=True)
    first, last = notice_period(request.notice_from or day, request.notice_to)
    if last < first:
        raise UserError(f"公示期：结束日期{chinese_date(last)}早于开始日期{chinese_date(first)}")
    phone = book.settings.get(SUPERVISION_PHONE) or ""
    subject = forms.notice_title or ledger.title
    count = f"共{len(records)}{_count_unit(ledger)}"
    intro = (
        f"现将{place}{subject}对象名单（{count}）予以公示。"
        f"公示期：{chinese_date(first)}至{chinese_date(last)}。"
        f"公示期间如有异议，请向{unit}反映，监督电话：{phone or '＿＿＿＿＿＿＿＿'}。"
    )
    return Document(
        form=Form.NOTICE,
        title=f"{place}{subject}公示名单",
        unit=unit,
        day=day,
        columns=table.columns,
        rows=[table.row(n, v) for n, v in enumerate(records, start=1)],
        sums=[table.sums(v) for v in records],
        count_unit=_count_unit(ledger),
        heading=_heading(unit, day, any(c.money for c in table.columns), "公示"),
        intro=intro,
        closing=[unit, chinese_date(day)],
        page_subtotals=False,
        record_ids=[v[RECORD_ID] for v in records],
    )


def _register(
    book: Book, ledger: Ledger, records: list[dict[str, Any]], unit: str, place: str, day: dt.date
) -> Document:
    forms = ledger.print_forms
    assert forms is not None and forms.register is not None
    register = forms.register
    if register.only_paid:
        records = [v for v in records if v.get(register.amount)]
    name = ledger.field(ledger.name_field)
    specs = [
        Column("village"),
        Column(name.name, 8, register.recipient_header),
        *([Column(id_field, 19)] if (id_field := _id_field(ledger)) else []),
        Column(register.item, 16, register.item_header),
        *(column(s) for s in register.extra),
    ]
    if register.card:
        specs.append(Column(register.card, 21))
    specs.append(Column(register.amount, 12))
    table = _Table(ledger, specs, mask=True)
    table.columns.append(TableColumn(SIGNATURE_HEADER, 22))
    table.columns.append(TableColumn("领取日期", 10))
    return Document(
        form=Form.REGISTER,
        title=f"{place}{register.title}",
        unit=unit,
        day=day,
        columns=table.columns,
        rows=[[*table.row(n, v), "", ""] for n, v in enumerate(records, start=1)],
        sums=[table.sums(v) for v in records],
        count_unit="人次",
        heading=_heading(unit, day, True),
        signatures=_signers(book, "经办人"),
        row_min_mm=11.0,
        record_ids=[v[RECORD_ID] for v in records],
    )
