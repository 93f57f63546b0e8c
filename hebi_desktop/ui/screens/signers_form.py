"""单位与签字人: the unit's full name and the people printed forms name.

The printed roster says 填报单位 in full (淇县北阳镇人民政府, not just 北阳镇), names the
审核人 and 单位负责人 beside their signature lines, and a public notice gives a 监督电话.
Saved with its own button, like the operator's details, so a half-typed name never
reaches paper.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from hebi_desktop.domain.fields import Field, Kind
from hebi_desktop.domain.values import ValueProblem, make_parser
from hebi_desktop.printing.content import default_unit_name
from hebi_desktop.services.book import Book
from hebi_desktop.services.settings import (
    REVIEWER,
    SUPERVISION_PHONE,
    UNIT_HEAD,
    UNIT_NAME,
    setting_problem,
)
from hebi_desktop.ui.widgets.field_widgets import ERROR_COLOR

OK_COLOR = "#2e7d32"
NAME_LIMIT = 20
UNIT_LIMIT = 60
_PHONE = make_parser(Field("supervision_phone", "监督电话", Kind.PHONE))


class SignersBox(QGroupBox):
    """Four answers and a 保存 button; ``saved`` after they were stored."""

    saved = Signal()

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__("单位与签字人（写在打印的花名册、公示名单和发放登记表上）", parent)
        self.book = book
        form = QFormLayout(self)
        self.unit_edit = QLineEdit(self)
        self.unit_edit.setMaxLength(UNIT_LIMIT)
        self.reviewer_edit = QLineEdit(self)
        self.reviewer_edit.setMaxLength(NAME_LIMIT)
        self.head_edit = QLineEdit(self)
        self.head_edit.setMaxLength(NAME_LIMIT)
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setPlaceholderText("公示名单上的监督电话，如 0392-7221234")
        self.edits = {
            UNIT_NAME: self.unit_edit,
            REVIEWER: self.reviewer_edit,
            UNIT_HEAD: self.head_edit,
            SUPERVISION_PHONE: self.phone_edit,
        }
        form.addRow("单位全称：", self.unit_edit)
        form.addRow("审核人：", self.reviewer_edit)
        form.addRow("单位负责人：", self.head_edit)
        form.addRow("监督电话：", self.phone_edit)
        row = QHBoxLayout()
        self.save_button = QPushButton("保存单位与签字人", self)
        self.save_button.clicked.connect(self.save)
        self.message_label = QLabel(self)
        row.addWidget(self.save_button)
        row.addWidget(self.message_label, 1)
        form.addRow("", row)
        for edit in self.edits.values():
            edit.setMaximumWidth(420)
            edit.textEdited.connect(self._edited)
        self.load()

    def load(self) -> None:
        values = self.book.settings.all()
        for key, edit in self.edits.items():
            edit.setText(values.get(key) or "")
        # What prints when 单位全称 is left empty: county + township + 人民政府.
        fallback = default_unit_name(values.get("county_code"), values.get("township_code"))
        self.unit_edit.setPlaceholderText(f"如：{fallback or '淇县北阳镇人民政府'}")
        self.save_button.setEnabled(False)
        self.message_label.setText("")

    def problem(self) -> str | None:
        for key, edit in self.edits.items():
            found = setting_problem(key, edit.text())
            if found is not None:
                return found
        phone = self.phone_edit.text().strip()
        if phone:
            try:
                _PHONE(phone)
            except ValueProblem as problem:
                return f"监督电话：{problem}"
        return None

    def _edited(self, *_args: object) -> None:
        problem = self.problem()
        self.save_button.setEnabled(problem is None)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message_label.setText(problem or "")

    def save(self) -> bool:
        if self.problem() is not None:
            return False
        for key, edit in self.edits.items():
            value = edit.text().strip()
            if key == SUPERVISION_PHONE and value:
                value = str(_PHONE(value))
            self.book.settings.set(key, value or None)
        self.save_button.setEnabled(False)
        self.message_label.setStyleSheet(f"color: {OK_COLOR};")
        self.message_label.setText("已保存")
        self.saved.emit()
        return True
