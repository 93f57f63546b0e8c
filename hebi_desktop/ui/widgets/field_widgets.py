"""One editor widget per field kind, all with the same small interface.

Every editor shows its input and, under it, a small message line (red for an
error, orange for a warning) that the form fills as the clerk types. Editors hand
back what the clerk typed (``value()``), not a checked value: checking belongs to
the service, so the form, the importer and the command line all judge a value the
same way. Input limits (length, allowed characters) only stop impossible typing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QDate,
    QElapsedTimer,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QRegularExpressionValidator,
    QShortcut,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from hebi_desktop.domain import pinyin, resident_id
from hebi_desktop.domain.display import display_value
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import NO, YES, Field, Kind, Level
from hebi_desktop.domain.values import ValueProblem, to_date
from hebi_desktop.ui import qt_fixes  # noqa: F401 - binding fixes, applied on import

log = logging.getLogger(__name__)

ERROR_COLOR = "#c62828"
WARNING_COLOR = "#d46b08"
EMPTY_CHOICE = ""
DATE_PLACEHOLDER = "未填（如2024-05-09）"

_PATTERNS: dict[Kind, str] = {
    Kind.ID_NUMBER: r"[0-9０-９XxＸｘ ]{0,22}",
    Kind.PHONE: r"[0-9０-９\-－—() ]{0,20}",
    Kind.INTEGER: r"[0-9０-９]{0,7}",
    Kind.DECIMAL: r"[0-9０-９]{0,11}([.．][0-9０-９]{0,2})?",
    Kind.MONEY: r"[0-9０-９]{0,11}([.．][0-9０-９]{0,2})?",
    Kind.SCHOOL_YEAR: r"[0-9０-９\-－—~～/至学年 ]{0,14}",
    Kind.DATE: r"[0-9０-９\-/.年月日 ]{0,16}",
}
_PLACEHOLDERS: dict[Kind, str] = {
    Kind.ID_NUMBER: "18位身份证号",
    Kind.PHONE: "手机号或0392-1234567",
    Kind.MONEY: "0.00",
    Kind.DECIMAL: "0.00",
    Kind.SCHOOL_YEAR: "如2024-2025",
}


def level_of(level: Level | str | None) -> Level | None:
    if level is None or level == "":
        return None
    return Level(level)


def _text_of(value: Any) -> str:
    """A stored or drafted value as the text an input shows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class FieldEditor(QWidget):
    """Base of all editors: an input row and a message line under it.

    ``changed`` fires on every change of the value, typed or set.
    """

    changed = Signal()

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self._level: Level | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(1)
        self._outer = outer
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(4)
        outer.addLayout(self.row)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("fieldMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.message_label.font()
        font.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))
        self.message_label.setFont(font)
        self.message_label.hide()
        outer.addWidget(self.message_label)
        self.input: QWidget = self._make_input()
        self.row.addWidget(self.input, 1)
        self.setFocusProxy(self.input)
        self.rule_tip = f"{field.header}：{field.rule_text()}"
        self.input.setToolTip(self.rule_tip)

    # --- to override ------------------------------------------------------------------

    def _make_input(self) -> QWidget:
        raise NotImplementedError

    def value(self) -> Any:
        """What the clerk entered, as the service's ``check`` takes it; ``None`` when empty."""
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    # --- shared -----------------------------------------------------------------------

    def clear(self) -> None:
        self.set_value(None)

    def is_empty(self) -> bool:
        return self.value() is None

    @property
    def level(self) -> Level | None:
        return self._level

    def message(self) -> str:
        return self.message_label.text()

    def set_message(self, text: str = "", level: Level | str | None = None) -> None:
        """Show ``text`` under the input (red error, orange warning); empty text clears it."""
        level = level_of(level) if text else None
        if text == self.message_label.text() and level == self._level:
            return
        self._level = level
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        color = ERROR_COLOR if level is Level.ERROR else WARNING_COLOR
        self.message_label.setStyleSheet(f"color: {color};" if text else "")
        self._style_border(None if not text else color)

    def _style_border(self, color: str | None) -> None:
        kind = type(self.input).__name__
        if color is None:
            self.input.setStyleSheet("")
        else:
            self.input.setStyleSheet(f"{kind} {{ border: 1px solid {color}; padding: 1px; }}")

    def focus_widget(self) -> QWidget:
        """The widget that takes keyboard focus (for the tab order)."""
        return self.input

    def _add_note(self, label: QLabel, *, below: bool) -> None:
        """A read-out (born/age, the date as read) under the input, so the input keeps
        the field's whole width on a narrow or scaled screen. In a filter bar it is only
        the input's tooltip: room kept beside the input for it pushed the bar's other
        filters onto rows of their own and left a small screen few table rows."""
        label.hide()
        if below:
            label.setWordWrap(True)
            self._outer.insertWidget(1, label)

    def _show_note(self, label: QLabel, text: str) -> None:
        label.setText(text)
        if label.wordWrap():  # below the input: no empty line when there is nothing to say
            label.setVisible(bool(text))
        else:
            self.input.setToolTip("\n".join(t for t in (text, self.rule_tip) if t))


class LineEditor(FieldEditor):
    """Text, ID number, phone, school year: a line edit with the field's input limits."""

    input: QLineEdit

    def _make_input(self) -> QLineEdit:
        edit = QLineEdit(self)
        kind = self.field.kind
        if kind is Kind.ID_NUMBER:
            edit.setMaxLength(22)  # 18 plus a few pasted spaces, which the service drops
        elif kind is Kind.PHONE:
            edit.setMaxLength(20)
        else:
            edit.setMaxLength(self.field.max_length)
        pattern = _PATTERNS.get(kind)
        if pattern:
            edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), edit))
        edit.setPlaceholderText(self.field.placeholder or _PLACEHOLDERS.get(kind, ""))
        edit.textChanged.connect(self._on_text)
        self._completer: PinyinCompleter | None = None
        return edit

    def _on_text(self, _text: str) -> None:
        self.changed.emit()

    def text(self) -> str:
        return self.input.text()

    def value(self) -> str | None:
        text = self.input.text().strip()
        return text or None

    def set_value(self, value: Any) -> None:
        text = _text_of(value)
        if text != self.input.text():
            self.input.setText(text)

    def set_completions(self, names: Iterable[str]) -> None:
        """Offer ``names`` while typing (villages of the township), matching anywhere in the
        characters or the pinyin initials (``wzc`` offers 王庄村)."""
        if self._completer is None:
            self._completer = PinyinCompleter(self)
            self.input.setCompleter(self._completer)
        self._completer.set_names(names)

    def completions(self) -> list[str]:
        return [] if self._completer is None else self._completer.names()


class PinyinCompleter(QCompleter):
    """A completer matching names by characters or pinyin initials, inserting the name.

    Each entry is matched against "name initials" (a hidden role), but what goes into the
    box is the name itself.
    """

    MATCH_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        self.setCompletionRole(self.MATCH_ROLE)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)

    def set_names(self, names: Iterable[str]) -> None:
        self._model.clear()
        for name in names:
            item = QStandardItem(name)
            item.setData(f"{name} {pinyin.initials(name)}", self.MATCH_ROLE)
            self._model.appendRow(item)

    def names(self) -> list[str]:
        return [self._model.item(row).text() for row in range(self._model.rowCount())]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "")


class NumberEditor(LineEditor):
    """Whole numbers and amounts: right-aligned, digits only, empty allowed."""

    def _make_input(self) -> QLineEdit:
        edit = super()._make_input()
        edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        edit.setMaxLength(16)
        return edit

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        if field.kind is Kind.MONEY:
            self.row.addWidget(QLabel("元", self))


class IdNumberEditor(LineEditor):
    """The resident ID, with gender, birth date and age shown as soon as it is valid."""

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.info_label = QLabel(self)
        self.info_label.setObjectName("idInfo")
        self._add_note(self.info_label, below=True)
        self.input.textChanged.connect(self._update_info)

    def _update_info(self, text: str) -> None:
        self._show_note(self.info_label, id_summary(text))

    def info(self) -> str:
        return self.info_label.text()


def id_summary(text: str, today: dt.date | None = None) -> str:
    """``男，1956-03-08出生，68岁`` for a valid number, empty otherwise."""
    try:
        number = resident_id.validate(text)
    except (resident_id.IdNumberError, ValueError):
        return ""
    born = resident_id.birth_date(number)
    age = resident_id.age_on(number, today or dt.date.today())
    if born is None:
        return ""
    return f"{resident_id.gender(number)}，{born:%Y-%m-%d}出生，{age}岁"


class DateEditor(FieldEditor):
    """A date that may be empty: typed (2024-05-09, 2024年5月9日, 20240509) or picked.

    Qt's date edit cannot be empty, so this is a line edit with a calendar button;
    Alt+↓ or F4 opens the calendar from the keyboard, 今天 and 清空 are in the popup.
    """

    input: QLineEdit

    def __init__(
        self, field: Field, parent: QWidget | None = None, *, echo_below: bool = True
    ) -> None:
        super().__init__(field, parent)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setText("▾")
        self.calendar_button.setToolTip("选择日期（Alt+↓）")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.calendar_button.clicked.connect(self.show_calendar)
        self.row.addWidget(self.calendar_button)
        self.echo_label = QLabel(self)
        self.echo_label.setObjectName("dateEcho")
        self._add_note(self.echo_label, below=echo_below)
        self.input.editingFinished.connect(self.tidy)
        self.input.textChanged.connect(self._update_echo)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(True)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        if field.not_future:
            self.calendar.setMaximumDate(QDate.currentDate())
        self.calendar.setMinimumDate(QDate(1900, 1, 1))
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        self.popup = QMenu(self)
        holder = QWidget(self.popup)
        box = QVBoxLayout(holder)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(self.calendar)
        buttons = QHBoxLayout()
        today = QPushButton("今天", holder)
        today.clicked.connect(lambda: self._picked(QDate.currentDate()))
        empty = QPushButton("清空", holder)
        empty.clicked.connect(self._cleared)
        buttons.addWidget(today)
        buttons.addWidget(empty)
        box.addLayout(buttons)
        action = QWidgetAction(self.popup)
        action.setDefaultWidget(holder)
        self.popup.addAction(action)
        for keys in (QKeySequence("Alt+Down"), QKeySequence(Qt.Key.Key_F4)):
            shortcut = QShortcut(keys, self.input)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.show_calendar)

    def _make_input(self) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setMaxLength(16)
        edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(_PATTERNS[Kind.DATE]), edit)
        )
        edit.setPlaceholderText(self.field.placeholder or DATE_PLACEHOLDER)
        edit.textChanged.connect(lambda _text: self.changed.emit())
        return edit

    def tidy(self) -> None:
        """On leaving the field: a date typed any accepted way (2026.12.2, 20261202) is
        rewritten in the standard form, and the echo says how it was read."""
        day = self.date()
        if day is not None and self.input.text() != day.isoformat():
            self.input.setText(day.isoformat())
        self._update_echo()

    def echo(self) -> str:
        return self.echo_label.text()

    def _update_echo(self, *_args: object) -> None:
        day = self.date()
        text = "" if day is None else f"→ {day.year}年{day.month}月{day.day}日"
        self._show_note(self.echo_label, text)

    def show_calendar(self) -> None:
        current = self.date()
        if current is not None:
            self.calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        else:
            self.calendar.setSelectedDate(QDate.currentDate())
        self.popup.popup(self.input.mapToGlobal(self.input.rect().bottomLeft()))
        self.calendar.setFocus()

    def _picked(self, day: QDate) -> None:
        self.set_value(dt.date(day.year(), day.month(), day.day()))
        self.popup.hide()
        self.input.setFocus()

    def _cleared(self) -> None:
        self.set_value(None)
        self.popup.hide()
        self.input.setFocus()

    def value(self) -> str | None:
        text = self.input.text().strip()
        return text or None

    def date(self) -> dt.date | None:
        """The typed date when it reads as one, else ``None``."""
        text = self.value()
        if text is None:
            return None
        try:
            return to_date(text)
        except ValueProblem:
            return None

    def set_value(self, value: Any) -> None:
        text = _text_of(value)
        if text != self.input.text():
            self.input.setText(text)


def best_choice(texts: list[str], typed: str) -> int:
    """The index of the entry ``typed`` means, or -1: one starting with it (characters or
    pinyin initials) comes before one merely containing it (``qx`` → 淇县, ``bym`` → 北阳镇)."""
    typed = typed.strip().lower()
    if not typed:
        return -1
    for index, text in enumerate(texts):
        if text.lower().startswith(typed) or (
            typed.isascii() and pinyin.initials(text).startswith(typed)
        ):
            return index
    for index, text in enumerate(texts):
        if text and pinyin.matches(text, typed):
            return index
    return -1


class ChoiceSearch(QObject):
    """Type-to-choose on a closed combo box, by characters or pinyin initials.

    Qt's own keyboard search only matches the start of an entry's characters, so ``q`` can
    never reach 淇县 and a Pinyin input method's committed 淇 is ignored. Letters typed in
    quick succession (and committed input-method text) are collected and the best entry is
    chosen; a pause starts a new search, Backspace takes back a letter.
    """

    PAUSE_MS = 1000

    def __init__(self, combo: QComboBox, *, skip_first: bool = False) -> None:
        """``skip_first``: the first entry is a prompt (请选择县区, 乡镇：全部), never chosen
        by typing."""
        super().__init__(combo)
        self.combo = combo
        self.skip_first = skip_first
        self.typed = ""
        self._since = QElapsedTimer()
        combo.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
        combo.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.combo:
            return False
        if event.type() == QEvent.Type.InputMethod:
            assert isinstance(event, QInputMethodEvent)
            if event.commitString():
                self._search(event.commitString())
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event)
        return False

    def _key(self, event: QKeyEvent) -> bool:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if modifiers & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if event.key() == Qt.Key.Key_Backspace and self.typed:
            self.typed = self.typed[:-1]
            self._choose()
            return True
        text = event.text()
        if len(text) == 1 and text.isprintable() and not text.isspace():
            self._search(text)
            return True
        return False

    def _search(self, text: str) -> None:
        if not self._since.isValid() or self._since.elapsed() > self.PAUSE_MS:
            self.typed = ""
        self._since.restart()
        self.typed += text
        self._choose()

    def _choose(self) -> None:
        texts = [self.combo.itemText(i) for i in range(self.combo.count())]
        if self.skip_first and texts:
            texts[0] = ""
        found = best_choice(texts, self.typed)
        if found >= 0:
            self.combo.setCurrentIndex(found)


class ChoiceEditor(FieldEditor):
    """A closed list with an empty first entry (not chosen yet); typing chooses by
    characters or pinyin initials (:class:`ChoiceSearch`)."""

    input: QComboBox

    def _make_input(self) -> QComboBox:
        combo = QComboBox(self)
        self.search = ChoiceSearch(combo)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(4)
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        combo.addItem(EMPTY_CHOICE, None)
        for label, data in self._items():
            combo.addItem(label, data)
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return combo

    def _items(self) -> list[tuple[str, Any]]:
        return [(choice, choice) for choice in self.field.choices]

    def value(self) -> Any:
        return self.input.currentData()

    def set_value(self, value: Any) -> None:
        self.input.setCurrentIndex(self._index_of(value))

    def _index_of(self, value: Any) -> int:
        if value is None or value == "":
            return 0
        found = self.input.findData(value)
        if found < 0:
            found = self.input.findText(_text_of(value))
        return max(found, 0)

    def choices(self) -> list[str]:
        return [self.input.itemText(i) for i in range(1, self.input.count())]


class YesNoEditor(ChoiceEditor):
    """是/否 (a boolean) with an empty entry."""

    def _items(self) -> list[tuple[str, Any]]:
        return [(YES, True), (NO, False)]

    def _index_of(self, value: Any) -> int:
        if isinstance(value, str):
            value = {YES: True, NO: False}.get(value.strip())
        if value is None:
            return 0
        return 1 if value else 2


class CountyEditor(ChoiceEditor):
    """A county of Hebi, shown by name, valued by code."""

    def _items(self) -> list[tuple[str, Any]]:
        return [(d.name, d.code) for d in divisions().counties]

    def _index_of(self, value: Any) -> int:
        if isinstance(value, str) and value and self.input.findData(value) < 0:
            found = divisions().county_by_name(value)
            value = found.code if found else value
        return super()._index_of(value)


class TownshipEditor(ChoiceEditor):
    """A township, listed for the chosen county (all of Hebi when no county is chosen)."""

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        self._county: str | None = None
        super().__init__(field, parent)

    def _items(self) -> list[tuple[str, Any]]:
        table = divisions()
        townships = table.townships_of(self._county) if self._county else table.townships
        return [(d.name, d.code) for d in townships]

    @property
    def county(self) -> str | None:
        return self._county

    def set_county(self, county_code: str | None) -> None:
        """List the townships of ``county_code``, keeping the choice when it still fits."""
        if county_code == self._county:
            return
        current = self.value()
        self._county = county_code
        combo = self.input
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(EMPTY_CHOICE, None)
            for label, data in self._items():
                combo.addItem(label, data)
            combo.setCurrentIndex(self._index_of(current))
        finally:
            combo.blockSignals(False)
        if self.value() != current:
            self.changed.emit()

    def _index_of(self, value: Any) -> int:
        if isinstance(value, str) and value and self.input.findData(value) < 0:
            found = divisions().township_by_name(value, self._county)
            value = found.code if found else value
        return super()._index_of(value)


class DerivedEditor(FieldEditor):
    """A computed column (性别, 出生日期): shown read-only, never typed, never saved."""

    input: QLineEdit

    def _make_input(self) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setReadOnly(True)
        edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        edit.setPlaceholderText("由身份证号自动得出")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return edit

    def value(self) -> None:
        return None

    def shown(self) -> str:
        return self.input.text()

    def set_value(self, value: Any) -> None:
        text = display_value(self.field, value)
        if text != self.input.text():
            self.input.setText(text)


_EDITORS: dict[Kind, type[FieldEditor]] = {
    Kind.TEXT: LineEditor,
    Kind.PHONE: LineEditor,
    Kind.SCHOOL_YEAR: LineEditor,
    Kind.ID_NUMBER: IdNumberEditor,
    Kind.INTEGER: NumberEditor,
    Kind.DECIMAL: NumberEditor,
    Kind.MONEY: NumberEditor,
    Kind.DATE: DateEditor,
    Kind.CHOICE: ChoiceEditor,
    Kind.YES_NO: YesNoEditor,
    Kind.COUNTY: CountyEditor,
    Kind.TOWNSHIP: TownshipEditor,
}


def make_editor(field: Field, parent: QWidget | None = None) -> FieldEditor:
    """The editor for ``field`` (a read-only one for derived fields)."""
    if field.derived:
        return DerivedEditor(field, parent)
    return _EDITORS[field.kind](field, parent)
