"""The record form's 附件 tab: attach by file dialog, drop and paste, thumbnails, the
viewer with rotate and previous/next, delete and restore, the count in the table."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog

from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.ui.dialogs.record_form import ATTACHMENTS_TAB, RecordDialog
from hebi_desktop.ui.screens.ledger_page import LedgerPage
from hebi_desktop.ui.widgets.thumbnails import shared_cache
from tests.photo_files import write_photo
from tests.samples import housing
from tests.ui.ledger_helpers import type_text

HOUSING = get_ledger("housing")


def open_record(qtbot, book: Book, record_id: int) -> RecordDialog:  # type: ignore[no-untyped-def]
    dialog = RecordDialog(book, HOUSING, record_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(ATTACHMENTS_TAB)
    return dialog


def wait_attached(qtbot, dialog: RecordDialog, count: int) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: len(dialog.attachments_panel.attachments) == count, timeout=10000)


def test_attach_by_dialog_view_rotate_delete_restore(
    qtbot, book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages
) -> None:
    record_id = book.records("housing").create(housing()).record.id
    before = write_photo(tmp_path / "前.jpg", size=(400, 300))
    after = write_photo(tmp_path / "后.jpg", size=(300, 200))
    dialog = open_record(qtbot, book, record_id)
    panel = dialog.attachments_panel
    panel.kind_box.setCurrentText("改造后")
    panel.caption_edit.setFocus()
    type_text(qtbot, panel.caption_edit, "正门")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(before), str(after)], "")
    )
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    wait_attached(qtbot, dialog, 2)
    stored = book.attachments("housing").find(record_id)
    assert [(a.kind, a.caption) for a in stored] == [("改造后", "正门")] * 2
    assert dialog.tabs.tabText(ATTACHMENTS_TAB) == "附件（2）"
    assert panel.list.item(0).text() == "改造后 正门"
    # The viewer: next/previous and a view-only rotation.
    panel.list.setCurrentRow(0)
    viewer = panel.open_current()
    assert viewer is not None
    qtbot.addWidget(viewer)
    assert (viewer.image.width(), viewer.image.height()) == (400, 300)
    qtbot.mouseClick(viewer.right_button, Qt.MouseButton.LeftButton)
    assert viewer.shown_image().size().toTuple() == (300, 400)
    qtbot.mouseClick(viewer.next_button, Qt.MouseButton.LeftButton)
    assert (viewer.index, viewer.image.width()) == (1, 300)
    assert not viewer.next_button.isEnabled()
    viewer.close()
    # A caption corrected afterwards, audited under the record.
    panel.list.setCurrentRow(1)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("东侧", True))
    qtbot.mouseClick(panel.caption_button, Qt.MouseButton.LeftButton)
    assert sorted(a.caption for a in book.attachments("housing").find(record_id)) == [
        "东侧",
        "正门",
    ]
    # Delete the first, see it among the deleted, restore it.
    panel.list.setCurrentRow(0)
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert len(book.attachments("housing").find(record_id)) == 1
    assert dialog.tabs.tabText(ATTACHMENTS_TAB) == "附件（1）"
    panel.show_deleted.setChecked(True)
    assert panel.list.count() == 1
    panel.list.setCurrentRow(0)
    qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)
    assert len(book.attachments("housing").find(record_id)) == 2
    assert [e.action for e in book.audit.history("housing", record_id)][-2:] == [
        "detach",
        "reattach",
    ]


def test_drop_and_paste_attach(qtbot, book: Book, tmp_path: Path, messages) -> None:
    record_id = book.records("housing").create(housing()).record.id
    dialog = open_record(qtbot, book, record_id)
    panel = dialog.attachments_panel
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write_photo(tmp_path / "拖入.jpg")))])
    drop = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # Qt delivers a drop only during a real drag; hand the event to the panel as Qt would.
    panel.event(drop)
    wait_attached(qtbot, dialog, 1)
    image = QImage(50, 40, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.blue)
    QApplication.clipboard().setImage(image)
    panel.paste()
    wait_attached(qtbot, dialog, 2)
    kinds = [a.media_type for a in book.attachments("housing").find(record_id)]
    assert sorted(kinds) == ["image/jpeg", "image/png"]


def test_a_new_or_deleted_record_takes_no_attachments(qtbot, book: Book) -> None:
    dialog = RecordDialog(book, HOUSING, None)
    qtbot.addWidget(dialog)
    assert not dialog.attachments_panel.add_button.isEnabled()
    assert "保存记录后" in dialog.attachments_panel.hint_label.text()
    record_id = book.records("housing").create(housing()).record.id
    book.records("housing").delete(record_id)
    deleted = RecordDialog(book, HOUSING, record_id)
    qtbot.addWidget(deleted)
    assert not deleted.attachments_panel.add_button.isEnabled()


def test_ten_photos_open_fast_and_thumbnails_arrive(qtbot, book: Book, tmp_path: Path) -> None:
    from hebi_desktop.services.attachments import NewAttachment

    record_id = book.records("housing").create(housing()).record.id
    items = [
        NewAttachment(record_id, write_photo(tmp_path / f"{i}.jpg", size=(2560, 1920)), "改造前")
        for i in range(10)
    ]
    book.attachments("housing").attach_many(items)
    started = time.perf_counter()
    dialog = open_record(qtbot, book, record_id)
    opened = time.perf_counter() - started
    assert opened < 0.3, f"the form took {opened:.2f} s to open"
    panel = dialog.attachments_panel
    assert panel.list.count() == 10
    # All ten photos are the same picture: one thumbnail, cached by content.
    qtbot.waitUntil(lambda: shared_cache().cached(panel.attachments[0].sha256) is not None)
    assert "提醒" in panel.hint_label.text()  # a C级 finished house without 改造后, 鉴定表


def test_ledger_table_shows_the_attachment_count(qtbot, book: Book, tmp_path: Path) -> None:
    record_id = book.records("housing").create(housing()).record.id
    book.attachments("housing").attach(record_id, write_photo(tmp_path / "a.jpg"), "改造前")
    page = LedgerPage(book, HOUSING)
    qtbot.addWidget(page)
    model = page.table.model()
    column = model.columnCount() - 1
    assert model.headerData(column, Qt.Orientation.Horizontal) == "附件"
    assert model.index(0, column).data() == "1"


def test_overview_counts_records_lacking_evidence_and_opens_them(
    qtbot, book: Book, tmp_path: Path
) -> None:
    from hebi_desktop.ui.main_window import MainWindow
    from hebi_desktop.ui.widgets.navigation import OVERVIEW, ledger_page_key

    record_id = book.records("housing").create(housing()).record.id  # C级, 已竣工
    window = MainWindow(book)
    qtbot.addWidget(window)
    window.show()
    overview = window.pages[OVERVIEW]
    qtbot.waitUntil(lambda: not overview.refresh_pending)
    assert overview.counts[("housing", "evidence_finished_after_photo")] == 1
    assert overview.counts[("housing", "evidence_dangerous_appraisal")] == 1
    button = overview.problem_button("housing", "evidence_finished_after_photo")
    assert button.text() == "已竣工缺改造后照片：1 条"
    button.click()
    page = window.pages[ledger_page_key("housing")]
    assert page.model.ids == [record_id]
    book.attachments("housing").attach(record_id, write_photo(tmp_path / "a.jpg"), "改造后")
    page.refresh()
    assert page.model.ids == []


def test_bulk_attach_dialog_proposes_then_attaches_all(
    qtbot, book: Book, tmp_path: Path, messages
) -> None:
    from tests.samples import HOUSEHOLD_HEAD_ID

    record_id = book.records("housing").create(housing()).record.id
    folder = tmp_path / "照片"
    write_photo(folder / f"{HOUSEHOLD_HEAD_ID}_改造后.jpg")
    write_photo(folder / "王庄村" / "张秀英-改造前(2).jpg")
    write_photo(folder / "陌生人-改造前.jpg")
    page = LedgerPage(book, HOUSING)
    qtbot.addWidget(page)
    dialog = page.open_bulk_attach()
    qtbot.addWidget(dialog)
    dialog.read_folder(folder)
    qtbot.waitUntil(lambda: dialog.attach_button.isEnabled())
    assert dialog.matches_table.rowCount() == 2
    assert [dialog.unmatched_list.item(i).text() for i in range(1)] == ["陌生人-改造前.jpg"]
    assert book.attachments("housing").find() == []  # nothing before the confirmation
    worker = dialog.attach_all()
    assert worker is not None
    qtbot.waitUntil(lambda: not worker.running)
    assert sorted(a.kind for a in book.attachments("housing").find(record_id)) == [
        "改造前",
        "改造后",
    ]
    dialog.close()
    column = page.model.columnCount() - 1
    assert page.model.index(0, column).data() == "2"


def test_bulk_attach_cancelled_attaches_nothing(
    qtbot, book: Book, tmp_path: Path, messages
) -> None:
    from tests.samples import HOUSEHOLD_HEAD_ID

    book.records("housing").create(housing())
    folder = tmp_path / "照片"
    for i in range(3):
        write_photo(folder / f"{HOUSEHOLD_HEAD_ID}_改造后({i}).jpg", size=(3000, 2000))
    page = LedgerPage(book, HOUSING)
    qtbot.addWidget(page)
    dialog = page.open_bulk_attach()
    dialog.read_folder(folder)
    qtbot.waitUntil(lambda: dialog.attach_button.isEnabled())
    worker = dialog.attach_all()
    assert worker is not None
    qtbot.mouseClick(dialog.progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not worker.running)
    assert worker.was_cancelled
    assert book.attachments("housing").find() == []
    assert "已取消，没有附加任何文件。" in messages.texts()


def test_window_export_with_files_writes_a_zip_and_masking_unticks_it(
    qtbot, book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    from tests.ui.test_exchange_page import make_page, only, save_as, wait_done

    record_id = book.records("housing").create(housing()).record.id
    book.attachments("housing").attach(record_id, write_photo(tmp_path / "a.jpg"), "改造后")
    page = make_page(qtbot, book)
    only(page, "housing")
    page.export_tab.files_check.setChecked(True)
    page.mask_check.setChecked(True)
    assert not page.export_tab.files_check.isChecked()  # a masked export leaves the photos out
    page.mask_check.setChecked(False)
    page.export_tab.files_check.setChecked(True)
    offered = save_as(monkeypatch, tmp_path / "带附件")
    worker = wait_done(qtbot, page.start_export())
    assert worker.error_message is None
    assert offered[0].endswith(".zip")
    with zipfile.ZipFile(tmp_path / "带附件.zip") as archive:
        assert any(n.endswith("/改造后-1.jpg") for n in archive.namelist())
        assert "带附件.xlsx" in archive.namelist()
    assert "已导出 1 条" in page.export_label.text()
    assert page.submission_table.item(0, 5).text() == "带附件.zip"  # what was sent


def test_collect_page_takes_in_a_zip_with_its_files(qtbot, tmp_path: Path, messages) -> None:
    from hebi_desktop.ui.screens.collect_page import CollectPage
    from tests.county_helpers import county_desk
    from tests.services.test_archive_zip import township_zip

    (tmp_path / "desk").mkdir()
    target, _names = township_zip(tmp_path / "desk")
    with county_desk(tmp_path) as county:
        page = CollectPage(county)
        qtbot.addWidget(page)
        page.show()
        page.add_files([target])
        qtbot.waitUntil(lambda: not page.busy and page.table.rowCount() == 1, timeout=30000)
        assert county.records("housing").count() == 0  # a preview writes nothing
        assert "附件 3 个，校验值全部相符" in page.table.item(0, 7).text()
        assert page.collect_button.isEnabled()
        with qtbot.waitSignal(page.records_changed, timeout=30000):
            qtbot.mouseClick(page.collect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.busy, timeout=30000)
        assert county.records("housing").count() == 2
        assert len(county.attachments("housing").find()) == 3
        assert "附件 3 个：已接收 3 个" in page.table.item(0, 7).text()


def test_print_preview_shows_the_archive_form(qtbot, book: Book, tmp_path: Path) -> None:
    from hebi_desktop.domain.printing import Form
    from hebi_desktop.printing.archive import ArchiveDocument
    from hebi_desktop.services.querying import RecordQuery
    from hebi_desktop.ui.dialogs.print_preview import FormPreview

    book.settings.set("unit_name", "淇县北阳镇人民政府")
    record_id = book.records("housing").create(housing()).record.id
    book.attachments("housing").attach(record_id, write_photo(tmp_path / "a.jpg"), "改造后")
    dialog = FormPreview(book, ("housing",), RecordQuery())
    qtbot.addWidget(dialog)
    dialog.set_form(Form.ARCHIVE)
    dialog.preview.updatePreview()
    assert dialog.error is None
    document = dialog.document()
    assert isinstance(document, ArchiveDocument)
    assert [len(e.photos) for e in document.entries] == [1]
    worker = dialog.save_pdf(tmp_path / "一户一档.pdf")  # written off the GUI thread
    assert worker is not None
    qtbot.waitUntil(lambda: not worker.running, timeout=30_000)
    assert worker.error_message is None
    assert (tmp_path / "一户一档.pdf").stat().st_size > 5000


def test_files_dropped_on_the_form_page_are_attached(qtbot, book: Book, tmp_path: Path) -> None:
    record_id = book.records("housing").create(housing()).record.id
    dialog = RecordDialog(book, HOUSING, record_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.tabs.currentIndex() == 0  # the 填写 page
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write_photo(tmp_path / "a.jpg")))])
    drop = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    dialog.event(drop)
    wait_attached(qtbot, dialog, 1)
    assert dialog.tabs.currentIndex() == ATTACHMENTS_TAB
