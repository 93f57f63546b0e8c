"""The filter bar above a ledger table: search, place, status, date range, flagged, deleted.

The bar only turns widget states into :class:`RecordQuery` fields (and back, when
the page is opened pre-filtered); the page runs the query. Typing in the search
or village box is debounced so a fast typist causes one query, not ten.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.fields import Ledger
from hebi_desktop.services.book import Book
from hebi_desktop.services.desk_scope import dates_words
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.ui.widgets.elided_label import ElidedLabel
from hebi_desktop.ui.widgets.field_widgets import ChoiceSearch
from hebi_desktop.ui.widgets.flow_layout import FlowLayout
from hebi_desktop.ui.widgets.place_filter import DateRange, PlacePicker
from hebi_desktop.ui.widgets.steady_inputs import hold_steady

SEARCH_DELAY_MS = 250
ALL = "全部"
STATE_CHOICES: tuple[tuple[str, str | None], ...] = (
    (f"复核：{ALL}", None),
    ("已录入", "entered"),
    ("已复核", "verified"),
    ("已报送", "submitted"),
)


class FilterBar(QWidget):
    """Widgets for the query; ``changed`` fires (debounced for typing) when one changes."""

    changed = Signal()

    def __init__(
        self,
        book: Book,
        ledger: Ledger,
        parent: QWidget | None = None,
        *,
        leading_elsewhere: bool = False,
    ) -> None:
        """``leading_elsewhere``: the owner puts :attr:`leading` (search, 更多筛选, the
        summary, 清除筛选) in a row of its own, e.g. beside its buttons."""
        super().__init__(parent)
        self.book = book
        self.ledger = ledger
        self._quiet = 0
        self.typing_timer = QTimer(self)
        self.typing_timer.setSingleShot(True)
        self.typing_timer.setInterval(SEARCH_DELAY_MS)
        self.typing_timer.timeout.connect(self._emit)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # One row that wraps on a narrow (or scaled) screen instead of widening the window.
        self.holder = QWidget(self)
        flow = FlowLayout(self.holder)
        policy = self.holder.sizePolicy()
        policy.setHeightForWidth(True)
        self.holder.setSizePolicy(policy)
        outer.addWidget(self.holder)

        self.search_edit = QLineEdit(self)
        self.search_edit.setClearButtonEnabled(True)
        names = "或".join(ledger.field(n).header for n in ledger.search_fields)
        self.search_edit.setPlaceholderText(f"搜索{names}（Ctrl+F）")
        self.search_edit.setToolTip(self.search_edit.placeholderText())  # when cut short
        self.search_edit.setMinimumWidth(160)
        self.search_edit.textChanged.connect(self._typed)

        # On a small screen the filters below hide behind this button (the table needs
        # the rows); the summary beside it then names every filter that is on.
        self.more_button = QPushButton("更多筛选", self)
        self.more_button.setCheckable(True)
        self.more_button.setToolTip("显示或收起乡镇、行政村、状态、日期等筛选条件")
        self.more_button.toggled.connect(self._show_more)
        self.summary_label = ElidedLabel("", self)
        self.summary_label.setObjectName("filterSummary")
        self.summary_label.setStyleSheet("color: #1565c0; font-weight: bold;")
        self.compact = False

        self.place = PlacePicker(book, self, with_county=False)
        self.township_filter: QComboBox = self.place.township_combo
        ChoiceSearch(self.township_filter, skip_first=True)  # bym → 北阳镇
        self.village_editor = self.place.village_editor
        self.village_filter: QLineEdit = self.place.village_edit
        self.village_filter.setToolTip("按行政村筛选（输入完整村名，可从列表中选）")
        self.place.township_changed.connect(self._emit)
        self.place.village_typed.connect(self._typed)
        self.place.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        self.status_filters: dict[str, QComboBox] = {}
        for name in ledger.status_fields:
            field = ledger.field(name)
            combo = QComboBox(self)
            combo.addItem(f"{field.header}：{ALL}", None)
            for choice in field.choices:
                combo.addItem(choice, choice)
            combo.setToolTip(f"按{field.header}筛选")
            ChoiceSearch(combo, skip_first=True)
            combo.currentIndexChanged.connect(self._emit)
            self.status_filters[name] = combo

        main_date = ledger.field(ledger.main_date)
        dated = QWidget(self)  # the label stays with its dates when the row wraps
        dated_row = QHBoxLayout(dated)
        dated_row.setContentsMargins(0, 0, 0, 0)
        dated_row.addWidget(QLabel(f"{main_date.header}：", dated))
        self.dates = DateRange(dated)
        dated_row.addWidget(self.dates)
        self.date_from_editor = self.dates.date_from_editor
        self.date_to_editor = self.dates.date_to_editor
        self.date_from_edit: QLineEdit = self.date_from_editor.input
        self.date_to_edit: QLineEdit = self.date_to_editor.input
        self.dates.changed.connect(self._typed)

        self.state_filter = QComboBox(self)
        for label, state in STATE_CHOICES:
            self.state_filter.addItem(label, state)
        self.state_filter.setToolTip("按复核状态筛选：已录入、已复核（复核录入一致）、已报送")
        self.state_filter.currentIndexChanged.connect(self._emit)
        # Not in these rows: the ledger page puts it beside its 复核 button.

        self.flagged_filter = QCheckBox("只看待核实", self)
        self.flagged_filter.setToolTip("只显示有提醒（标记为待核实）或缺少应有附件的记录")
        self.flagged_filter.toggled.connect(self._emit)

        self.deleted_toggle = QCheckBox("已删除记录", self)
        self.deleted_toggle.setToolTip("查看已删除的记录，可选中后恢复")
        self.deleted_toggle.toggled.connect(self._emit)

        self.clear_button = QPushButton("清除筛选", self)
        self.clear_button.clicked.connect(self.clear)
        self.more_widgets: list[QWidget] = [
            self.place,
            *self.status_filters.values(),
            dated,
            self.flagged_filter,
            self.deleted_toggle,
        ]
        self.leading: list[QWidget] = [
            self.search_edit,
            self.more_button,
            self.summary_label,
            self.clear_button,
        ]
        self.leading_elsewhere = leading_elsewhere
        mine = [] if leading_elsewhere else self.leading
        for widget in [*mine[:3], *self.more_widgets, *mine[3:]]:
            flow.addWidget(widget)
        self.changed.connect(self._update_summary)
        self.set_compact(False)
        hold_steady(self)

    # --- compact on a small screen ----------------------------------------------------

    def set_compact(self, compact: bool) -> None:
        """Compact: only the search box, 更多筛选 and a summary of the filters that are on."""
        self.compact = compact
        self.more_button.setVisible(compact)
        self._show_more(self.more_button.isChecked() or not compact)

    def _show_more(self, shown: bool) -> None:
        for widget in self.more_widgets:
            widget.setVisible(shown or not self.compact)
        # No empty row (nor the spacing around it) when all that is left shows in the
        # owner's row.
        self.setVisible(shown or not self.compact or not self.leading_elsewhere)
        self._update_summary()

    def active_filters(self) -> list[str]:
        """The filters behind 更多筛选 that are on, in words (乡镇：北阳镇, 只看待核实)."""
        named = [("乡镇", self.township_filter)]
        named += [(self.ledger.field(n).header, c) for n, c in self.status_filters.items()]
        words = [f"{name}：{combo.currentText()}" for name, combo in named if combo.currentData()]
        village = self.place.village()
        if village:
            words.append(f"行政村：{village}")
        date_from, date_to = self.dates.lenient()
        if date_from or date_to:
            header = self.ledger.field(self.ledger.main_date).header
            words.append(f"{header}：{dates_words(date_from, date_to)}")
        words += [
            box.text() for box in (self.flagged_filter, self.deleted_toggle) if box.isChecked()
        ]
        return words

    def _update_summary(self, *_args: object) -> None:
        hidden = self.compact and not self.more_button.isChecked()
        words = self.active_filters() if hidden else []
        if self.compact and not hidden:
            self.more_button.setText("收起筛选")
        else:
            self.more_button.setText(f"更多筛选（{len(words)}）" if words else "更多筛选")
        self.summary_label.setText(f"已筛选：{'，'.join(words)}" if words else "")
        self.summary_label.setVisible(bool(words))
        # Compact: 清除筛选 only while it has something to clear (it can take a row).
        self.clear_button.setVisible(not self.compact or self.is_filtered())

    # --- widget → query ---------------------------------------------------------------

    def _typed(self, *_args: object) -> None:
        if not self._quiet:
            self.typing_timer.start()

    def _emit(self, *_args: object) -> None:
        self.typing_timer.stop()
        if not self._quiet:
            self.changed.emit()

    def flush(self) -> None:
        """Apply pending typing now (e.g. Enter in the search box)."""
        if self.typing_timer.isActive():
            self._emit()

    def query_fields(self) -> dict[str, Any]:
        """The RecordQuery fields the bar decides."""
        date_from, date_to = self.dates.lenient()
        return {
            "text": self.search_edit.text().strip() or None,
            "township_code": self.place.township_code(),
            "village": self.place.village(),
            "status": {
                n: c.currentData() for n, c in self.status_filters.items() if c.currentData()
            },
            "date_from": date_from,
            "date_to": date_to,
            "needs_review": True if self.flagged_filter.isChecked() else None,
            "state": self.state_filter.currentData(),
            "deleted": self.deleted_toggle.isChecked(),
        }

    def is_filtered(self) -> bool:
        fields = self.query_fields()
        return any(v for k, v in fields.items() if k != "deleted")

    # --- query → widgets --------------------------------------------------------------

    def set_from_query(self, query: RecordQuery) -> dict[str, str]:
        """Show ``query`` in the widgets; returns the status conditions no combo can show."""
        self._quiet += 1
        try:
            self.search_edit.setText(query.text or "")
            self.place.show_place(query.township_code, query.village)
            rest: dict[str, str] = {}
            for name, combo in self.status_filters.items():
                wanted = query.status.get(name)
                combo.setCurrentIndex(max(combo.findData(wanted), 0) if wanted else 0)
            for name, value in query.status.items():
                if name not in self.status_filters or self.status_filters[name].findData(value) < 0:
                    rest[name] = value
            self.dates.show_range(query.date_from, query.date_to)
            self.flagged_filter.setChecked(bool(query.flagged or query.needs_review))
            self.state_filter.setCurrentIndex(max(self.state_filter.findData(query.state), 0))
            self.deleted_toggle.setChecked(query.deleted)
        finally:
            self._quiet -= 1
        self.typing_timer.stop()
        self._update_summary()
        return rest

    def clear(self) -> None:
        """Every filter back to 全部 (one query, not one per widget)."""
        self.set_from_query(RecordQuery(deleted=self.deleted_toggle.isChecked()))
        self.changed.emit()
