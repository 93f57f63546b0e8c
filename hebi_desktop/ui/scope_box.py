"""工作范围 in the settings page: a township desk (entering and sending) or a county desk
(collecting the townships' submissions). Saved at once; the 汇总报送 page appears in the
navigation the next time the program opens."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QGroupBox, QLabel, QRadioButton, QVBoxLayout, QWidget

from hebi_desktop.services.book import Book
from hebi_desktop.services.settings import SCOPE, SCOPE_COUNTY, SCOPE_TOWNSHIP


class ScopeBox(QGroupBox):
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
        self.note = QLabel("县区以上方“填报信息”中的县区为本县区；更改后重新打开程序生效。", self)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.load()
        self.county_radio.toggled.connect(self._toggled)

    def load(self) -> None:
        county = self.book.settings.get(SCOPE) == SCOPE_COUNTY
        self.county_radio.blockSignals(True)
        self.county_radio.setChecked(county)
        self.township_radio.setChecked(not county)
        self.county_radio.blockSignals(False)

    def _toggled(self, county: bool) -> None:
        scope = SCOPE_COUNTY if county else SCOPE_TOWNSHIP
        self.book.settings.set(SCOPE, scope)
        self.note.setText("已保存；重新打开程序后生效。")
        self.scope_changed.emit(scope)
