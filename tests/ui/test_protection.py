"""The window's side of data protection: 加密导出 with a typed password, a protected
workbook imported after its password is typed, and the recovery-key reminder."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import msoffcrypto
import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog
from python_calamine import CalamineWorkbook

from hebi_desktop.exchange.protected import forget_passwords, is_protected
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.ui.dialogs.recovery_key import RecoveryKeyDialog
from hebi_desktop.ui.screens.overview_page import OverviewPage
from tests.ui.ledger_helpers import Messages
from tests.ui.test_exchange_page import LEFT, make_page, only, save_as, wait_done

PASSWORD = "乡镇报送123"


@pytest.fixture(autouse=True)
def _fresh_passwords() -> None:
    forget_passwords()


def typed(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    """The password fields answer ``answers`` in turn; returns the questions asked."""
    asked: list[str] = []

    def answer(_parent: Any, _title: str, label: str, *_args: Any) -> tuple[str, bool]:
        asked.append(label)
        return (answers.pop(0), True) if answers else ("", False)

    monkeypatch.setattr(QInputDialog, "getText", answer)
    return asked


def test_encrypted_export_from_the_window_opens_with_the_password(
    qtbot, book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    fill_demo(book, 5, ledgers=("housing",), city_wide=True)  # all over the city
    page = make_page(qtbot, book)
    only(page, "housing")
    page.export_tab.county_combo.setCurrentIndex(0)  # 县区：全部, the clerk's choice
    target = tmp_path / "加密.xlsx"
    save_as(monkeypatch, target)
    asked = typed(monkeypatch, [PASSWORD, PASSWORD])
    page.export_tab.encrypt_check.setChecked(True)

    qtbot.mouseClick(page.export_button, LEFT)
    worker = wait_done(qtbot, page.worker)

    assert worker.error_message is None and len(asked) == 2
    assert is_protected(target)
    with open(target, "rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        office.load_key(password=PASSWORD)
        plain = io.BytesIO()
        office.decrypt(plain)
    plain.seek(0)
    rows = CalamineWorkbook.from_filelike(plain).get_sheet_by_index(0).to_python()
    assert sum(1 for row in rows if "王庄村" in str(row) or any(cell for cell in row)) > 5
    assert "已加密" in page.export_label.text()


def test_a_protected_workbook_is_imported_after_its_password_is_typed(
    qtbot, book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    from hebi_desktop.exchange.export import ExportRequest, export_workbook

    with Book.open(tmp_path / "township.sqlite") as other:
        other.settings.set("operator", "乡镇")
        other.settings.set("county_code", "410622")
        other.settings.set("township_code", "410622102")
        fill_demo(other, 4, ledgers=("housing",), city_wide=True)
        source = tmp_path / "报送.xlsx"
        request = ExportRequest(("housing",), password=PASSWORD, all_places=True)
        export_workbook(other, request, source)
    forget_passwords()
    page = make_page(qtbot, book)
    page.show_import("housing")
    page.file_edit.setText(str(source))
    asked = typed(monkeypatch, ["wrong-one", PASSWORD])

    worker = page.start_import()
    wait_done(qtbot, worker)

    assert "设有密码" in asked[0] and "密码不对" in asked[1]
    assert book.records("housing").count() == 4
    # Cancelling the question imports nothing.
    forget_passwords()
    typed(monkeypatch, [])
    assert page.start_import() is None


def test_the_overview_reminds_until_the_recovery_key_is_saved(
    qtbot, book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    page = OverviewPage(book)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    assert page.recovery_row.isVisible()
    sheet = tmp_path / "恢复密钥.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(sheet), ""))
    monkeypatch.setattr(RecoveryKeyDialog, "exec", lambda self: self.save_pdf())
    qtbot.mouseClick(page.recovery_button, LEFT)
    assert sheet.is_file() and sheet.read_bytes().startswith(b"%PDF")
    assert not page.recovery_row.isVisible()
