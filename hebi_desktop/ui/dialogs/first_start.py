"""Who fills the ledgers and for which township: asked at the first start, kept in settings.

The answers go into every exported workbook's 填报 row and pre-fill the place of each
new record. :class:`OperatorForm` is shared with the settings page, where they can be
changed later.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop import APP_TITLE
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Field, Kind
from hebi_desktop.domain.values import ValueProblem, make_parser
from hebi_desktop.services.book import Book
from hebi_desktop.services.settings import (
    COUNTY,
    OPERATOR,
    OPERATOR_PHONE,
    TOWNSHIP,
    setting_problem,
)
from hebi_desktop.ui import geometry
from hebi_desktop.ui.icons import app_icon
from hebi_desktop.ui.widgets.field_widgets import ERROR_COLOR, ChoiceSearch
from hebi_desktop.ui.widgets.steady_inputs import hold_steady

NAME_LIMIT = 20
_PHONE = make_parser(Field("operator_phone", "联系电话", Kind.PHONE))


class OperatorForm(QWidget):
    """填报人, 联系电话, 县区 and 乡镇; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(NAME_LIMIT)
        self.name_edit.setPlaceholderText("填报人姓名，如：张丽")
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setPlaceholderText("选填，手机号或带区号的固定电话")
        self.county_combo = QComboBox(self)
        self.township_combo = QComboBox(self)
        for combo in (self.county_combo, self.township_combo):  # 淇县 from "qx"
            ChoiceSearch(combo, skip_first=True)
        self.county_combo.addItem("请选择县区", None)
        for county in divisions().counties:
            self.county_combo.addItem(county.name, county.code)
        self._fill_townships()
        self.message_label = QLabel(self)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message_label.setWordWrap(True)
        layout.addRow("填报人：", self.name_edit)
        layout.addRow("联系电话：", self.phone_edit)
        layout.addRow("县区：", self.county_combo)
        layout.addRow("乡镇：", self.township_combo)
        layout.addRow("", self.message_label)
        self.name_edit.textChanged.connect(self._edited)
        self.phone_edit.textChanged.connect(self._edited)
        self.county_combo.currentIndexChanged.connect(self._county_changed)
        self.township_combo.currentIndexChanged.connect(self._edited)
        hold_steady(self)
        self._update_message()

    # --- values -----------------------------------------------------------------------

    def _fill_townships(self) -> None:
        county = self.county_combo.currentData()
        combo = self.township_combo
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem("请选择乡镇" if county else "请先选择县区", None)
            if county:
                for township in divisions().townships_of(county):
                    combo.addItem(township.name, township.code)
            combo.setEnabled(bool(county))
        finally:
            combo.blockSignals(False)

    def _county_changed(self, *_args: object) -> None:
        self._fill_townships()
        self._edited()

    def _edited(self, *_args: object) -> None:
        self._update_message()
        self.changed.emit()

    def load(self, values: dict[str, Any]) -> None:
        """Show stored settings (keys as in :mod:`hebi_desktop.services.settings`)."""
        self.name_edit.setText(values.get(OPERATOR) or "")
        self.phone_edit.setText(values.get(OPERATOR_PHONE) or "")
        township = values.get(TOWNSHIP)
        county = values.get(COUNTY)
        if not county and township:
            division = divisions().by_code.get(township)
            county = division.parent_code if division else None
        self.county_combo.setCurrentIndex(max(self.county_combo.findData(county), 0))
        self._fill_townships()
        self.township_combo.setCurrentIndex(max(self.township_combo.findData(township), 0))
        self._update_message()

    def problems(self) -> list[str]:
        """What still keeps the answers from being saved, in Chinese."""
        found: list[str] = []
        if not self.name_edit.text().strip():
            found.append("请填写填报人姓名")
        hidden = setting_problem(OPERATOR, self.name_edit.text())
        if hidden is not None:
            found.append(hidden)
        phone = self.phone_edit.text().strip()
        if phone:
            try:
                _PHONE(phone)
            except ValueProblem as problem:
                found.append(f"联系电话：{problem}")
        if not self.county_combo.currentData():
            found.append("请选择县区")
        elif not self.township_combo.currentData():
            found.append("请选择乡镇")
        return found

    def is_complete(self) -> bool:
        return not self.problems()

    def values(self) -> dict[str, str | None]:
        phone = self.phone_edit.text().strip()
        return {
            OPERATOR: self.name_edit.text().strip(),
            OPERATOR_PHONE: _PHONE(phone) if phone else None,
            COUNTY: self.county_combo.currentData(),
            TOWNSHIP: self.township_combo.currentData(),
        }

    def save(self, book: Book) -> None:
        """Store the answers; call only when :meth:`is_complete`."""
        for key, value in self.values().items():
            book.settings.set(key, value)

    def show_missing(self) -> list[str]:
        """Say every answer still missing (Enter on an incomplete form) and go to the first."""
        problems = self.problems()
        self.message_label.setText("还不能开始：" + "；".join(problems) if problems else "")
        self.message_label.setVisible(bool(problems))
        first = {
            "请填写填报人姓名": self.name_edit,
            "请选择县区": self.county_combo,
            "请选择乡镇": self.township_combo,
        }
        for problem in problems:
            widget = first.get(problem, self.phone_edit)
            widget.setFocus()
            break
        return problems

    def _update_message(self) -> None:
        # Only the phone gets a red message as typed; missing answers are obvious.
        problems = [p for p in self.problems() if p.startswith("联系电话")]
        self.message_label.setText("；".join(problems))
        self.message_label.setVisible(bool(problems))


class FirstStartDialog(QDialog):
    """The questions of the first start; 确定 stays disabled until they are answered."""

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        # Qt appends the program name to every title that does not end with it: once.
        self.setWindowTitle("首次使用")
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        heading = QLabel(f"欢迎使用{APP_TITLE}", self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        intro = QLabel(
            "请填写填报人和所在乡镇。它们会写在导出表格的“填报人、填报单位”一行，"
            "新建记录时自动填入县区和乡镇。以后可以在“设置”中修改。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.form = OperatorForm(self)
        self.form.load(book.settings.all())
        self.questions = scroll = QScrollArea(self)  # a short screen scrolls the questions
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab moves between the fields only
        scroll.setWidget(self.form)
        layout.addWidget(scroll, 1)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton("开始使用", self)
        self.ok_button.setDefault(True)
        self.quit_button = QPushButton("退出", self)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons, 0, Qt.AlignmentFlag.AlignRight)
        self.form.changed.connect(self._update)
        self.form.changed.connect(self.fit_questions)
        self._update()
        self.form.name_edit.setFocus()
        chrome = self.sizeHint().height() - scroll.sizeHint().height()
        wanted = self.form.sizeHint().height() + chrome
        geometry.fit_to_screen(self, QSize(460, wanted))

    def _update(self) -> None:
        self.ok_button.setEnabled(self.form.is_complete())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit_questions()

    def fit_questions(self) -> None:
        """Grow to show every question and the red line under them, as far as the screen
        allows. The first size comes from size hints laid out narrower than the dialog
        opens, and the dialog did not follow the red line when it appeared: the questions
        scrolled on a screen with room to spare (1024×768 at 150 %)."""
        width = self.questions.viewport().width()
        needed = self.form.heightForWidth(width) if self.form.hasHeightForWidth() else -1
        needed = max(needed, self.form.minimumSizeHint().height())
        wanted = self.height() - self.questions.viewport().height() + needed
        area = geometry.available(self)
        height = min(wanted, area.height() - geometry.FRAME_ALLOWANCE.height())
        if height <= self.height():
            return
        self.resize(self.width(), height)
        frame = self.frameGeometry()
        if frame.bottom() > area.bottom():  # grown past the screen's foot: move up
            self.move(self.x(), max(area.top(), self.y() - (frame.bottom() - area.bottom())))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter with answers missing: say which, instead of doing nothing."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not self.form.is_complete():
            self.form.show_missing()
            self.fit_questions()
            event.accept()
            return
        super().keyPressEvent(event)

    def accept(self) -> None:
        if not self.form.is_complete():
            return
        self.form.save(self.book)
        super().accept()
