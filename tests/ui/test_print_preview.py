"""打印…: the preview opened from the ledger page and the export page, 另存为 PDF, and the
settings that name the unit and the signers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.printing import Form
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.settings import REVIEWER, SUPERVISION_PHONE, UNIT_HEAD, UNIT_NAME
from hebi_desktop.ui.dialogs.print_preview import FormPreview
from hebi_desktop.ui.screens.exchange_page import ExchangePage
from hebi_desktop.ui.screens.ledger_page import LedgerPage
from hebi_desktop.ui.screens.settings_page import SettingsPage
from tests.printing.pdf_text import page_size_mm, pages
from tests.ui.ledger_helpers import Messages, retype

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def filled(book: Book) -> Book:
    fill_demo(book, 40, city_wide=True)  # several townships
    book.settings.set(UNIT_NAME, "淇县北阳镇人民政府")
    book.settings.set(SUPERVISION_PHONE, "0392-7221234")
    return book


def saved(qtbot: Any, dialog: FormPreview, worker: Any = None) -> Path:
    """Wait for 另存为 PDF (it runs on a worker); the file written."""
    worker = worker or dialog.save_worker
    assert worker is not None
    if worker.running:
        with qtbot.waitSignal(worker.done, timeout=60_000):
            pass
    assert worker.error_message is None, worker.error_message
    return Path(worker.result.path)


def _preview(parent: Any) -> FormPreview:
    dialog = parent.findChild(FormPreview)
    assert dialog is not None, "打印… opened no preview"
    return dialog


def test_ledger_page_prints_what_the_filters_show(
    qtbot, filled: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = LedgerPage(filled, get_ledger("housing"))
    qtbot.addWidget(page)
    page.show()
    first = next(iter(filled.records("housing").iter_items()))[1]
    township, village = first["township_code"], first["village"]
    page.township_filter.setCurrentIndex(page.township_filter.findData(township))
    retype(qtbot, page.village_filter, village)
    page.filter_bar.flush()
    shown = page.model.rowCount()
    assert 0 < shown < 40
    qtbot.mouseClick(page.print_button, LEFT)
    dialog = _preview(page)
    assert [dialog.form_combo.itemText(i) for i in range(dialog.form_combo.count())] == [
        "台账花名册",
        "公示名单",
        "发放登记表",
        "一户一档",
    ]
    qtbot.waitUntil(lambda: dialog.pages_ready, timeout=30_000)
    assert dialog.error is None
    assert dialog.preview.pageCount() >= 1
    assert len(dialog.document().rows) == shown

    target = tmp_path / "花名册.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_args: (str(target), "PDF 文件 (*.pdf)")
    )
    assert dialog.save_action.isEnabled()
    dialog.save_action.trigger()
    assert dialog.saving and "正在保存" in dialog.message_label.text()  # said at once
    saved(qtbot, dialog)
    texts = pages(target)
    assert f"{divisions().name(township)}{village}住房安全动态监测台账花名册" in texts[0]
    assert f"合计共{shown}条" in texts[-1]
    assert "已保存" in dialog.message_label.text()
    dialog.close()


def test_notice_period_and_paper_are_chosen_in_the_preview(
    qtbot, filled: Book, tmp_path: Path
) -> None:
    page = LedgerPage(filled, get_ledger("education"))
    qtbot.addWidget(page)
    dialog = page.open_print()
    assert dialog is not None
    assert not dialog.notice_period_shown
    dialog.set_form(Form.NOTICE)
    assert dialog.notice_period_shown
    dialog.notice_from.setDate(QDate(2026, 12, 7))
    dialog.notice_to.setDate(QDate(2026, 12, 18))
    dialog.paper_combo.setCurrentText("A3")
    qtbot.waitUntil(lambda: dialog.pages_ready, timeout=30_000)
    assert dialog.preview.pageCount() >= 1
    worker = dialog.save_pdf(tmp_path / "公示")
    path = saved(qtbot, dialog, worker)
    assert path == tmp_path / "公示.pdf"
    assert page_size_mm(path) == pytest.approx((420, 297), abs=1)
    text = "".join(pages(path))
    assert "公示期：2026年12月7日至2026年12月18日" in text
    assert "教育资助公示名单" in text
    dialog.close()


def test_export_page_prints_the_chosen_ledger_with_its_filters(qtbot, filled: Book) -> None:
    page = ExchangePage(filled)
    qtbot.addWidget(page)
    page.show()
    for key, check in page.ledger_checks.items():
        check.setChecked(key == "water")
    page.export_tab.county_combo.setCurrentIndex(0)  # 县区：全部: the whole city, chosen
    qtbot.mouseClick(page.print_button, LEFT)
    dialog = _preview(page)
    assert dialog.ledger == "water"
    assert dialog.scope_label.text() == "鹤壁市 · 全部行政村 · 全部日期"
    forms = [dialog.form_combo.itemText(i) for i in range(dialog.form_combo.count())]
    assert forms == ["台账花名册", "公示名单", "一户一档"]  # no payments, no register
    dialog.preview.updatePreview()
    assert dialog.error is None
    assert len(dialog.document().rows) == 40
    dialog.close()


def test_a_closed_preview_goes_away_with_its_threads(qtbot, filled: Book, tmp_path: Path) -> None:
    from hebi_desktop.ui import page_factory, workers

    folder = tmp_path / "pdf"
    folder.mkdir()
    page = LedgerPage(filled, get_ledger("housing"))
    qtbot.addWidget(page)
    page.show()
    closed = []
    for attempt in range(4):
        qtbot.mouseClick(page.print_button, LEFT)
        dialogs = page.findChildren(FormPreview)
        assert len(dialogs) == 1, "a closed preview is still a child of the page"
        dialog = dialogs[0]
        if attempt in (1, 2):
            qtbot.waitUntil(lambda shown=dialog: shown.pages_ready, timeout=30_000)
        if attempt == 2:  # closed while its PDF is being written: the save is cancelled
            assert dialog.save_pdf(folder / "花名册.pdf") is not None
        destroyed: list[bool] = []
        dialog.destroyed.connect(lambda *_args, seen=destroyed: seen.append(True))
        closed.append(destroyed)
        dialog.close()  # at attempt 0 and 3 while the records are still being read
        qtbot.waitUntil(lambda: not page.findChildren(FormPreview), timeout=10_000)
    assert closed == [[True]] * 4
    assert not page_factory._live  # no factory thread left running
    assert workers._collector.running == 0  # every job reported its end
    # The short save either ended before the close or was undone: never half a file.
    assert [f.name for f in folder.iterdir()] in ([], ["花名册.pdf"])


def test_preview_shows_a_chinese_message_instead_of_a_form(
    qtbot, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hebi_desktop.printing import fonts

    monkeypatch.setattr(fonts.QFontDatabase, "families", lambda *_args: [])
    page = LedgerPage(book, get_ledger("water"))
    qtbot.addWidget(page)
    dialog = page.open_print()
    assert dialog is not None
    dialog.preview.updatePreview()  # the records are read off the GUI thread first
    qtbot.waitUntil(lambda: dialog.error is not None, timeout=10_000)
    assert dialog.error is not None and "中文字体" in dialog.error
    assert "中文字体" in dialog.message_label.text()
    dialog.close()


def test_settings_keep_the_unit_and_the_signers(qtbot, book: Book, messages: Messages) -> None:
    page = SettingsPage(book)
    qtbot.addWidget(page)
    page.show()
    box = page.signers_box
    assert "淇县北阳镇人民政府" in box.unit_edit.placeholderText()
    retype(qtbot, box.unit_edit, "淇县北阳镇人民政府")
    retype(qtbot, box.reviewer_edit, "李建国")
    retype(qtbot, box.head_edit, "赵志强")
    retype(qtbot, box.phone_edit, "0392-72")
    assert not box.save_button.isEnabled()
    assert "监督电话" in box.message_label.text()
    retype(qtbot, box.phone_edit, "0392-7221234")
    assert box.save_button.isEnabled()
    qtbot.mouseClick(box.save_button, LEFT)
    settings = book.settings.all()
    assert settings[UNIT_NAME] == "淇县北阳镇人民政府"
    assert settings[REVIEWER] == "李建国"
    assert settings[UNIT_HEAD] == "赵志强"
    assert settings[SUPERVISION_PHONE] == "0392-7221234"
    assert box.message_label.text() == "已保存"


def test_the_preview_names_records_with_characters_no_font_has(
    qtbot, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests import samples
    from tests.printing.test_rare_characters import _no_font_has

    rare = _no_font_has()
    book.settings.set(UNIT_NAME, "淇县北阳镇人民政府")
    saved = book.records("housing").create(samples.housing(head_name=f"张{rare}"))
    page = LedgerPage(book, get_ledger("housing"))
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.print_button, LEFT)
    dialog = _preview(page)
    dialog.preview.updatePreview()  # the records are read off the GUI thread first
    qtbot.waitUntil(lambda: "空框" in dialog.message_label.text(), timeout=10_000)
    shown = dialog.message_label.text()
    assert "空框" in shown and f"记录编号{saved.record.id}" in shown
    assert f"U+{ord(rare):04X}" in shown
