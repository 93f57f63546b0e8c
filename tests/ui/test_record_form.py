"""The record form, driven through its widgets the way a clerk types."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.fields import Level
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.services.drafts import DraftService
from hebi_desktop.ui.dialogs.record_form import RecordDialog
from tests import samples
from tests.ui.ledger_helpers import Button, fill, retype

HOUSING = get_ledger("housing")
WATER = get_ledger("water")
EDUCATION = get_ledger("education")
LEFT = Qt.MouseButton.LeftButton


def open_dialog(qtbot, book: Book, ledger, record_id: int | None = None, **kwargs) -> RecordDialog:
    dialog = RecordDialog(book, ledger, record_id, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()  # shortcuts (Ctrl+S) and focus work in the active window
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("1" if number[17] != "1" else "2")


def test_housing_record_typed_checked_corrected_and_saved(qtbot, book: Book, messages) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    form = dialog.form
    # The place comes from the settings: 淇县 北阳镇.
    assert form.editors["county_code"].input.currentText() == "淇县"
    assert form.editors["township_code"].input.currentText() == "北阳镇"
    assert not dialog.save_button.isEnabled()
    assert "户主姓名" in form.summary_label.text()  # still to fill in
    assert form.labels["head_name"].text().endswith("*</span>")  # required mark
    assert not form.labels["phone"].text().endswith("</span>")

    fill(qtbot, form, {"village": "王庄村", "head_name": "张秀英"})
    number = samples.HOUSEHOLD_HEAD_ID
    fill(qtbot, form, {"id_number": wrong_check_digit(number)})
    id_editor = form.editors["id_number"]
    assert id_editor.message().startswith("身份证号：")
    assert "校验位" in id_editor.message()
    assert id_editor.level is Level.ERROR and id_editor.message_label.isVisible()
    assert "border" in id_editor.input.styleSheet()
    assert form.id_info() == ""

    fill(qtbot, form, {"id_number": number})
    assert id_editor.message() == "" and not id_editor.message_label.isVisible()
    age = resident_id.age_on(number, dt.date.today())
    assert form.id_info() == f"男，1956-03-08出生，{age}岁"

    fill(qtbot, form, {"phone": "1380392", "household_size": "3"})
    assert "电话号码" in form.editors["phone"].message()
    fill(qtbot, form, {"phone": "13803921234", "check_date": "2024年5月9日"})
    assert form.editors["phone"].message() == ""
    assert form.editors["check_date"].message() == ""  # the usual Chinese way of writing it
    fill(qtbot, form, {"checker": "李建国", "safety_grade": "B级", "in_renovation": "否"})
    assert not form.editors["renovation_method"].isEnabled()
    assert form.errors == [] and form.warnings == []
    assert dialog.save_button.isEnabled()

    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert messages.shown == []
    (record,) = book.records("housing").list()
    assert record.values["head_name"] == "张秀英"
    assert record.values["id_number"] == number
    assert record.values["check_date"] == dt.date(2024, 5, 9)
    assert record.values["household_size"] == 3
    assert record.values["in_renovation"] is False
    assert record.values["township_code"] == "410622102"
    assert record.values["village"] == "王庄村"
    assert not record.flagged


def test_a_number_typed_too_large_is_refused_inline(qtbot, book: Book) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    form = dialog.form
    fill(qtbot, form, {"household_size": "31"})
    assert form.editors["household_size"].message() == "家庭人口：应不大于30（现为31）"
    fill(qtbot, form, {"household_size": "30"})
    assert form.editors["household_size"].message() == ""
    letters = form.editors["household_size"].input
    qtbot.keyClicks(letters, "ab")  # the input refuses what can never be a number
    assert letters.text() == "30"


def test_emptied_required_field_says_so(qtbot, book: Book) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    form = dialog.form
    assert form.editors["head_name"].message() == ""  # not visited yet: no red at start
    fill(qtbot, form, {"head_name": "张"})
    fill(qtbot, form, {"head_name": ""})
    assert form.editors["head_name"].message() == "户主姓名：必填，不能为空"


def test_renovation_fields_only_apply_when_taken_into_renovation(qtbot, book: Book) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    form = dialog.form
    conditional = ("renovation_method", "renovation_progress", "completion_date")
    assert not any(form.editors[n].isEnabled() for n in conditional)
    assert not form.editors["closed_date"].isEnabled()

    fill(qtbot, form, {"check_date": "2024-05-09", "in_renovation": "是"})
    assert all(form.editors[n].isEnabled() for n in conditional)
    fill(qtbot, form, {"renovation_method": "拆除重建", "renovation_progress": "已竣工"})
    assert "必须填写竣工日期" in form.editors["completion_date"].message()
    fill(qtbot, form, {"completion_date": "2024-05-01"})
    assert "不能早于排查日期" in form.editors["completion_date"].message()
    fill(qtbot, form, {"completion_date": "2024-09-01"})
    assert form.editors["completion_date"].message() == ""

    fill(qtbot, form, {"in_renovation": "否"})
    for name in conditional:
        assert not form.editors[name].isEnabled()
        assert form.editors[name].value() is None  # cleared, not kept hidden

    fill(qtbot, form, {"closed": "是"})
    assert form.editors["closed_date"].isEnabled()


def test_warning_is_shown_in_orange_and_confirmed_on_save(qtbot, book: Book, messages) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    form = dialog.form
    fill(
        qtbot,
        form,
        {
            "village": "王庄村",
            "head_name": "张秀英",
            "id_number": samples.HOUSEHOLD_HEAD_ID,
            "check_date": "2024-05-09",
            "checker": "李建国",
            "safety_grade": "D级",
            "in_renovation": "否",
        },
    )
    editor = form.editors["in_renovation"]
    assert editor.level is Level.WARNING and "未纳入改造" in editor.message()
    assert dialog.save_button.isEnabled()

    messages.answer = Button.No
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible() and book.records("housing").count() == 0
    assert "未纳入改造" in messages.texts("question")[-1]

    messages.answer = Button.Yes
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    (record,) = book.records("housing").list()
    assert record.flagged and "未纳入改造" in record.warnings[0]


def test_duplicate_key_is_reported_before_saving(qtbot, book: Book, messages) -> None:
    book.records("housing").create(samples.housing())
    dialog = open_dialog(qtbot, book, HOUSING)
    form = dialog.form
    fill(
        qtbot,
        form,
        {
            "village": "王庄村",
            "head_name": "张秀英",
            "id_number": samples.HOUSEHOLD_HEAD_ID,
            "checker": "李建国",
            "safety_grade": "A级",
            "in_renovation": "否",
        },
    )
    assert form.editors["id_number"].message() == ""
    fill(qtbot, form, {"check_date": "2024-05-09"})  # now the key is complete
    assert "重复记录" in form.editors["id_number"].message()
    assert "重复记录" in form.summary_label.text()
    assert not dialog.save_button.isEnabled()
    fill(qtbot, form, {"check_date": "2024-06-09"})
    assert form.editors["id_number"].message() == ""
    assert dialog.save_button.isEnabled()


def test_duplicate_entered_elsewhere_meanwhile_is_a_plain_message(
    qtbot, book: Book, messages
) -> None:
    dialog = open_dialog(qtbot, book, WATER)
    form = dialog.form
    fill(
        qtbot,
        form,
        {
            "village": "王庄村",
            "project_name": "王庄村供水站",
            "problem": "主管道破裂漏水",
            "report_date": "2024-03-02",
            "progress": "维修中",
        },
    )
    assert dialog.save_button.isEnabled()
    book.records("water").create(samples.water())  # another clerk was quicker
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible()
    (text,) = messages.texts("warning")
    assert text.startswith("重复记录") and "Traceback" not in text
    assert book.records("water").count() == 1


def test_water_record_with_its_progress_rules(qtbot, book: Book, messages) -> None:
    dialog = open_dialog(qtbot, book, WATER)
    form = dialog.form
    fill(
        qtbot,
        form,
        {
            "village": "王庄村",
            "project_name": "王庄村供水站",
            "project_type": "千人供水工程",
            "problem": "主管道破裂漏水",
            "report_date": "2024-03-02",
            "investment": "23500.5",
            "start_date": "2024-03-01",
        },
    )
    assert "不能早于报修日期" in form.editors["start_date"].message()
    fill(qtbot, form, {"start_date": "2024-03-05", "progress": "已验收"})
    assert "必须填写完工日期" in form.editors["finish_date"].message()
    assert "验收日期" in form.editors["acceptance_date"].message()
    assert "验收人" in form.editors["acceptor"].message()
    assert not dialog.save_button.isEnabled()
    fill(
        qtbot,
        form,
        {
            "finish_date": "2024-03-20",
            "acceptance_date": "2024-03-25",
            "acceptor": "赵志强",
            "caretaker_phone": "0392-7221234",
        },
    )
    assert form.errors == []
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S
    assert dialog.result() == QDialog.DialogCode.Accepted
    (record,) = book.records("water").list()
    assert record.values["investment"] == Decimal("23500.50")
    assert record.values["progress"] == "已验收"
    assert record.values["caretaker_phone"] == "0392-7221234"


def test_education_shows_derived_fields_and_refuses_a_second_payment(
    qtbot, book: Book, messages
) -> None:
    dialog = open_dialog(qtbot, book, EDUCATION)
    form = dialog.form
    assert not form.editors["gender"].focusPolicy() & Qt.FocusPolicy.TabFocus
    fill(qtbot, form, {"id_number": samples.STUDENT_ID})
    assert form.editors["gender"].shown() == "女"  # sequence 042: even
    assert form.editors["birth_date"].shown() == "2012-09-15"
    assert form.id_info().startswith("女，2012-09-15出生")
    values = {
        "village": "王庄村",
        "student_name": "刘子涵",
        "school": "北阳镇第一初级中学",
        "stage": "初中",
        "aid_project": "义务教育生活补助",
        "school_year": "2024-25",
        "semester": "秋季学期",
        "amount": "625",
    }
    fill(qtbot, form, values)
    assert form.errors == []
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    (record,) = book.records("education").list()
    assert record.values["school_year"] == "2024-2025"
    assert record.values["amount"] == Decimal("625.00")

    second = open_dialog(qtbot, book, EDUCATION)
    fill(qtbot, second.form, {"id_number": samples.STUDENT_ID, **values})
    assert "重复记录" in second.form.editors["id_number"].message()
    assert not second.save_button.isEnabled()
    fill(qtbot, second.form, {"stage": "小学"})  # another stage: the warning about the project
    fill(qtbot, second.form, {"semester": "春季学期"})
    assert second.form.editors["id_number"].message() == ""
    assert second.form.editors["aid_project"].level is None
    fill(qtbot, second.form, {"aid_project": "普通高中国家助学金"})
    assert second.form.editors["aid_project"].level is Level.WARNING


def test_stale_edit_is_refused_and_the_record_reloaded(qtbot, book: Book, messages) -> None:
    service = book.records("housing")
    created = service.create(samples.housing()).record
    dialog = open_dialog(qtbot, book, HOUSING, created.id)
    assert dialog.form.editors["head_name"].value() == "张秀英"
    service.update(created.id, samples.housing(checker="王五"), created.version)  # meanwhile

    fill(qtbot, dialog.form, {"head_name": "张秀兰"})
    qtbot.mouseClick(dialog.save_button, LEFT)
    conflict = dialog.conflict  # the clerk's values beside the fresh ones
    assert "已被修改" in conflict.findChild(QLabel).text()
    qtbot.mouseClick(conflict.drop_button, LEFT)  # 放弃我的修改
    assert dialog.isVisible()
    assert dialog.form.editors["checker"].value() == "王五"
    assert dialog.form.editors["head_name"].value() == "张秀英"
    assert service.get(created.id).values["head_name"] == "张秀英"

    fill(qtbot, dialog.form, {"head_name": "张秀兰"})  # now from the current version
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = service.get(created.id).values
    assert (stored["head_name"], stored["checker"]) == ("张秀兰", "王五")


def test_history_of_an_edited_record_names_the_columns(qtbot, book: Book, messages) -> None:
    service = book.records("housing")
    created = service.create(samples.housing()).record
    dialog = open_dialog(qtbot, book, HOUSING, created.id)
    fill(qtbot, dialog.form, {"head_name": "张秀兰", "subsidy_amount": "16000"})
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted

    again = open_dialog(qtbot, book, HOUSING, created.id)
    assert again.tabs.isTabEnabled(1)
    rows = again.history_view.row_texts()
    assert [row[2] for row in rows] == ["修改", "新建"]  # newest first
    assert rows[0][1] == "测试员"
    assert "户主姓名：张秀英 → 张秀兰" in rows[0][3]
    assert "补助金额（元）：15000.00 → 16000.00" in rows[0][3]
    assert "head_name" not in rows[0][3]


def test_save_and_new_keeps_the_place(qtbot, book: Book, messages) -> None:
    dialog = open_dialog(qtbot, book, EDUCATION)
    form = dialog.form
    fill(
        qtbot,
        form,
        {
            "township_code": "高村镇",
            "village": "石佛寺村",
            "student_name": "刘子涵",
            "id_number": samples.STUDENT_ID,
            "school": "高村镇中学",
            "stage": "初中",
            "aid_project": "义务教育生活补助",
            "school_year": "2024-2025",
            "semester": "秋季学期",
            "amount": "625",
        },
    )
    saved: list[int] = []
    dialog.saved.connect(saved.append)
    qtbot.mouseClick(dialog.save_new_button, LEFT)
    assert len(saved) == 1 and dialog.isVisible()
    assert form.editors["township_code"].input.currentText() == "高村镇"
    assert form.editors["village"].value() == "石佛寺村"
    assert form.editors["student_name"].value() is None
    assert form.editors["id_number"].value() is None
    assert form.editors["gender"].shown() == ""
    assert not dialog.save_button.isEnabled()
    assert QApplication.focusWidget() in (form.editors["student_name"].input, None)
    record = book.records("education").get(saved[0])
    assert record.values["village"] == "石佛寺村"
    assert record.values["township_code"] != "410622102"


def test_county_limits_the_townships_offered(qtbot, book: Book) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    form = dialog.form
    townships = form.editors["township_code"]
    assert "北阳镇" in townships.choices() and "善堂镇" not in townships.choices()  # 浚县's
    fill(qtbot, form, {"county_code": "浚县"})
    assert "善堂镇" in townships.choices() and "北阳镇" not in townships.choices()
    assert townships.value() is None  # 北阳镇 is not in 浚县


def test_village_completer_offers_villages_used_before(qtbot, book: Book) -> None:
    book.records("housing").create(samples.housing(village="小河口村"))
    dialog = open_dialog(qtbot, book, HOUSING)
    assert "小河口村" in dialog.form.editors["village"].completions()


def test_village_completer_offers_the_townships_listed_villages(qtbot, book: Book) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    offered = dialog.form.editors["village"].completions()
    assert "黄堆村" in offered and "骑河黄庄村" in offered  # 北阳镇's villages, before any use


def test_an_unlisted_village_is_hinted_on_leaving_the_field_and_still_saves(
    qtbot, book: Book, messages
) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    form = dialog.form
    village = form.editors["village"]
    fill(qtbot, form, {"village": "黄推村"})  # 北阳镇 has 黄堆村
    assert village.message() == ""  # no hint while typing
    qtbot.keyClick(village.input, Qt.Key.Key_Tab)
    assert not village.input.hasFocus()
    assert village.message() == "不在本乡镇的村名单中，是否为“黄堆村”？"
    assert village.level is Level.WARNING and village.message_label.isVisible()

    fill(qtbot, form, {"head_name": "张秀英", "id_number": samples.HOUSEHOLD_HEAD_ID})
    fill(qtbot, form, {"check_date": "2024-05-09", "checker": "李建国", "safety_grade": "B级"})
    fill(qtbot, form, {"in_renovation": "否"})
    assert village.message().startswith("不在本乡镇的村名单中")  # stays while filling on
    assert form.errors == [] and form.warnings == []  # a hint, not a validation warning
    assert "提醒" not in form.summary_label.text()
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert messages.shown == []  # no dialog, no question
    (record,) = book.records("housing").list()
    assert record.values["village"] == "黄推村" and not record.flagged


def test_a_listed_village_or_a_corrected_one_has_no_hint(qtbot, book: Book) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    village = dialog.form.editors["village"]
    fill(qtbot, dialog.form, {"village": "黄推村"})
    qtbot.keyClick(village.input, Qt.Key.Key_Tab)
    assert village.message()
    fill(qtbot, dialog.form, {"village": "黄堆村"})
    assert village.message() == ""  # typing again takes the hint away
    qtbot.keyClick(village.input, Qt.Key.Key_Tab)
    assert village.message() == ""  # listed in 北阳镇


def test_enter_moves_to_the_next_field_and_never_saves(qtbot, book: Book) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    name = dialog.form.editors["head_name"].input
    name.setFocus()
    qtbot.waitUntil(name.hasFocus)
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.form.editors["id_number"].input.hasFocus()
    qtbot.keyClick(dialog.form.editors["id_number"].input, Qt.Key.Key_Tab)
    assert dialog.form.editors["phone"].input.hasFocus()


def test_cancel_asks_and_forgets_the_draft(qtbot, book: Book, messages) -> None:
    drafts = DraftService(book)
    dialog = open_dialog(qtbot, book, HOUSING, drafts=drafts)
    dialog.draft_timer.setInterval(50)
    fill(qtbot, dialog.form, {"head_name": "张秀英"})
    qtbot.waitUntil(lambda: len(drafts.list("housing")) == 1)
    messages.answer = Button.No
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert dialog.isVisible() and len(drafts.list("housing")) == 1
    messages.answer = Button.Yes
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert drafts.list() == []


def test_draft_is_kept_while_typing_and_dropped_on_save(qtbot, book: Book, messages) -> None:
    drafts = DraftService(book)
    service = book.records("housing")
    created = service.create(samples.housing()).record
    dialog = open_dialog(qtbot, book, HOUSING, created.id, drafts=drafts)
    assert drafts.list() == []  # opening is not typing
    fill(qtbot, dialog.form, {"checker": "王五"})
    qtbot.waitUntil(lambda: len(drafts.list()) == 1, timeout=3000)
    (draft,) = drafts.list()
    assert draft.record_id == created.id and draft.values["checker"] == "王五"
    assert draft.values["check_date"] == "2024-05-09" and draft.base_version == created.version
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert drafts.list() == []
    assert service.get(created.id).values["checker"] == "王五"


def test_deleted_record_opens_read_only(qtbot, book: Book) -> None:
    service = book.records("water")
    created = service.create(samples.water()).record
    service.delete(created.id)
    dialog = open_dialog(qtbot, book, WATER, created.id)
    assert not dialog.form.isEnabled()
    assert not dialog.save_button.isEnabled()
    assert "已删除" in dialog.banner_label.text()
    assert [row[2] for row in dialog.history_view.row_texts()] == ["删除", "新建"]


def test_date_is_picked_from_the_calendar_with_the_keyboard(qtbot, book: Book) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    editor = dialog.form.editors["check_date"]
    editor.input.setFocus()
    qtbot.waitUntil(editor.input.hasFocus)
    qtbot.keyClick(editor.input, Qt.Key.Key_F4)
    qtbot.waitUntil(editor.popup.isVisible)
    assert editor.calendar.maximumDate() == QDate.currentDate()  # 排查日期 is never in the future
    days = QApplication.focusWidget()  # the calendar's day grid has the keyboard
    assert days is not None and editor.calendar.isAncestorOf(days)
    qtbot.keyClick(days, Qt.Key.Key_Left)
    qtbot.keyClick(days, Qt.Key.Key_Return)
    assert not editor.popup.isVisible()
    yesterday = dt.date.today() - dt.timedelta(days=1)
    assert editor.value() == yesterday.isoformat()
    assert editor.message() == ""
    assert editor.input.hasFocus()

    retype(qtbot, editor.input, "")  # 未填 again
    assert editor.value() is None and editor.input.placeholderText().startswith("未填")


def test_a_stale_edit_offers_mine_and_theirs_per_field(qtbot, book: Book, messages) -> None:
    service = book.records("housing")
    created = service.create(samples.housing()).record
    dialog = open_dialog(qtbot, book, HOUSING, created.id)
    # another desk saves the checker and the head's name meanwhile
    changed = samples.housing(checker="王五", head_name="张秀芳")
    service.update(created.id, changed, created.version)

    fill(qtbot, dialog.form, {"head_name": "张秀兰", "remarks": "已入户核实"})
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert service.get(created.id).values["head_name"] == "张秀芳"  # nothing overwritten
    conflict = dialog.conflict
    assert [f.name for f in conflict.fields] == ["head_name", "checker", "remarks"]
    labels = [label.text() for label in conflict.findChildren(QLabel)]
    assert {"张秀兰", "张秀芳", "王五", "已入户核实"} <= set(labels)
    # typed by the clerk: kept by default; untouched by the clerk: the other desk's value
    assert conflict.groups["head_name"].checkedButton().text() == "保留我的"
    assert conflict.groups["checker"].checkedButton().text() == "采用对方的"
    qtbot.mouseClick(conflict.groups["head_name"].button(1), LEFT)  # take theirs after all
    qtbot.mouseClick(conflict.merge_button, LEFT)

    values = {n: dialog.form.editors[n].value() for n in ("head_name", "checker", "remarks")}
    assert values == {"head_name": "张秀芳", "checker": "王五", "remarks": "已入户核实"}
    assert "合并" in dialog.banner_label.text()
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = service.get(created.id)
    assert (stored.values["head_name"], stored.values["remarks"]) == ("张秀芳", "已入户核实")
    assert stored.version == created.version + 2


def test_a_field_that_does_not_apply_shows_no_required_star(qtbot, book: Book) -> None:
    dialog = open_dialog(qtbot, book, HOUSING)
    form = dialog.form
    method = form.labels["renovation_method"]
    assert not form.editors["renovation_method"].isEnabled()
    assert "*" not in method.text() and not method.isEnabled()
    assert "*" in form.labels["check_date"].text()  # required and open: starred
    fill(qtbot, form, {"in_renovation": "是"})
    assert "*" in method.text() and method.isEnabled()


def test_id_number_and_date_inputs_take_the_fields_width_on_a_narrow_form(qtbot) -> None:
    from hebi_desktop.ui.widgets.field_widgets import make_editor

    for name in ("id_number", "check_date"):
        editor = make_editor(HOUSING.field(name))
        qtbot.addWidget(editor)
        editor.resize(230, 60)  # a field column at 1024×768 with a 1.5 scale factor
        editor.show()
        qtbot.waitExposed(editor)
        extra = editor.calendar_button.width() + 8 if name == "check_date" else 0
        assert editor.input.width() >= 230 - extra, name
    editor.input.setText("2026-11-05")
    editor.tidy()  # the date as read still shows, under the input
    assert editor.echo() == "→ 2026年11月5日" and editor.echo_label.isVisibleTo(editor)


def test_the_history_has_no_stretched_row(qtbot, book: Book) -> None:
    created = book.records("housing").create(samples.housing()).record
    dialog = open_dialog(qtbot, book, HOUSING, created.id)
    dialog.resize(1000, 700)
    dialog.tabs.setCurrentWidget(dialog.history_view)  # laid out after its rows were set
    table = dialog.history_view.table
    qtbot.waitUntil(lambda: table.columnWidth(3) > 300)
    qtbot.wait(50)
    line = table.fontMetrics().lineSpacing()
    # A new record's values as one wrapped paragraph: a few lines, not one per field.
    assert table.rowHeight(0) <= 8 * line, (table.rowHeight(0), line)
    text = dialog.history_view.row_texts()[0][3]
    assert "户主姓名：张秀英" in text and "\n" not in text
