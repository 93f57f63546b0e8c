"""The ledger page: table, search and filters, new/edit/delete/restore, drafts after a crash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.drafts import DraftService
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.ui.screens.ledger_page import LedgerPage
from tests import samples
from tests.photo_files import write_photo
from tests.ui.ledger_helpers import Button, choose, fill, retype, type_text

LEFT = Qt.MouseButton.LeftButton


def make_page(qtbot, book: Book, key: str) -> LedgerPage:
    page = LedgerPage(book, get_ledger(key))
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    return page


def add_households(book: Book) -> list[int]:
    """Three checks in two townships; the third is a D house not renovated (flagged)."""
    service = book.records("housing")
    rows = [
        samples.housing(),
        samples.housing(
            head_name="李桂兰",
            id_number=resident_id.make("410622", dt.date(1948, 1, 2), 12),
            check_date=dt.date(2023, 4, 1),
            safety_grade="A级",
            in_renovation=False,
            renovation_method=None,
            renovation_progress=None,
            completion_date=None,
        ),
        samples.housing(
            head_name="王建国",
            id_number=resident_id.make("410621", dt.date(1960, 7, 9), 77),
            county_code="410621",
            township_code="410621101",
            village="善堂村",
            safety_grade="D级",
            in_renovation=False,
            renovation_method=None,
            renovation_progress=None,
            completion_date=None,
        ),
    ]
    return [service.create(values).record.id for values in rows]


def shown_names(page: LedgerPage) -> list[str]:
    model = page.model
    return [model.display_text(row, "head_name") for row in range(model.rowCount())]


def test_a_record_entered_from_the_page_is_saved_and_found(qtbot, book: Book, messages) -> None:
    page = make_page(qtbot, book, "housing")
    assert page.count_label.text() == "共 0 条"
    qtbot.mouseClick(page.new_button, LEFT)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible() and dialog.is_new
    fill(
        qtbot,
        dialog.form,
        {
            "village": "王庄村",
            "head_name": "张秀英",
            "id_number": samples.HOUSEHOLD_HEAD_ID,
            "check_date": "2024-05-09",
            "checker": "李建国",
            "safety_grade": "B级",
            "in_renovation": "否",
        },
    )
    with qtbot.waitSignal(page.records_changed, timeout=1000):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert page.count_label.text() == "共 1 条"
    assert shown_names(page) == ["张秀英"]
    assert page.selected_ids() == book.records("housing").ids()  # the new row is selected

    type_text(qtbot, page.search_edit, "秀英")
    qtbot.waitUntil(lambda: page.count_label.text() == "符合条件 1 条（共 1 条）")
    retype(qtbot, page.search_edit, "李")
    qtbot.waitUntil(lambda: page.count_label.text() == "符合条件 0 条（共 1 条）")


def test_search_waits_for_the_typist_and_matches_names_and_id_numbers(
    qtbot, book: Book, messages
) -> None:
    add_households(book)
    page = make_page(qtbot, book, "housing")
    assert page.count_label.text() == "共 3 条"
    assert set(shown_names(page)) == {"张秀英", "李桂兰", "王建国"}

    type_text(qtbot, page.search_edit, "李桂")
    assert page.count_label.text() == "共 3 条"  # debounced: not on every key press
    qtbot.waitUntil(lambda: page.count_label.text() == "符合条件 1 条（共 3 条）")
    assert shown_names(page) == ["李桂兰"]

    retype(qtbot, page.search_edit, "19560308")  # part of an ID number
    qtbot.waitUntil(lambda: shown_names(page) == ["张秀英"])

    retype(qtbot, page.search_edit, "")
    qtbot.waitUntil(lambda: page.count_label.text() == "共 3 条")


def test_filters_narrow_the_count(qtbot, book: Book, messages, tmp_path: Path) -> None:
    add_households(book)
    page = make_page(qtbot, book, "housing")

    choose(qtbot, page.township_filter, "北阳镇")
    assert page.count_label.text() == "符合条件 2 条（共 3 条）"
    choose(qtbot, page.status_filters["safety_grade"], "A级")
    assert shown_names(page) == ["李桂兰"]
    choose(qtbot, page.status_filters["safety_grade"], "安全等级：全部")

    type_text(qtbot, page.date_from_edit, "2024-01-01")
    qtbot.waitUntil(lambda: page.count_label.text() == "符合条件 1 条（共 3 条）")
    assert shown_names(page) == ["张秀英"]

    qtbot.mouseClick(page.clear_filters_button, LEFT)
    assert page.count_label.text() == "共 3 条"
    assert page.date_from_edit.text() == ""

    type_text(qtbot, page.village_filter, "善堂村")
    qtbot.waitUntil(lambda: shown_names(page) == ["王建国"])
    retype(qtbot, page.village_filter, "")
    qtbot.waitUntil(lambda: page.count_label.text() == "共 3 条")

    page.flagged_filter.click()
    # 张秀英's finished C-grade house has neither an 改造后 photo nor a 鉴定表: a 提醒 too.
    assert set(shown_names(page)) == {"王建国", "张秀英"}
    zhang = next(
        r for r in page.model.ids if book.records("housing").get(r).values["head_name"] == "张秀英"
    )
    for kind in ("改造后", "鉴定表"):
        book.attachments("housing").attach(zhang, write_photo(tmp_path / f"{kind}.jpg"), kind)
    page.refresh()
    assert shown_names(page) == ["王建国"]
    flagged = page.model.index(0, 0)
    assert "未纳入改造" in page.model.data(flagged, Qt.ItemDataRole.ToolTipRole)
    assert page.model.data(flagged, Qt.ItemDataRole.DecorationRole) is not None


def test_a_compact_filter_bar_hides_filters_but_names_every_one_that_is_on(
    qtbot, book: Book, messages
) -> None:
    """On a short screen the filters wait behind 更多筛选; one that is on stays named."""
    add_households(book)
    page = make_page(qtbot, book, "housing")
    bar = page.filter_bar
    page.set_compact(True)
    assert bar.more_button.isVisible() and not page.township_filter.isVisible()
    assert not bar.summary_label.isVisible() and not page.clear_filters_button.isVisible()
    assert not bar.isVisible()  # no empty row above the table
    assert page.search_edit.isVisible()

    qtbot.mouseClick(bar.more_button, LEFT)
    assert page.township_filter.isVisible() and page.flagged_filter.isVisible()
    assert bar.more_button.text() == "收起筛选" and not page.clear_filters_button.isVisible()
    choose(qtbot, page.township_filter, "北阳镇")
    assert page.clear_filters_button.isVisible()
    qtbot.mouseClick(page.flagged_filter, LEFT)
    type_text(qtbot, page.date_from_edit, "2024-01-01")
    qtbot.waitUntil(lambda: page.count_label.text() == "符合条件 1 条（共 3 条）")
    qtbot.mouseClick(bar.more_button, LEFT)  # folded away again
    assert not page.township_filter.isVisible()
    assert bar.more_button.text() == "更多筛选（3）"
    assert bar.summary_label.isVisible()
    assert bar.summary_label.text() == (
        "已筛选：乡镇：北阳镇，排查日期：2024-01-01至不限，只看待核实"
    )
    assert page.clear_filters_button.isVisible()
    assert shown_names(page) == ["张秀英"]  # the folded filters still apply

    qtbot.mouseClick(page.clear_filters_button, LEFT)
    assert page.count_label.text() == "共 3 条"
    assert bar.more_button.text() == "更多筛选"
    assert not bar.summary_label.isVisible() and not page.clear_filters_button.isVisible()

    # Opened pre-filtered (from the overview): the summary says so at once.
    page.show_query(RecordQuery(status={"safety_grade": "D级"}), "D级危房")
    assert "安全等级：D级" in bar.summary_label.text()
    page.set_compact(False)  # a tall screen: every filter in view, no summary needed
    assert page.township_filter.isVisible() and not bar.more_button.isVisible()
    assert not bar.summary_label.isVisible()


def test_delete_undo_and_restore_change_table_and_database(qtbot, book: Book, messages) -> None:
    first, second, _third = add_households(book)
    service = book.records("housing")
    page = make_page(qtbot, book, "housing")
    changes: list[int] = []
    page.records_changed.connect(lambda: changes.append(1))

    assert page.select_record(second)
    messages.answer = Button.No
    qtbot.mouseClick(page.delete_button, LEFT)
    assert "李桂兰" in messages.texts("question")[-1]
    assert page.count_label.text() == "共 3 条" and not service.get(second).deleted

    messages.answer = Button.Yes
    qtbot.mouseClick(page.delete_button, LEFT)
    assert page.count_label.text() == "共 2 条"
    assert "李桂兰" not in shown_names(page)
    assert service.get(second).deleted
    assert page.undo_button.isVisible() and "已删除 1 条" in page.status_label.text()
    assert changes == [1]

    qtbot.mouseClick(page.undo_button, LEFT)  # 撤销删除
    assert page.count_label.text() == "共 3 条"
    assert not service.get(second).deleted
    assert page.selected_ids() == [second]
    assert not page.undo_button.isVisible()
    assert changes == [1, 1]

    page.select_record(first)
    page.delete_selected()
    page.deleted_toggle.click()  # the bin
    assert page.count_label.text() == "已删除记录 1 条"
    assert shown_names(page) == ["张秀英"]
    assert page.restore_button.isVisible() and not page.new_button.isEnabled()
    page.select_record(first)
    qtbot.mouseClick(page.restore_button, LEFT)
    assert page.count_label.text() == "已删除记录 0 条"
    assert not service.get(first).deleted
    page.deleted_toggle.click()
    assert page.count_label.text() == "共 3 条"


def test_restoring_over_a_newer_equal_record_is_refused_in_chinese(
    qtbot, book: Book, messages
) -> None:
    service = book.records("water")
    old = service.create(samples.water()).record
    service.delete(old.id)
    service.create(samples.water())  # entered again meanwhile
    page = make_page(qtbot, book, "water")
    page.deleted_toggle.click()
    page.select_record(old.id)
    assert page.restore_selected() == 0
    (text,) = messages.texts("warning")
    assert text.startswith("重复记录")
    assert service.get(old.id).deleted


def test_opened_from_the_overview_with_a_watch(qtbot, book: Book, messages) -> None:
    add_households(book)
    ledger = get_ledger("housing")
    page = make_page(qtbot, book, "housing")
    watch = ledger.watches[0]  # C/D级未纳入改造
    page.show_query(RecordQuery(conditions=watch.conditions), watch.label)
    assert shown_names(page) == ["王建国"]
    assert page.count_label.text() == "符合条件 1 条（共 3 条）"
    assert page.query_label.text() == f"当前显示：{watch.label}"
    assert page.show_all_button.isVisible()

    page.show_query(RecordQuery(flagged=True, township_code="410621101"), "待核实")
    assert page.flagged_filter.isChecked()
    assert page.township_filter.currentData() == "410621101"
    assert shown_names(page) == ["王建国"]

    qtbot.mouseClick(page.show_all_button, LEFT)
    assert page.count_label.text() == "共 3 条"
    assert not page.flagged_filter.isChecked() and not page.show_all_button.isVisible()


def test_enter_on_a_row_opens_the_record_and_an_edit_refreshes_the_row(
    qtbot, book: Book, messages
) -> None:
    first, *_ = add_households(book)
    page = make_page(qtbot, book, "housing")
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.select_record(first)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.dialog
    assert dialog is not None and dialog.record_id == first
    assert dialog.form.editors["head_name"].value() == "张秀英"
    fill(qtbot, dialog.form, {"head_name": "张秀兰"})
    with qtbot.waitSignal(page.records_changed, timeout=1000):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert "张秀兰" in shown_names(page)
    assert book.records("housing").get(first).values["head_name"] == "张秀兰"


def test_double_click_opens_the_record(qtbot, book: Book) -> None:
    _first, second, _third = add_households(book)
    page = make_page(qtbot, book, "housing")
    row = page.model.row_of(second)
    rect = page.table.visualRect(page.model.index(row, 3))
    # A real double click is press, release, double-click, release.
    qtbot.mouseClick(page.table.viewport(), LEFT, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), LEFT, pos=rect.center())
    assert page.dialog is not None and page.dialog.record_id == second


def test_big_ledger_opens_lazily_and_sorts_by_header_click(qtbot, book: Book) -> None:
    fill_demo(book, 2000, city_wide=True)
    page = make_page(qtbot, book, "water")
    assert page.count_label.text() == "共 2000 条"
    page.table.scrollToBottom()
    qtbot.wait(10)
    assert page.model.fetch_count <= 3  # the first screen and the last, not 2,000 rows
    header = page.table.horizontalHeader()
    column = page.model.column_of("report_date")
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, header.height() // 2))
    assert page.model.query.sort == "report_date"
    dates = [page.model.display_text(r, "report_date") for r in range(0, 2000, 199)]
    assert dates == sorted(dates) or dates == sorted(dates, reverse=True)
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, header.height() // 2))
    again = [page.model.display_text(r, "report_date") for r in range(0, 2000, 199)]
    assert again == list(reversed(sorted(again))) or again == sorted(again)
    assert again != dates


def test_draft_survives_a_crash_and_is_offered_back(qtbot, book: Book, messages) -> None:
    page = make_page(qtbot, book, "education")
    dialog = page.new_record()
    assert dialog is not None
    fill(
        qtbot,
        dialog.form,
        {"village": "石佛寺村", "student_name": "刘子涵", "id_number": "41062120120915"},
    )
    drafts = DraftService(book)
    qtbot.waitUntil(lambda: len(drafts.list("education")) == 1, timeout=5000)
    # The power goes: the dialog and page vanish without Save or Cancel.
    shiboken6.delete(dialog)
    shiboken6.delete(page)
    assert len(drafts.list("education")) == 1

    other = make_page(qtbot, book, "housing")
    assert other.pending_drafts() == []  # drafts belong to their own ledger
    assert other.offer_drafts() == []

    again = make_page(qtbot, book, "education")
    assert len(again.pending_drafts()) == 1
    (restored,) = again.offer_drafts()
    question = messages.texts("question")[-1]
    assert "未保存" in question and "刘子涵" in question
    form = restored.form
    assert form.editors["student_name"].value() == "刘子涵"
    assert form.editors["village"].value() == "石佛寺村"
    assert form.editors["id_number"].value() == "41062120120915"
    assert "应为18位" in form.editors["id_number"].message()  # half-typed, as it was left
    assert form.editors["township_code"].value() == "410622102"

    fill(
        qtbot,
        form,
        {
            "id_number": samples.STUDENT_ID,
            "school": "北阳镇第一初级中学",
            "stage": "初中",
            "aid_project": "义务教育生活补助",
            "school_year": "2024-2025",
            "semester": "秋季学期",
            "amount": "625",
        },
    )
    with qtbot.waitSignal(again.records_changed, timeout=1000):
        qtbot.mouseClick(restored.save_button, LEFT)
    assert drafts.list() == []
    assert again.count_label.text() == "共 1 条"


def test_declined_draft_is_discarded(qtbot, book: Book, messages) -> None:
    record = book.records("water").create(samples.water()).record
    DraftService(book).save("water", record.id, {"problem": "水泵损坏"}, base_version=1)
    page = make_page(qtbot, book, "water")
    messages.answer = Button.No
    assert page.offer_drafts() == []
    assert "对记录编号" in messages.texts("question")[-1]
    assert page.pending_drafts() == []


def test_draft_of_an_edit_reopens_the_record_with_the_typed_change(
    qtbot, book: Book, messages
) -> None:
    record = book.records("water").create(samples.water()).record
    values = {"problem": "水泵损坏", "investment": "800.5"}
    DraftService(book).save("water", record.id, values, base_version=record.version)
    book.records("water").update(record.id, samples.water(acceptor="孙丽"), record.version)
    page = make_page(qtbot, book, "water")
    (dialog,) = page.offer_drafts()
    assert dialog.record_id == record.id
    assert dialog.form.editors["problem"].value() == "水泵损坏"
    assert dialog.form.editors["acceptor"].value() == "孙丽"  # the rest as stored now
    assert "又被修改过" in dialog.banner_label.text()
    qtbot.mouseClick(dialog.save_button, LEFT)
    stored = book.records("water").get(record.id).values
    assert stored["problem"] == "水泵损坏" and str(stored["investment"]) == "800.50"
    assert stored["acceptor"] == "孙丽"
