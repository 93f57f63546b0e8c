"""The county desk's pages: 汇总报送 (drop files, preview, take in) and 核查 (findings
with links to the records), driven through their widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from hebi_desktop.services.book import Book
from hebi_desktop.ui.collect_page import COLUMNS, CollectPage
from hebi_desktop.ui.crosscheck_page import CrossCheckPage
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.navigation import COLLECT
from tests import samples
from tests.county_helpers import (
    BEIYANG,
    GAOCUN,
    TWICE_PAID_STUDENT,
    county_desk,
    export_all,
    fill,
    housing_rows,
    place,
    township_desk,
)

WAIT_MS = 30_000


def _exports(folder: Path) -> list[Path]:
    files = []
    for index, township in enumerate((BEIYANG, GAOCUN)):
        with township_desk(folder, township) as desk:
            fill(desk, "housing", housing_rows(township, 3, 100 * (index + 1)))
            desk.records("education").create(
                samples.education(**place(township), id_number=TWICE_PAID_STUDENT)
            )
            files.append(export_all(desk, folder / f"{township}.xlsx"))
    return files


def cell(page: CollectPage, row: int, header: str) -> str:
    return page.table.item(row, COLUMNS.index(header)).text()


def drop(page: CollectPage, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.dropEvent(event)  # what Qt calls when the files are let go over the page


def test_dropped_files_are_previewed_then_taken_in(qtbot, tmp_path: Path, messages) -> None:
    files = _exports(tmp_path)
    with county_desk(tmp_path) as county:
        page = CollectPage(county)
        qtbot.addWidget(page)
        page.show()
        assert not page.collect_button.isEnabled()
        drop(page, files)
        assert page.paths == files
        qtbot.waitUntil(lambda: not page.busy and page.table.rowCount() == 6, timeout=WAIT_MS)
        assert cell(page, 0, "乡镇") == "北阳镇" and cell(page, 0, "方式") == "全量"
        assert cell(page, 0, "条数") == "3" and cell(page, 0, "状态") == "新报送"
        assert county.records("housing").count() == 0  # a preview writes nothing
        assert page.collect_button.isEnabled()
        with qtbot.waitSignal(page.records_changed, timeout=WAIT_MS):
            qtbot.mouseClick(page.collect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.busy, timeout=WAIT_MS)
        assert county.records("housing").count() == 6
        assert "新增3" in cell(page, 0, "状态")
        assert not page.collect_button.isEnabled()  # nothing left to take in
        page.clear()
        page.add_files([files[0]])  # the same file again
        qtbot.waitUntil(lambda: not page.busy and page.table.rowCount() == 3, timeout=WAIT_MS)
        assert cell(page, 0, "状态").startswith("已接收过")
        assert not page.collect_button.isEnabled()


def test_crosscheck_page_lists_the_double_payment_and_opens_the_record(
    qtbot, tmp_path: Path, messages
) -> None:
    files = _exports(tmp_path)
    with county_desk(tmp_path) as county:
        from hebi_desktop.county.collect import collect_files

        collect_files(county, files)
        window = MainWindow(county)
        qtbot.addWidget(window)
        window.show()
        assert COLLECT in [e.key for e in window.entries]  # a county desk has the 汇总报送 page
        page = window.show_page("crosscheck")
        assert isinstance(page, CrossCheckPage)
        qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.worker is None and page.tree.topLevelItemCount() > 0)
        labels = [page.tree.topLevelItem(i).text(0) for i in range(page.tree.topLevelItemCount())]
        assert "同一学生同一资助项目同一学期重复发放" in labels
        top = page.tree.topLevelItem(labels.index("同一学生同一资助项目同一学期重复发放"))
        assert top.childCount() == 2
        page._open(top.child(1))
        ledger_page = window.stack.currentWidget()
        assert getattr(ledger_page, "ledger", None) is not None
        assert ledger_page.ledger.key == "education"
        saved = page.save(tmp_path / "核查.xlsx")
        assert saved is not None and saved.exists()


def test_a_township_desk_has_no_collect_page(qtbot, book: Book) -> None:
    window = MainWindow(book)
    qtbot.addWidget(window)
    assert COLLECT not in [e.key for e in window.entries] and "crosscheck" in [
        e.key for e in window.entries
    ]


def test_summary_tab_shows_every_township_and_the_missing_ones(
    qtbot, tmp_path: Path, messages
) -> None:
    files = _exports(tmp_path)
    with county_desk(tmp_path) as county:
        from hebi_desktop.county.collect import collect_files

        collect_files(county, files[:1])  # only 北阳镇 has sent anything
        page = CollectPage(county)
        qtbot.addWidget(page)
        page.show()
        page.tabs.setCurrentWidget(page.summary)
        panel = page.summary
        rows = {
            panel.table.item(r, 0).text(): panel.table.item(r, 2).text()
            for r in range(panel.table.rowCount())
        }
        assert rows["北阳镇"] == "3" and rows["高村镇"] == "0" and rows["合计"] == "3"
        assert "高村镇" in panel.missing_label.text()
        assert "北阳镇" not in panel.missing_label.text()
        saved = panel.save(tmp_path / "汇总.xlsx")
        assert saved is not None and saved.exists()


def test_scope_is_chosen_in_the_settings_page(qtbot, book: Book) -> None:
    from hebi_desktop.services.settings import SCOPE
    from hebi_desktop.ui.settings_page import SettingsPage

    page = SettingsPage(book)
    qtbot.addWidget(page)
    page.show()
    from hebi_desktop.ui.scope_box import ScopeBox

    (box,) = page.findChildren(ScopeBox)
    assert box.township_radio.isChecked()
    qtbot.mouseClick(box.county_radio, Qt.MouseButton.LeftButton)
    assert book.settings.get(SCOPE) == "county"
    window = MainWindow(book)  # the next start
    qtbot.addWidget(window)
    assert COLLECT in [e.key for e in window.entries]
