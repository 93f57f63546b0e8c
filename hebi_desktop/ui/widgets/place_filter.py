"""The place and date-range choosers shared by the ledger page's filter bar and the
export form: 县区/乡镇 combos and a 行政村 box with completions, and a 起…至 date pair.

Both only turn widget states into :class:`RecordQuery` fields; their owners decide when
to run the query. A date that does not read, or a range that ends before it starts, is
marked on the editor and read as no date (the filter bar) or refused (the export form).
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Field, Kind, Level
from hebi_desktop.errors import StorageError
from hebi_desktop.services.book import Book
from hebi_desktop.ui.widgets.field_widgets import DateEditor, LineEditor

log = logging.getLogger(__name__)

ALL = "全部"
BAD_DATE = "日期格式应如2024-05-09"
REVERSED = "截止日期不能早于起始日期"


class PlacePicker(QWidget):
    """乡镇 (and optionally 县区) combos and a 行政村 box that completes the township's
    villages. ``township_changed`` fires when the township changes, ``village_typed`` on
    every keystroke in the village box (owners debounce it)."""

    township_changed = Signal()
    village_typed = Signal()

    def __init__(self, book: Book, parent: QWidget | None = None, *, with_county: bool) -> None:
        super().__init__(parent)
        self.book = book
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.county_combo: QComboBox | None = None
        if with_county:
            self.county_combo = QComboBox(self)
            self.county_combo.addItem(f"县区：{ALL}", None)
            for county in divisions().counties:
                self.county_combo.addItem(county.name, county.code)
            layout.addWidget(self.county_combo)
        self.township_combo = QComboBox(self)
        self.township_combo.setToolTip("按乡镇筛选")
        layout.addWidget(self.township_combo)
        village_field = Field("village_filter", "行政村", Kind.TEXT, max_length=40)
        self.village_editor = LineEditor(village_field, self)
        self.village_edit: QLineEdit = self.village_editor.input
        self.village_edit.setPlaceholderText("行政村（全部）")
        self.village_edit.setClearButtonEnabled(True)
        self.village_edit.textChanged.connect(self.village_typed)
        layout.addWidget(self.village_editor, 1)
        self.fill_townships()
        if self.county_combo is not None:
            self.county_combo.currentIndexChanged.connect(self.fill_townships)
        self.township_combo.currentIndexChanged.connect(self._township_changed)

    def fill_townships(self, *_args: object) -> None:
        """With a county combo, that county's townships (all of Hebi for 全部); without,
        the configured county's townships first, then the rest of Hebi."""
        table = divisions()
        combo = self.township_combo
        chosen = self.county_combo.currentData() if self.county_combo is not None else None
        own_county = self.book.settings.county_code if self.county_combo is None else None
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(f"乡镇：{ALL}", None)
            first = [t for t in table.townships if own_county and t.parent_code == own_county]
            for township in first:
                combo.addItem(township.name, township.code)
            for township in table.townships:
                if township in first or (chosen and township.parent_code != chosen):
                    continue
                label = (
                    township.name
                    if chosen
                    else f"{township.name}（{table.name(township.parent_code)}）"
                )
                combo.addItem(label, township.code)
        finally:
            combo.blockSignals(False)
        self._township_changed(notify=self.county_combo is not None)

    def _township_changed(self, *_args: object, notify: bool = True) -> None:
        township = self.township_combo.currentData()
        try:
            names = self.book.villages.names(township) if township else []
        except StorageError:
            log.exception("could not read village names")
            names = []
        self.village_editor.set_completions(names)
        if notify:
            self.township_changed.emit()

    def county_code(self) -> str | None:
        return self.county_combo.currentData() if self.county_combo is not None else None

    def township_code(self) -> str | None:
        return self.township_combo.currentData()

    def village(self) -> str | None:
        return self.village_edit.text().strip() or None

    def show_place(self, township_code: str | None, village: str | None) -> None:
        index = self.township_combo.findData(township_code) if township_code else 0
        self.township_combo.setCurrentIndex(max(index, 0))
        self.village_edit.setText(village or "")


class DateRange(QWidget):
    """起 … 至 … as two date editors; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.date_from_editor = DateEditor(
            Field("date_from", "起始日期", Kind.DATE), self, echo_below=False
        )
        self.date_to_editor = DateEditor(
            Field("date_to", "截止日期", Kind.DATE), self, echo_below=False
        )
        self.date_from_editor.input.setPlaceholderText("起（不限）")
        self.date_to_editor.input.setPlaceholderText("止（不限）")
        # As wide as a date (the long default width of a line edit only pushed the
        # filters after it onto another row).
        date_width = self.fontMetrics().horizontalAdvance("0000-00-00") + 20
        for editor in (self.date_from_editor, self.date_to_editor):
            editor.changed.connect(self.changed)
            editor.input.setMaximumWidth(date_width)
        layout.addWidget(self.date_from_editor)
        layout.addWidget(QLabel("至", self))
        layout.addWidget(self.date_to_editor)

    @staticmethod
    def _read(editor: DateEditor) -> tuple[dt.date | None, bool]:
        day = editor.date()
        if editor.value() is not None and day is None:
            editor.set_message(BAD_DATE, Level.ERROR)
            return None, False
        editor.set_message("")
        return day, True

    def lenient(self) -> tuple[dt.date | None, dt.date | None]:
        """Both ends; one that does not read is marked and taken as open (filtering)."""
        return self._read(self.date_from_editor)[0], self._read(self.date_to_editor)[0]

    def strict(self) -> tuple[dt.date | None, dt.date | None] | None:
        """Both ends, or None (marked on the editor) when one does not read or the range is
        reversed (an export must not silently widen or empty itself)."""
        start, start_ok = self._read(self.date_from_editor)
        end, end_ok = self._read(self.date_to_editor)
        if not (start_ok and end_ok):
            return None
        if start and end and start > end:
            self.date_to_editor.set_message(REVERSED, Level.ERROR)
            return None
        return start, end

    def show_range(self, start: dt.date | None, end: dt.date | None) -> None:
        self.date_from_editor.set_value(start)
        self.date_to_editor.set_value(end)
