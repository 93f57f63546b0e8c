"""The county desk's pages: 汇总报送 (drop files, preview, take in) and 核查 (findings
with links to the records), driven through their widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from hebi_desktop.services.book import Book
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.screens.collect_page import COLUMNS, CollectPage
from hebi_desktop.ui.screens.crosscheck_page import CrossCheckPage
from hebi_desktop.ui.widgets.navigation import COLLECT, EXCHANGE, SETTINGS
from tests import samples
from tests.county_helpers import (
    BEIYANG,
    GAOCUN,
    SHANTANG,
    TWICE_PAID_STUDENT,
    county_desk,
    export_all,
    fill,
    housing_rows,
    place,
    township_desk,
)
from tests.ui.ledger_helpers import Button, Messages

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


def test_scope_is_chosen_in_the_settings_page(qtbot, book: Book, messages: Messages) -> None:
    from hebi_desktop.services.settings import SCOPE
    from hebi_desktop.ui.screens.scope_box import ScopeBox

    window = MainWindow(book)
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "北阳镇 — 鹤壁乡镇台账"
    page = window.show_page(SETTINGS)
    (box,) = page.findChildren(ScopeBox)
    assert box.township_radio.isChecked()

    messages.answer = Button.No  # the clerk reads what changes and declines
    box.county_radio.click()  # below the fold of the settings page
    question = messages.texts("question")[-1]
    assert "导出、打印、报送默认为整个淇县" in question and "汇总报送" in question
    assert book.settings.get(SCOPE) is None and box.township_radio.isChecked()
    assert COLLECT not in [e.key for e in window.entries]

    messages.answer = Button.Yes
    box.county_radio.click()
    assert book.settings.get(SCOPE) == "county"
    # At once, in the same window: navigation, title and the export's default place.
    assert COLLECT in [e.key for e in window.entries]
    assert window.windowTitle() == "淇县（县区） — 鹤壁乡镇台账"
    assert window.current_key() == SETTINGS
    exchange = window.show_page(EXCHANGE)
    tab = exchange.export_tab
    assert tab.county_combo.currentText() == "淇县"
    assert tab.township_combo.currentData() is None
    assert "淇县 · 全部行政村" in tab.scope_label.text()


def test_a_files_problem_is_readable_without_a_tooltip(qtbot, tmp_path: Path) -> None:
    from PySide6.QtCore import QRect

    with township_desk(tmp_path, SHANTANG) as desk:  # 浚县: not this county's
        fill(desk, "housing", housing_rows(SHANTANG, 2, 970))
        foreign = export_all(desk, tmp_path / "浚县善堂镇人民政府报送的住房安全台账.xlsx")
    with county_desk(tmp_path) as county:
        page = CollectPage(county)
        qtbot.addWidget(page)
        page.resize(1000, 600)
        page.show()
        page.add_files([foreign])
        qtbot.waitUntil(lambda: not page.busy and page.table.rowCount() >= 1, timeout=WAIT_MS)
        column = COLUMNS.index("问题")
        problem = cell(page, 0, "问题")
        assert "浚县" in problem
        width = page.table.columnWidth(column) - 8
        needed = page.table.fontMetrics().boundingRect(
            QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, problem
        )
        assert page.table.wordWrap() and page.table.rowHeight(0) >= needed.height()
        page.table.selectRow(0)
        assert problem in page.detail_label.text()


@pytest.mark.skip(
    reason="crashes the offscreen Qt platform under pytest-qt (a segmentation fault in the "
    "event loop, not reproduced outside it); the masking is tested in "
    "tests/services/test_crosscheck.py"
)
def test_the_crosscheck_export_masks_ids_beside_village_hints_unless_asked(
    qtbot, book: Book, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from hebi_desktop.domain import resident_id

    record = samples.housing(village="雨路社区")  # not a village of 北阳镇: a hint
    book.records("housing").create(record)
    page = CrossCheckPage(book)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.worker is None and page.tree.topLevelItemCount() > 0)

    def ids(name: str) -> set[object]:
        saved = page.save(tmp_path / name)
        assert saved is not None
        return {
            row[8] for row in load_workbook(saved).active.iter_rows(min_row=3, values_only=True)
        }

    assert ids("核查.xlsx") == {resident_id.mask(record["id_number"])}
    qtbot.mouseClick(page.full_ids_check, Qt.MouseButton.LeftButton)
    assert ids("核查-完整.xlsx") == {record["id_number"]}


def test_edited_file_is_taken_in_only_after_the_clerk_confirms(
    qtbot, tmp_path: Path, messages
) -> None:
    from tests.services.test_collect_trust import _edited_copy

    edited = _edited_copy(_exports(tmp_path)[0], tmp_path / "改过.xlsx")
    with county_desk(tmp_path) as county:
        page = CollectPage(county)
        qtbot.addWidget(page)
        page.add_files([edited])
        qtbot.waitUntil(lambda: not page.busy and page.table.rowCount() == 3, timeout=WAIT_MS)
        assert cell(page, 0, "状态") == "暂不接收（待确认）"
        assert "导出后被人改动过" in cell(page, 0, "问题")
        assert "需确认 1 个" in page.summary_label.text()
        messages.answer = messages.answer.No
        qtbot.mouseClick(page.collect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.busy, timeout=WAIT_MS)
        assert "改过.xlsx" in messages.texts("question")[0]
        assert county.records("housing").count() == 0  # held without a yes
        messages.answer = messages.answer.Yes
        with qtbot.waitSignal(page.records_changed, timeout=WAIT_MS):
            qtbot.mouseClick(page.collect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.busy, timeout=WAIT_MS)
        assert county.records("housing").count() == 3


def test_a_dropped_csv_is_listed_as_refused_with_the_reason(
    qtbot, tmp_path: Path, messages
) -> None:
    csv_file = tmp_path / "北阳镇.csv"
    csv_file.write_text("县区,乡镇,行政村\n淇县,北阳镇,王庄村\n", encoding="utf-8")
    with county_desk(tmp_path) as county:
        page = CollectPage(county)
        qtbot.addWidget(page)
        drop(page, [csv_file])
        qtbot.waitUntil(lambda: not page.busy and page.table.rowCount() == 1, timeout=WAIT_MS)
        assert cell(page, 0, "状态") == "拒收"
        assert "报送标识" in cell(page, 0, "问题")
        assert not page.collect_button.isEnabled()
