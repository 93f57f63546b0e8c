"""Saving a checking or summary report as a workbook where the clerk chooses.

The county's 核查, 名单核查 and 县区汇总 panels each offer 导出: ask for the file, write it,
and say where it went or why it could not be written. One place keeps them alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QWidget

from hebi_desktop.errors import UserError

WORKBOOK_FILTER = "Excel 工作簿 (*.xlsx)"


def ask_workbook_target(parent: QWidget, title: str, suggested: str) -> Path | None:
    """The workbook file the clerk chose to save as; None when the dialog was cancelled."""
    name, _filter = QFileDialog.getSaveFileName(parent, title, suggested, WORKBOOK_FILTER)
    return Path(name) if name else None


def write_report(parent: QWidget, status: QLabel, write: Callable[[], Path | str]) -> Path | None:
    """Run ``write``; its path goes to ``status``, a refusal or disk error to a message
    box (导出失败) so the clerk can pick another place. None when nothing was written."""
    try:
        saved = write()
    except (UserError, OSError) as error:
        QMessageBox.warning(parent, "导出失败", str(error))
        return None
    status.setText(f"已导出：{saved}")
    return Path(saved)
