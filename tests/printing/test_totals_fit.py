"""The 本页小计 and 合计 rows of every printed table keep their whole text: a count of a
million records (共1000000户) and money totals up to 999,999,999.99 are never cut off."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtGui import QPdfWriter

from hebi_desktop.domain.printing import Form
from hebi_desktop.domain.registry import all_ledgers
from hebi_desktop.printing.content import Document, PrintRequest, build_document
from hebi_desktop.printing.pdf import write_pdf
from hebi_desktop.printing.render import Renderer, set_up_page
from hebi_desktop.services.book import Book
from tests.printing.pdf_text import pages

pytestmark = pytest.mark.usefixtures("qapp")

COUNT = 1_000_000  # the most rows a form is made for
MONEY = Decimal("999999999.99")  # just under 1 亿 元
PEOPLE = Decimal(9_999_999)

TABLES = [
    (ledger.key, form)
    for ledger in all_ledgers()
    for form in (Form.ROSTER, Form.NOTICE, Form.REGISTER)
    if ledger.print_forms is not None and ledger.print_forms.has(form)
]


class _Counted(Document):
    """A form of a few real rows that counts itself as a million (building a million rows
    would take minutes); the sums are those of a very large ledger."""

    @property
    def count_label(self) -> str:
        return f"共{COUNT}{self.count_unit}"


def _huge(book: Book, key: str, form: Form) -> _Counted:
    document = build_document(book, PrintRequest(key, form, all_places=True))
    fields = {f.name: getattr(document, f.name) for f in dataclasses.fields(document)}
    huge = _Counted(**fields)
    big = [MONEY if huge.columns[i].money else PEOPLE for i in huge.summed_indexes]
    zero = [Decimal(0)] * len(big)
    huge.sums = [big, *([zero] * (len(huge.rows) - 1))]  # the first page holds it all
    return huge


@pytest.mark.parametrize(("key", "form"), TABLES, ids=[f"{k}-{f}" for k, f in TABLES])
@pytest.mark.parametrize("landscape", [True, False], ids=["landscape", "portrait"])
def test_the_sum_rows_fit_their_cells(
    filled: Book, tmp_path: Path, key: str, form: Form, landscape: bool
) -> None:
    document = _huge(filled, key, form)
    writer = QPdfWriter(str(tmp_path / "measure.pdf"))
    set_up_page(writer, "A4", landscape)
    renderer = Renderer(document, writer)
    totals = dict(zip(document.summed_indexes, document.grand_totals(), strict=True))
    count = document.count_label
    shown = []
    for group in renderer.groups:
        for rect, _align, text in renderer.sum_cells(group, 0.0, totals, "合计", count):
            # Measured with the bold font the row is painted in, on the PDF's own device.
            needed = renderer.bold_metrics.horizontalAdvance(text)
            assert needed <= rect.width(), f"“{text}” needs {needed:.0f}, has {rect.width():.0f}"
            shown.append(text)
    assert count in shown
    if any(c.money for c in document.columns):
        assert "999,999,999.99" in shown


@pytest.mark.parametrize(("key", "form"), TABLES[:1], ids=[f"{k}-{f}" for k, f in TABLES[:1]])
def test_the_printed_totals_read_back_whole(
    filled: Book, tmp_path: Path, key: str, form: Form
) -> None:
    document = _huge(filled, key, form)
    target = tmp_path / "花名册.pdf"
    write_pdf(filled, PrintRequest(key, form, all_places=True), target, document=document)
    last = pages(target)[-1]
    assert f"合计{document.count_label}" in last
    assert "999,999,999.99" in last
