"""Every printed form of every ledger, rendered to PDF and read back as a clerk reads it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Kind
from hebi_desktop.domain.printing import Column, Form, PrintForms
from hebi_desktop.domain.queries import Aggregate
from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.printing.content import PrintRequest, add_working_days, notice_period
from hebi_desktop.printing.pdf import write_pdf
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from tests.printing.conftest import ROWS
from tests.printing.pdf_text import ID_PATTERN, PHONE_PATTERN, page_size_mm, pages

pytestmark = pytest.mark.usefixtures("qapp")

UNIT = "淇县北阳镇人民政府"
SIGNERS = ("审核人：李建国", "单位负责人（签字）：赵志强", "单位（盖章）")

FORMS = [
    (ledger.key, form)
    for ledger in all_ledgers()
    for form in Form
    # The archive (一户一档) is a page per record, not a table: tests/printing/test_archive_form.py
    if ledger.print_forms is not None and ledger.print_forms.has(form) and form is not Form.ARCHIVE
]


def _print(book: Book, folder: Path, key: str, form: Form, **options: object) -> list[str]:
    """The form of the whole sample database (spread over the city) unless told otherwise."""
    options.setdefault("all_places", True)
    target = folder / f"{key}-{form}.pdf"
    result = write_pdf(book, PrintRequest(key, form, **options), target)  # type: ignore[arg-type]
    texts = pages(target)
    assert result.pages == len(texts)
    return texts


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"  # 16,645,916.00: thousands separators, as reports print money


def _wan(value: Decimal) -> Decimal:
    return (value / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_every_ledger_declares_its_forms() -> None:
    assert {key for key, _form in FORMS} == {ledger.key for ledger in all_ledgers()}
    assert ("education", Form.REGISTER) in FORMS
    assert ("housing", Form.REGISTER) in FORMS
    assert ("water", Form.REGISTER) not in FORMS


@pytest.mark.parametrize(("key", "form"), FORMS, ids=[f"{k}-{f}" for k, f in FORMS])
def test_form_heading_pages_and_signatures(
    filled: Book, out_dir: Path, key: str, form: Form
) -> None:
    texts = _print(filled, out_dir, key, form)
    total = len(texts)
    assert total > 1, "the sample data should fill several pages"
    ledger = get_ledger(key)
    for number, text in enumerate(texts, start=1):
        assert f"第{number}页共{total}页" in text
        assert UNIT in text
        assert "2" in text and "年" in text  # the date line
        if form is Form.NOTICE:
            assert "公示单位" in text
        else:
            assert "填报单位" in text and "填报日期" in text
            assert ("经办人：王丽" if form is Form.REGISTER else "填表人：王丽") in text
            for signer in SIGNERS:
                assert signer in text
    first = texts[0]
    if form is Form.ROSTER:
        assert f"鹤壁市{ledger.title}花名册" in first  # the rows' place, not the desk's
    elif form is Form.NOTICE:
        assert "公示名单" in first
    else:
        assert ledger.print_forms and ledger.print_forms.register
        assert f"鹤壁市{ledger.print_forms.register.title}" in first
        assert "领取人签字（按手印）" in first


@pytest.mark.parametrize(("key", "form"), FORMS, ids=[f"{k}-{f}" for k, f in FORMS])
def test_totals_equal_stats(filled: Book, out_dir: Path, key: str, form: Form) -> None:
    ledger = get_ledger(key)
    texts = _print(filled, out_dir, key, form)
    last = texts[-1]
    headline = filled.stats.headline(ledger, RecordQuery())
    total_row = last[last.index("合计") :]
    for measure in ledger.measures:
        plain_count = measure.aggregate is Aggregate.COUNT and not measure.conditions
        if plain_count and form is not Form.REGISTER:
            count = int(headline.value(measure.key))
            assert count == ROWS
            assert total_row.startswith(f"合计共{count}")
        if measure.aggregate is not Aggregate.SUM:
            continue
        columns = [c.field for c in _columns(ledger, form)]
        if measure.field not in columns:
            continue
        field = ledger.field(measure.field)
        sums = filled.records(ledger).sums(RecordQuery())
        if field.kind is Kind.MONEY:
            printed = _money(sums[measure.field])
            assert printed in total_row
            assert _wan(Decimal(printed.replace(",", ""))) == headline.value(measure.key)
        else:
            items = filled.records(ledger).iter_items(RecordQuery())
            exact = sum(values[measure.field] or 0 for _id, values in items)
            assert str(exact) in total_row
            assert _wan(Decimal(exact)) == headline.value(measure.key)


def _columns(ledger, form: Form) -> list[Column]:  # type: ignore[no-untyped-def]
    forms = ledger.print_forms
    if form is Form.REGISTER:
        return [Column(forms.register.amount)]
    return list(forms.columns(form))


def test_page_subtotals_add_up_to_the_total(filled: Book, out_dir: Path) -> None:
    texts = _print(filled, out_dir, "housing", Form.ROSTER)
    subtotals = [
        Decimal(re.search(r"本页小计\d+条([\d.,]+)", t).group(1).replace(",", ""))  # type: ignore[union-attr]
        for t in texts
    ]
    counts = [int(re.search(r"本页小计(\d+)条", t).group(1)) for t in texts]  # type: ignore[union-attr]
    assert sum(counts) == ROWS
    total = filled.records("housing").sums(RecordQuery())["subsidy_amount"]
    assert sum(subtotals) == total


@pytest.mark.parametrize("key", [k for k, f in FORMS if f is Form.NOTICE])
def test_notice_posts_nothing_private(filled: Book, out_dir: Path, key: str) -> None:
    ledger = get_ledger(key)
    text = "".join(_print(filled, out_dir, key, Form.NOTICE))
    assert not ID_PATTERN.search(text)
    posted = text.replace("监督电话：0392-7221234", "")
    assert not PHONE_PATTERN.search(posted)
    for word in ("电话", "地址", "住址", "出生"):
        assert word not in posted
    records = [v for _id, v in filled.records(ledger).iter_items(RecordQuery())]
    for values in records:
        for name in ("address", "phone", "guardian_phone", "caretaker_phone"):
            if values.get(name):
                assert values[name] not in text
        if values.get("birth_date"):
            assert values["birth_date"].isoformat() not in text
    assert "公示期" in text and "监督电话：0392-7221234" in text
    if ledger.print_forms and ledger.print_forms.notice_ids == "omitted":
        assert "********" not in text


def test_notice_period_defaults_to_five_working_days(filled: Book, out_dir: Path) -> None:
    wednesday = dt.date(2026, 12, 2)
    texts = _print(filled, out_dir, "education", Form.NOTICE, day=wednesday)
    assert "公示期：2026年12月2日至2026年12月8日" in texts[0]
    chosen = _print(
        filled,
        out_dir,
        "education",
        Form.NOTICE,
        notice_from=dt.date(2026, 12, 7),
        notice_to=dt.date(2026, 12, 18),
    )
    assert "公示期：2026年12月7日至2026年12月18日" in chosen[0]


def test_working_days_skip_weekends() -> None:
    assert add_working_days(dt.date(2026, 12, 2), 5) == dt.date(2026, 12, 8)  # Wed → Tue
    assert add_working_days(dt.date(2026, 12, 4), 5) == dt.date(2026, 12, 10)  # Fri → Thu
    assert notice_period(dt.date(2026, 12, 5)) == (dt.date(2026, 12, 7), dt.date(2026, 12, 11))


def test_notice_is_sorted_by_village_then_name_in_pinyin(filled: Book, out_dir: Path) -> None:
    from hebi_desktop.domain.pinyin import sort_key

    texts = _print(filled, out_dir, "housing", Form.NOTICE)
    records = [v for _id, v in filled.records("housing").iter_items(RecordQuery())]
    expected = sorted(records, key=lambda v: (sort_key(v["village"]), sort_key(v["head_name"])))
    text = "".join(texts)
    positions = [text.index(f"{v['village']}{v['head_name']}") for v in expected[:15]]
    assert positions == sorted(positions)


def test_register_masks_ids_and_lists_only_payments(filled: Book, out_dir: Path) -> None:
    text = "".join(_print(filled, out_dir, "housing", Form.REGISTER))
    assert not ID_PATTERN.search(text)
    assert re.search(r"\d{6}\*{8}\d{3}[\dX]", text)
    paid = [
        v for _id, v in filled.records("housing").iter_items(RecordQuery()) if v["subsidy_amount"]
    ]
    assert f"合计共{len(paid)}人次" in text


def test_filters_reach_the_form(filled: Book, out_dir: Path) -> None:
    records = [v for _id, v in filled.records("water").iter_items(RecordQuery())]
    village, township = records[0]["village"], records[0]["township_code"]
    wanted = sum(1 for v in records if (v["village"], v["township_code"]) == (village, township))
    query = RecordQuery(township_code=township, village=village)
    texts = _print(filled, out_dir, "water", Form.ROSTER, query=query)
    assert f"合计共{wanted}处" in texts[-1]
    place = divisions().name(township)
    assert f"{place}{village}农村供水工程维修养护台账花名册" in texts[0]


def test_a3_paper_and_spilled_columns_repeat_the_key_columns(filled: Book, out_dir: Path) -> None:
    target = out_dir / "a3.pdf"
    write_pdf(filled, PrintRequest("housing", Form.ROSTER, paper="A3"), target)
    assert page_size_mm(target) == pytest.approx((420, 297), abs=1)

    portrait = _print(filled, out_dir, "housing", Form.ROSTER, landscape=False)
    landscape = _print(filled, out_dir, "housing", Form.ROSTER)
    assert len(portrait) > len(landscape)
    for text in portrait:  # every page names its rows
        assert "序号" in text and "户主姓名" in text and "身份证号" in text
    assert any("补助金额" not in t for t in portrait)  # the columns really spilled


def test_declarations_refuse_private_notice_columns() -> None:
    housing = get_ledger("housing")
    assert housing.print_forms is not None
    for private in ("phone", "address", "id_number"):
        forms = dataclasses.replace(
            housing.print_forms, notice=(*housing.print_forms.notice, private)
        )
        with pytest.raises(ValueError, match=private):
            dataclasses.replace(housing, print_forms=forms)
    education = get_ledger("education")
    with pytest.raises(ValueError, match="birth_date"):
        dataclasses.replace(
            education, print_forms=PrintForms(roster=(), notice=("student_name", "birth_date"))
        )


def test_a_declared_card_column_is_printed_on_the_register(
    filled: Book, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hebi_desktop.domain import registry

    education = get_ledger("education")
    assert education.print_forms is not None and education.print_forms.register is not None
    register = dataclasses.replace(education.print_forms.register, card="guardian_phone")
    forms = dataclasses.replace(education.print_forms, register=register)
    with_card = dataclasses.replace(education, print_forms=forms)
    monkeypatch.setattr(registry, "get_ledger", lambda key: with_card)
    text = "".join(_print(filled, out_dir, "education", Form.REGISTER))
    phones = [
        v["guardian_phone"]
        for _id, v in filled.records("education").iter_items(RecordQuery())
        if v["guardian_phone"]
    ]
    assert phones and phones[0] in text
    assert "领取人签字（按手印）" in text
