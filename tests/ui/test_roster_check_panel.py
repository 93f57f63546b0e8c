"""The 核查 page's roster section: hints listed by rule, a hint confirmed with a reason
(audited, gone from the list and from the next check), a record opened by double-click."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from hebi_desktop.exchange.roster_import import import_roster
from hebi_desktop.services.book import Book
from hebi_desktop.services.roster_checks import check_rosters
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.screens.crosscheck_page import CrossCheckPage
from tests.roster_helpers import household, person_id, write_roster
from tests.samples import housing


def test_a_hint_is_listed_confirmed_and_opened(
    qtbot, book: Book, tmp_path: Path, monkeypatch
) -> None:
    source = write_roster(tmp_path / "r.xlsx", household("王某", person_id(1970, 77)))
    import_roster(book, "tuopin", source, as_of=dt.date(2024, 3, 31))
    record = book.records("housing").create(housing()).record
    window = MainWindow(book)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("crosscheck")
    assert isinstance(page, CrossCheckPage)
    panel = page.roster_panel
    assert "脱贫户名单" in panel.rosters_label.text()
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.worker is None and panel.tree.topLevelItemCount() == 1)
    top = panel.tree.topLevelItem(0)
    assert top.text(0) == "户类别与比对名单不符（1条）"
    assert not panel.confirm_button.isEnabled()
    panel.tree.setCurrentItem(top.child(0))
    assert panel.confirm_button.isEnabled()
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *_a, **_k: ("已入户核实，名单待更新", True))
    )
    qtbot.mouseClick(panel.confirm_button, Qt.MouseButton.LeftButton)
    assert top.childCount() == 0
    assert "1 条已核实属实" in panel.summary_label.text()
    assert check_rosters(book).hints == []
    assert "confirm" in [e.action for e in book.records("housing").history(record.id)]


def test_double_click_opens_the_record(qtbot, book: Book, tmp_path: Path) -> None:
    source = write_roster(tmp_path / "r.xlsx", household("王某", person_id(1970, 77)))
    import_roster(book, "tuopin", source, as_of=dt.date(2024, 3, 31))
    book.records("housing").create(housing())
    window = MainWindow(book)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("crosscheck")
    panel = page.roster_panel
    panel.start_check()
    qtbot.waitUntil(lambda: panel.worker is None and panel.tree.topLevelItemCount() == 1)
    panel._open(panel.tree.topLevelItem(0).child(0))
    ledger_page = window.stack.currentWidget()
    assert getattr(ledger_page, "ledger", None) is not None
    assert ledger_page.ledger.key == "housing"


def test_a_roster_imported_from_the_window(qtbot, book: Book, tmp_path: Path) -> None:
    from hebi_desktop.ui.screens.roster_check_panel import RosterCheckPanel

    panel = RosterCheckPanel(book)
    qtbot.addWidget(panel)
    panel.show()
    assert "还没有导入比对名单" in panel.rosters_label.text()
    dialog = panel.open_import()
    head = person_id(1970, 77)
    bad = head[:-1] + ("0" if head[-1] != "0" else "1")
    wrong = write_roster(
        tmp_path / "bad.xlsx", [*household("王某", head), [None, None, "李四", bad, "子", "正常"]]
    )
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("tuopin"))
    dialog.file_edit.setText(str(wrong))
    dialog.as_of_edit.setText("2024-06-30")
    worker = dialog.start_import()
    assert worker is not None
    qtbot.waitUntil(lambda: dialog.worker is None)
    text = dialog.result_text.toPlainText()
    assert "名单未导入" in text and "第4行 公民身份号码" in text
    assert book.rosters.list() == []
    dialog.file_edit.setText(str(write_roster(tmp_path / "good.xlsx", household("王某", head))))
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("410622"))
    dialog.start_import()
    qtbot.waitUntil(lambda: dialog.worker is None)
    assert "已导入脱贫户名单（淇县，截至2024-06-30）：1 人" in dialog.result_text.toPlainText()
    assert "脱贫户名单（淇县，截至2024-06-30） 1人" in panel.rosters_label.text()
