"""复核录入: the blind second keying of one record, keyboard only.

The dialog names the record (place, name, date: what the verifier finds the paper form
by) but never shows the values being verified. The cursor starts in the first verified
field; Enter moves to the next, and Enter in the last one compares. When all match the
record is 已复核 and the dialog closes. A mismatch shows both values side by side; the
verifier picks the right one per field (arrow keys, Space) and Enter again
saves the choice, audited.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.display import display_value
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Ledger
from hebi_desktop.errors import UserError, ValidationFailed
from hebi_desktop.services.book import Book
from hebi_desktop.services.verification import (
    ENTERED,
    REKEYED,
    Comparison,
    MismatchNeedsChoice,
    VerificationService,
)


class VerifyDialog(QDialog):
    """See the module docstring. ``verified`` carries the record id once it is 已复核."""

    verified = Signal(int)

    def __init__(
        self, book: Book, ledger: Ledger, record_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.book = book
        self.ledger = ledger
        self.service = VerificationService(book, ledger)
        self.record = book.records(ledger).get(record_id)
        self.service.check_verifier(self.record, book.operator)  # UserError: not allowed
        self.setWindowTitle(f"复核录入 — {ledger.nav_title} 记录编号{record_id}")
        self.choices: dict[str, QButtonGroup] = {}
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self._which(), self))
        intro = QLabel(
            "请对照纸质材料重新录入下列内容（看不到原录入值）；回车到下一项，最后一项回车即核对。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for field in self.service.fields:
            edit = QLineEdit(self)
            edit.setObjectName(f"verify_{field.name}")
            edit.returnPressed.connect(lambda name=field.name: self._next(name))
            form.addRow(f"{field.header}：", edit)
            self.edits[field.name] = edit
        layout.addLayout(form)
        self.mismatch_box = QGroupBox(
            "与原录入不一致，请逐项选择正确的值（方向键移动、空格选中，回车确认）", self
        )
        self.mismatch_grid = QGridLayout(self.mismatch_box)
        self.mismatch_box.hide()
        layout.addWidget(self.mismatch_box)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #c62828;")
        layout.addWidget(self.message_label)
        buttons = QDialogButtonBox(self)
        self.confirm_button = buttons.addButton(
            "核对并确认", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.confirm_button.setAutoDefault(False)
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        first = next(iter(self.edits.values()), None)
        if first is not None:
            first.setFocus()

    def _which(self) -> str:
        values = self.record.values
        name = values.get(self.ledger.name_field) or ""
        day = display_value(
            self.ledger.field(self.ledger.main_date), values.get(self.ledger.main_date)
        )
        place = f"{divisions().name(values.get('township_code'))}{values.get('village') or ''}"
        return f"{place} {name} {self.ledger.main_date_header}：{day or '未填'}"

    def _next(self, name: str) -> None:
        names = list(self.edits)
        index = names.index(name)
        if index + 1 < len(names):
            self.edits[names[index + 1]].setFocus()
        else:
            self.confirm()

    def rekeyed(self) -> dict[str, Any]:
        return {name: edit.text() for name, edit in self.edits.items()}

    def chosen(self) -> dict[str, str]:
        picked: dict[str, str] = {}
        for name, group in self.choices.items():
            button = group.checkedButton()
            if button is not None:
                picked[name] = str(button.property("choice"))
        return picked

    def confirm(self) -> bool:
        """Compare (and, after a mismatch, save the choices); True once verified."""
        try:
            self.service.verify(self.record.id, self.record.version, self.rekeyed(), self.chosen())
        except MismatchNeedsChoice as mismatch:
            self._show_mismatches(mismatch.mismatches)
            return False
        except ValidationFailed as failed:
            self.message_label.setText("\n".join(i.message for i in failed.issues))
            return False
        except UserError as error:
            self.message_label.setText(str(error))
            return False
        self.verified.emit(self.record.id)
        self.accept()
        return True

    def _show_mismatches(self, mismatches: list[Comparison]) -> None:
        """Both values side by side with a choice each; the re-keyed fields lock meanwhile
        (a change would be a new comparison: cancel and start again)."""
        for edit in self.edits.values():
            edit.setReadOnly(True)
        grid = self.mismatch_grid
        for column, title in enumerate(("项目", "原录入", "复核录入")):
            grid.addWidget(QLabel(f"<b>{title}</b>", self.mismatch_box), 0, column)
        first: QRadioButton | None = None
        for row, comparison in enumerate(mismatches, start=1):
            if comparison.field in self.choices:
                continue
            group = QButtonGroup(self)
            grid.addWidget(QLabel(comparison.header, self.mismatch_box), row, 0)
            for column, which in ((1, ENTERED), (2, REKEYED)):
                shown = self.service.shown(comparison, which)
                button = QRadioButton(shown, self.mismatch_box)
                button.setProperty("choice", which)
                button.setObjectName(f"choose_{comparison.field}_{which}")
                group.addButton(button)
                grid.addWidget(button, row, column)
                first = first or button
            self.choices[comparison.field] = group
        self.message_label.setText("复核录入与原录入不一致：请逐项选择正确的值，再按回车确认")
        self.mismatch_box.show()
        self.adjustSize()  # room for the side-by-side rows
        self.confirm_button.setDefault(True)
        if first is not None:
            first.setFocus()

    def keyPressEvent(self, event: Any) -> None:
        """Enter is ours: in a field it moves on (the field handles it); in the choices it
        confirms. It never reaches QDialog, which would press a default button instead."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.choices:
                self.confirm()
            return
        super().keyPressEvent(event)
