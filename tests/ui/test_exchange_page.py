"""导入导出: export through the page (on a worker) and read it back, an import with errors
listed row by row, the report workbook, cancelling, and the submissions list."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from hebi_desktop.domain.display import display_value
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import Cancelled
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.ui.screens.exchange_page import ExchangePage
from hebi_desktop.ui.screens.export_tab import LAST_EXPORT_DIR
from hebi_desktop.ui.workers import Worker
from tests import samples
from tests.ui.ledger_helpers import Messages

LEFT = Qt.MouseButton.LeftButton
HOUSING = get_ledger("housing")
WAIT_MS = 30000


@pytest.fixture
def exchange(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The real exchange services (the page's tests that use them skip without them)."""
    return pytest.importorskip("hebi_desktop.exchange.export")


def make_page(qtbot, book: Book, **services: Any) -> ExchangePage:
    page = ExchangePage(book, **services)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    return page


def save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """QFileDialog.getSaveFileName answers ``path``; returns the folders it was offered."""
    offered: list[str] = []

    def answer(_parent: Any, _title: str, suggested: str, *_args: Any) -> tuple[str, str]:
        offered.append(suggested)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    return offered


def only(page: ExchangePage, key: str) -> None:
    for ledger_key, check in page.ledger_checks.items():
        check.setChecked(ledger_key == key)


def wait_done(qtbot, worker: Worker | None) -> Worker:
    assert worker is not None
    if worker.running:
        with qtbot.waitSignal(worker.done, timeout=WAIT_MS):
            pass
    return worker


def housing_sheet(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A clerk's own workbook: the contract headers in row 1, one record per row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "住房安全"
    fields = [f for f in HOUSING.fields if f.stored]
    sheet.append([f.header for f in fields])
    for values in rows:
        sheet.append([display_value(f, values.get(f.name)) or None for f in fields])
    workbook.save(path)
    return path


# --- export ---------------------------------------------------------------------------


def test_export_writes_a_workbook_that_reads_back(
    qtbot, book: Book, tmp_path: Path, monkeypatch, exchange, messages: Messages
) -> None:
    fill_demo(book, 20, ledgers=("housing",), city_wide=True)  # all over the city
    page = make_page(qtbot, book)
    only(page, "housing")
    page.export_tab.county_combo.setCurrentIndex(0)  # 县区：全部, the clerk's choice
    assert "鹤壁市" in page.export_tab.scope_label.text()
    target_dir = tmp_path / "报送"
    target_dir.mkdir()
    offered = save_as(monkeypatch, target_dir / "北阳镇住房")  # the suffix is added

    qtbot.mouseClick(page.export_button, LEFT)
    worker = wait_done(qtbot, page.worker)

    assert worker.error_message is None
    assert "不是本单位的范围" in messages.texts("question")[0]
    target = target_dir / "北阳镇住房.xlsx"
    assert target.exists()
    assert Path(offered[0]).name.endswith(".xlsx") and "住房安全" in Path(offered[0]).name
    sheet = load_workbook(target, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header_row = next(i for i, r in enumerate(rows) if r and "户主姓名" in r)
    id_column = rows[header_row].index("身份证号")
    ids = {r[id_column] for r in rows[header_row + 1 :] if r[id_column]}
    stored = {r.values["id_number"] for r in book.records("housing").list(None, 0, 100)}
    assert ids == stored and len(ids) == 20
    assert "已导出 20 条" in page.export_label.text()
    assert book.settings.get(LAST_EXPORT_DIR) == str(target_dir)  # folder remembered
    assert page.submission_table.rowCount() == 1
    assert page.submission_table.item(0, 2).text() == "20"
    assert page.submission_table.item(0, 5).text() == "北阳镇住房.xlsx"


def test_masked_export_hides_id_digits(
    qtbot, book: Book, tmp_path: Path, monkeypatch, exchange
) -> None:
    book.records("housing").create(samples.housing())
    page = make_page(qtbot, book)
    only(page, "housing")
    page.mask_check.setChecked(True)
    page.record_check.setChecked(False)
    save_as(monkeypatch, tmp_path / "公示.xlsx")
    wait_done(qtbot, page.start_export())
    cells = [
        c
        for row in load_workbook(tmp_path / "公示.xlsx").worksheets[0].iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    ]
    assert samples.HOUSEHOLD_HEAD_ID not in cells
    assert any(c.startswith(samples.HOUSEHOLD_HEAD_ID[:6]) and "*" in c for c in cells)
    assert page.submission_table.rowCount() == 0  # not recorded as a submission


def test_cancelled_export_writes_nothing(
    qtbot, book: Book, tmp_path: Path, monkeypatch, exchange
) -> None:
    """The clerk presses 取消 at once: the real service stops, no file, no submission."""
    fill_demo(book, 20, ledgers=("housing",), city_wide=True)
    page = make_page(qtbot, book)
    save_as(monkeypatch, tmp_path / "取消.xlsx")
    start = Worker.start

    def cancelled_at_once(worker: Worker) -> None:
        worker.cancel()
        start(worker)

    monkeypatch.setattr(Worker, "start", cancelled_at_once)
    worker = wait_done(qtbot, page.start_export())
    assert worker.was_cancelled
    assert list(tmp_path.glob("*.xlsx")) == [] and list(tmp_path.glob("*取消*")) == []
    assert page.submission_table.rowCount() == 0
    assert "已取消导出" in page.export_label.text()


def test_cancel_button_stops_a_running_export(qtbot, book: Book, tmp_path, monkeypatch) -> None:
    """With a stand-in service that works until told to stop."""
    calls: list[str] = []
    started = time.monotonic()

    def slow_export(_book, _request, _target, *, progress, cancelled) -> Any:
        progress(1, 100)
        while not cancelled():
            if time.monotonic() - started > 10:
                return None
            time.sleep(0.005)
        calls.append("stopped")
        raise Cancelled()

    page = make_page(qtbot, book, exporter=slow_export, importer=lambda *_a, **_k: None)
    save_as(monkeypatch, tmp_path / "慢.xlsx")
    worker = page.start_export()
    assert page.busy and not page.export_button.isEnabled()
    assert page.progress_panel.isVisible()
    qtbot.waitUntil(lambda: page.progress_panel.bar.value() == 1, timeout=WAIT_MS)
    qtbot.mouseClick(page.progress_panel.cancel_button, LEFT)
    wait_done(qtbot, worker)
    assert calls == ["stopped"]
    assert not page.busy and page.export_button.isEnabled()
    assert not page.progress_panel.isVisible()
    assert "已取消导出" in page.export_label.text()


def test_a_bad_date_is_named_before_asking_for_a_file(qtbot, book: Book, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: pytest.fail("asked"))
    page = make_page(qtbot, book)
    page.date_from_editor.input.setText("2024-13-45")
    assert page.start_export() is None
    assert "日期格式" in page.date_from_editor.message()


# --- import ---------------------------------------------------------------------------


def test_an_import_with_errors_lists_them_and_writes_nothing(
    qtbot, book: Book, tmp_path: Path, monkeypatch, exchange
) -> None:
    good = samples.housing()
    bad_id = samples.HOUSEHOLD_HEAD_ID[:-1] + ("0" if samples.HOUSEHOLD_HEAD_ID[-1] != "0" else "1")
    bad = samples.housing(head_name="王建国", id_number=bad_id, check_date=None)
    source = housing_sheet(tmp_path / "乡镇排查表.xlsx", [good, bad])
    page = make_page(qtbot, book)
    page.show_import("housing")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (str(source), ""))
    qtbot.mouseClick(page.browse_button, LEFT)
    assert page.file_edit.text() == str(source)

    with qtbot.assertNotEmitted(page.records_changed):
        qtbot.mouseClick(page.import_button, LEFT)
        wait_done(qtbot, page.worker)

    rows = page.issue_model.row_texts()
    assert ("错误", "3", "身份证号", bad_id) in [r[:4] for r in rows]
    assert any(r[1] == "3" and r[2] == "排查日期" for r in rows)
    assert all(r[0] == "错误" for r in rows if r[1] == "3")
    assert "没有导入任何记录" in page.import_label.text()
    assert book.records("housing").count() == 0  # all or nothing
    assert page.report_button.isEnabled()

    report = tmp_path / "报告.xlsx"
    save_as(monkeypatch, report)
    wait_done(qtbot, page.save_report())
    assert report.exists()
    assert "错误报告已保存" in page.import_label.text()


def test_a_good_import_writes_and_says_so(qtbot, book: Book, tmp_path: Path, exchange) -> None:
    source = housing_sheet(tmp_path / "好表.xlsx", [samples.housing()])
    page = make_page(qtbot, book)
    page.show_import("housing")
    page.file_edit.setText(str(source))
    with qtbot.waitSignal(page.records_changed, timeout=WAIT_MS):
        worker = page.start_import()
    wait_done(qtbot, worker)
    assert book.records("housing").count() == 1
    assert "新增 1 条" in page.import_label.text()
    assert page.issue_model.rowCount() == 0


def test_an_import_with_a_misspelt_village_imports_and_hints(
    qtbot, book: Book, tmp_path: Path, exchange
) -> None:
    source = housing_sheet(tmp_path / "村名.xlsx", [samples.housing(village="黄推村")])
    page = make_page(qtbot, book)
    page.show_import("housing")
    page.file_edit.setText(str(source))
    with qtbot.waitSignal(page.records_changed, timeout=WAIT_MS):
        worker = page.start_import()
    wait_done(qtbot, worker)
    assert book.records("housing").count() == 1
    text = page.import_label.text()
    assert "新增 1 条" in text and "村名提醒：1 行的行政村不在所属乡镇的村名单中" in text
    assert "是否为“黄堆村”？" in text
    assert page.issue_model.rowCount() == 1  # listed with its row, beside any warnings


def test_an_unreadable_file_is_told_in_chinese(
    qtbot, book: Book, tmp_path: Path, messages: Messages, exchange
) -> None:
    source = tmp_path / "坏文件.xlsx"
    source.write_text("not a workbook", encoding="utf-8")
    page = make_page(qtbot, book)
    page.file_edit.setText(str(source))
    worker = wait_done(qtbot, page.start_import())
    assert worker.error_message
    (text,) = messages.texts("warning")
    assert text == worker.error_message and "Traceback" not in text
    assert "导入未完成" in page.import_label.text()


def test_import_runs_with_the_clerks_choices(qtbot, book: Book, tmp_path: Path) -> None:
    """The page hands ledger, duplicates policy and dry run to the service."""
    seen: dict[str, Any] = {}

    result = SimpleNamespace(
        ledger="water",
        file=tmp_path / "x.xlsx",
        sheet="Sheet1",
        rows_read=3,
        inserted=2,
        updated=0,
        skipped=1,
        errors=[],
        warnings=[],
        village_hints=[],
        ignored_columns=["备用列"],
        dry_run=True,
    )

    def fake_import(_book, ledger, source, **options) -> SimpleNamespace:
        seen.update(options, ledger=ledger, source=source)
        return result

    source = tmp_path / "x.xlsx"
    source.write_bytes(b"")
    page = make_page(qtbot, book, exporter=lambda *_a, **_k: None, importer=fake_import)
    page.show_import("water")
    page.duplicate_combo.setCurrentIndex(page.duplicate_combo.findData("skip"))
    page.dry_run_check.setChecked(True)
    page.file_edit.setText(str(source))
    wait_done(qtbot, page.start_import())
    assert seen["ledger"] == "water" and seen["source"] == source
    assert seen["on_duplicate"] == "skip" and seen["dry_run"] is True
    text = page.import_label.text()
    assert "检查完毕" in text and "新增 2 条" in text and "备用列" in text


def test_the_error_report_masks_ids_unless_the_clerk_asks_for_full_ones(
    qtbot, book: Book, tmp_path: Path, monkeypatch, exchange
) -> None:
    from hebi_desktop.domain import resident_id
    from hebi_desktop.exchange.report import COPY_SHEET

    good = samples.housing()
    bad = samples.housing(head_name="王建国", id_number=None)
    source = housing_sheet(tmp_path / "乡镇排查表.xlsx", [good, bad])
    page = make_page(qtbot, book)
    page.show_import("housing")
    page.file_edit.setText(str(source))
    wait_done(qtbot, page.start_import())

    def saved_ids(name: str) -> set[Any]:
        report = tmp_path / name
        save_as(monkeypatch, report)
        wait_done(qtbot, page.save_report())
        return {cell.value for row in load_workbook(report)[COPY_SHEET].iter_rows() for cell in row}

    check = page.import_tab.full_ids_check
    assert not check.isChecked()
    masked = saved_ids("脱敏.xlsx")
    assert resident_id.mask(good["id_number"]) in masked and good["id_number"] not in masked
    qtbot.mouseClick(check, LEFT)
    assert good["id_number"] in saved_ids("完整.xlsx")
