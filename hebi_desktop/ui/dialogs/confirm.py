"""The yes/no question asked before a step that needs the clerk's explicit consent."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirmed(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask 是/否 with 否 as the default, so an Enter pressed without reading does not go
    ahead; True only when the clerk chose 是."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
