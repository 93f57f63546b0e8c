"""工作范围 in the settings page: a township desk (entering and sending) or a county desk
(collecting the townships' submissions).

Changing it changes what leaves the desk by default (exports, prints, submissions), so
it is asked first in words that say what changes; once confirmed it is saved and the
window applies it at once (navigation, defaults, title) — no restart.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QLabel,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.services.book import Book
from hebi_desktop.services.desk_scope import scope_of
from hebi_desktop.services.settings import SCOPE, SCOPE_COUNTY, SCOPE_TOWNSHIP

Yes = QMessageBox.StandardButton.Yes
No = QMessageBox.StandardButton.No


def change_question(values: dict[str, str], county: bool) -> str:
    """What the change means for this desk, in the clerk's words."""
    before = scope_of(values).name
    after = scope_of({**values, SCOPE: SCOPE_COUNTY if county else SCOPE_TOWNSHIP}).name
    if county:
        return (
            f"把本机的工作范围改为“县区（{after}）”吗？\n\n"
            f"改后：导出、打印、报送默认为整个{after}（不再只是{before}）；"
            "左侧出现“汇总报送”，用于接收各乡镇报送的工作簿；窗口标题显示县区。"
        )
    return (
        f"把本机的工作范围改为“乡镇（{after}）”吗？\n\n"
        f"改后：导出、打印、报送默认只含{after}的记录（不再是整个{before}）；"
        "左侧不再显示“汇总报送”。"
    )


class ScopeBox(QGroupBox):
    """``scope_changed(scope)`` after a confirmed and saved change."""

    scope_changed = Signal(str)

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__("工作范围", parent)
        self.book = book
        layout = QVBoxLayout(self)
        self.township_radio = QRadioButton("乡镇（街道）：录入台账，导出上报", self)
        self.county_radio = QRadioButton("县区：汇总各乡镇报送的工作簿、跨乡镇核查", self)
        self.group = QButtonGroup(self)
        self.group.addButton(self.township_radio)
        self.group.addButton(self.county_radio)
        layout.addWidget(self.township_radio)
        layout.addWidget(self.county_radio)
        self.note = QLabel(
            "县区以上方“填报信息”中的县区为本县区。导出、打印和报送默认只含本单位范围内的记录。",
            self,
        )
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.load()
        self.county_radio.toggled.connect(self._toggled)

    def load(self) -> None:
        county = self.book.settings.get(SCOPE) == SCOPE_COUNTY
        for radio in (self.county_radio, self.township_radio):
            radio.blockSignals(True)
        self.county_radio.setChecked(county)
        self.township_radio.setChecked(not county)
        for radio in (self.county_radio, self.township_radio):
            radio.blockSignals(False)

    def _toggled(self, county: bool) -> None:
        question = change_question(self.book.settings.all(), county)
        if QMessageBox.question(self, "更改工作范围", question, Yes | No, No) != Yes:
            self.load()  # back to what is saved
            return
        scope = SCOPE_COUNTY if county else SCOPE_TOWNSHIP
        self.book.settings.set(SCOPE, scope)
        self.note.setText("已更改，立即生效。")
        self.scope_changed.emit(scope)
