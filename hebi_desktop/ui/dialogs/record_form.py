"""The record form, generated from the ledger declaration, and the dialog around it.

The form is checked on every change by the same service that saves (``check`` is
fast): each message appears under its field, fields that do not apply are
disabled and emptied, the natural key is looked up as soon as it is complete, and
Save stays disabled while an error remains. Warnings are shown in orange and
confirmed on save. What the clerk types is kept as a draft about once a second,
so a crash or power cut loses at most a second of typing.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.fields import Field, Issue, Ledger, Level
from hebi_desktop.domain.validation import REQUIRED, Checked
from hebi_desktop.domain.villages import known_villages
from hebi_desktop.errors import RecordNotFound, StaleRecord, StorageError, UserError
from hebi_desktop.services.book import Book
from hebi_desktop.services.drafts import DraftService
from hebi_desktop.services.records import Record
from hebi_desktop.ui import geometry
from hebi_desktop.ui.dialogs.confirm import confirmed
from hebi_desktop.ui.widgets.attachments_panel import AttachmentsPanel, dropped_files
from hebi_desktop.ui.widgets.field_widgets import (
    ERROR_COLOR,
    WARNING_COLOR,
    FieldEditor,
    IdNumberEditor,
    LineEditor,
    TownshipEditor,
    make_editor,
)
from hebi_desktop.ui.widgets.history_view import HistoryView
from hebi_desktop.ui.widgets.steady_inputs import hold_steady

log = logging.getLogger(__name__)

PLACE_NAMES = ("county_code", "township_code", "village")
COLUMNS = 2  # fields per screen row; the tab order reads row by row, left to right


class RecordForm(QWidget):
    """Editors for every field of a ledger, checked as the clerk types.

    ``edited`` fires after each change the clerk makes (not when values are loaded);
    ``validity_changed`` whenever the form turns savable or not.
    """

    edited = Signal()
    validity_changed = Signal(bool)

    def __init__(self, book: Book, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.ledger = ledger
        self.service = book.records(ledger)
        self.editors: dict[str, FieldEditor] = {}
        self.labels: dict[str, QLabel] = {}
        self.exclude_id: int | None = None
        self.checked: Checked | None = None
        self.duplicate: Record | None = None
        self.dirty = False
        self._touched: set[str] = set()
        self._reveal_all = False
        self._loading = 0
        self._duplicate_key: tuple[Any, ...] | None = None
        self._ok: bool | None = None
        self._village_township: str | None = "\0"
        # Set when the clerk leaves the 行政村 field, cleared when it is typed in again:
        # only then is an unlisted name hinted at (not on every keystroke).
        self._village_left = False
        self._build()

    # --- building ---------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        for column in range(COLUMNS):
            grid.setColumnStretch(column * 2 + 1, 1)
        for index, field in enumerate(self.ledger.fields):
            row, column = divmod(index, COLUMNS)
            label = QLabel(self._label_text(field), self)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setToolTip(field.rule_text())
            editor = make_editor(field, self)
            editor.setObjectName(f"editor_{field.name}")
            label.setBuddy(editor.focus_widget())
            grid.addWidget(
                label, row, column * 2, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight
            )
            grid.addWidget(editor, row, column * 2 + 1, Qt.AlignmentFlag.AlignTop)
            self.labels[field.name] = label
            self.editors[field.name] = editor
            if not field.derived:
                editor.changed.connect(lambda name=field.name: self._on_changed(name))
        layout.addLayout(grid)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("formSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary_label)  # the dialog moves it beside its buttons
        layout.addStretch(1)
        focusable = [e.focus_widget() for e in self.editors.values() if not e.field.derived]
        for first, second in itertools.pairwise(focusable):
            QWidget.setTabOrder(first, second)
        county = self.editors.get("county_code")
        if county is not None:
            county.changed.connect(self._county_changed)
        village = self.editors.get("village")
        if isinstance(village, LineEditor):
            village.input.editingFinished.connect(self._village_finished)
        hold_steady(self)

    @staticmethod
    def _label_text(field: Field, applies: bool = True) -> str:
        """The header with a red * when required; none on a field that does not apply now."""
        star = f'<span style="color:{ERROR_COLOR}">*</span>' if field.required and applies else ""
        return f"{field.header}{star}"

    # --- loading ----------------------------------------------------------------------

    def load_new(self, place: Mapping[str, Any] | None = None) -> None:
        """An empty form; the place comes from ``place`` or the settings (county/township)."""
        settings = self.book.settings
        defaults: dict[str, Any] = {
            "county_code": settings.county_code,
            "township_code": settings.township_code,
        }
        if place:
            defaults.update({k: v for k, v in place.items() if k in PLACE_NAMES})
        self.exclude_id = None
        self._set_all(defaults)
        self._reset_state(reveal=False)

    def load_record(self, record: Record) -> None:
        """The stored values of ``record``; every message is shown at once."""
        self.exclude_id = record.id
        self._set_all(record.values)
        self._reset_state(reveal=True)

    def apply_values(self, values: Mapping[str, Any], *, dirty: bool = True) -> None:
        """Put ``values`` (e.g. a recovered draft) into the editors they name."""
        self._loading += 1
        try:
            self._put(values)
        finally:
            self._loading -= 1
        if dirty:
            self.dirty = True
            self._touched.update(n for n, v in values.items() if v not in (None, ""))
        self.recheck()

    def _set_all(self, values: Mapping[str, Any]) -> None:
        self._loading += 1
        try:
            for editor in self.editors.values():
                if not editor.field.derived:
                    editor.set_value(None)
            self._put(values)
        finally:
            self._loading -= 1

    def _put(self, values: Mapping[str, Any]) -> None:
        # County first: it decides which townships the township list offers.
        if "county_code" in values and "county_code" in self.editors:
            self.editors["county_code"].set_value(values["county_code"])
            self._county_changed()
        for name, value in values.items():
            editor = self.editors.get(name)
            if editor is not None and not editor.field.derived and name != "county_code":
                editor.set_value(value)

    def _reset_state(self, *, reveal: bool) -> None:
        self.dirty = False
        self._touched.clear()
        self._reveal_all = reveal
        self._village_left = False
        self._duplicate_key = None
        self.duplicate = None
        self.recheck()

    # --- reading ----------------------------------------------------------------------

    def raw_values(self) -> dict[str, Any]:
        """What the clerk entered for every stored field (as ``check``/``create`` take it)."""
        return {
            name: editor.value()
            for name, editor in self.editors.items()
            if not editor.field.derived
        }

    def editor(self, name: str) -> FieldEditor:
        return self.editors[name]

    @property
    def ok(self) -> bool:
        """No error and no duplicate: the record can be saved."""
        return self.checked is not None and self.checked.ok and self.duplicate is None

    @property
    def errors(self) -> list[Issue]:
        return self.checked.errors if self.checked else []

    @property
    def warnings(self) -> list[Issue]:
        return self.checked.warnings if self.checked else []

    def place_values(self) -> dict[str, Any]:
        return {name: self.editors[name].value() for name in PLACE_NAMES if name in self.editors}

    # --- checking ---------------------------------------------------------------------

    def _on_changed(self, name: str) -> None:
        if self._loading:
            return
        self.dirty = True
        self._touched.add(name)
        if name == "village":
            self._village_left = False
        self.recheck()
        self.edited.emit()

    def _county_changed(self) -> None:
        township = self.editors.get("township_code")
        county = self.editors.get("county_code")
        if isinstance(township, TownshipEditor) and county is not None:
            township.set_county(county.value())

    def reveal_all(self) -> None:
        """Show every message, also 必填 on fields not visited yet (after a save attempt)."""
        self._reveal_all = True
        self.recheck()

    def recheck(self) -> Checked:
        """Check the whole record and update messages, disabled fields and derived values."""
        checked = self.service.check(self.raw_values())
        if self._apply_conditions(checked):
            checked = self.service.check(self.raw_values())
        self.checked = checked
        self._update_villages(checked.values.get("township_code"))
        for field in self.ledger.fields:
            if field.derive is not None:
                self.editors[field.name].set_value(field.derive(checked.values))
        self._check_duplicate(checked)
        self._show_messages(checked)
        ok = self.ok
        if ok != self._ok:
            self._ok = ok
            self.validity_changed.emit(ok)
        return checked

    def _apply_conditions(self, checked: Checked) -> bool:
        """Disable (and empty) fields that do not apply; True when a value was removed."""
        cleared = False
        for field in self.ledger.stored_fields:
            if field.applies_when is None:
                continue
            editor = self.editors[field.name]
            applies = field.applies(checked.values)
            editor.setEnabled(applies)
            editor.setToolTip("" if applies else f"仅在{field.applies_text}时填写")
            label = self.labels[field.name]
            label.setText(self._label_text(field, applies))
            label.setEnabled(applies)
            if not applies and editor.value() is not None:
                self._loading += 1
                try:
                    editor.set_value(None)
                finally:
                    self._loading -= 1
                cleared = True
        return cleared

    def _update_villages(self, township: str | None) -> None:
        editor = self.editors.get("village")
        if not isinstance(editor, LineEditor) or township == self._village_township:
            return
        self._village_township = township
        try:
            names = self.book.villages.completions(township) if township else []
        except StorageError:
            log.exception("could not read village names")
            names = []
        editor.set_completions(names)

    def _village_finished(self) -> None:
        if not self._village_left:
            self._village_left = True
            self.recheck()

    def village_hint(self, checked: Checked) -> str | None:
        """不在本乡镇的村名单中… once the clerk has left the 行政村 field with an unlisted
        name; a hint beside the field only: the record saves unflagged, without a question."""
        if not self._village_left:
            return None
        values = checked.values
        return known_villages().hint(values.get("township_code"), values.get("village"))

    def _check_duplicate(self, checked: Checked) -> None:
        key_names = self.ledger.natural_key
        bad = {issue.field for issue in checked.errors}
        key = tuple(checked.values.get(name) for name in key_names)
        if any(v is None for v in key) or bad.intersection(key_names):
            self._duplicate_key, self.duplicate = None, None
            return
        lookup = (*key, self.exclude_id)
        if lookup == self._duplicate_key:
            return
        self._duplicate_key = lookup
        try:
            self.duplicate = self.service.find_duplicate(checked.values, self.exclude_id)
        except StorageError:
            log.exception("duplicate lookup failed")
            self.duplicate = None

    def duplicate_message(self) -> str:
        if self.duplicate is None or self.checked is None:
            return ""
        return str(self.service.duplicate_error(self.checked.values, self.duplicate))

    def _show_messages(self, checked: Checked) -> None:
        missing: list[str] = []
        for field in self.ledger.stored_fields:
            editor = self.editors[field.name]
            issues = checked.messages_for(field.name)
            errors = [i for i in issues if i.level is Level.ERROR]
            issue = errors[0] if errors else (issues[0] if issues else None)
            if issue is None:
                hint = self.village_hint(checked) if field.name == "village" else None
                editor.set_message(hint or "", Level.WARNING if hint else None)
                continue
            if issue.code == REQUIRED and not self._reveal_all and field.name not in self._touched:
                missing.append(field.header)
                editor.set_message("")
                continue
            editor.set_message(issue.message, issue.level)
        duplicate = self.duplicate_message()
        if duplicate:
            self.editors[self.ledger.natural_key[0]].set_message(duplicate, Level.ERROR)
        self._show_summary(checked, missing, duplicate)

    def _show_summary(self, checked: Checked, missing: list[str], duplicate: str) -> None:
        errors = len(checked.errors) - len(missing)
        parts: list[str] = []
        if missing:
            parts.append("还需填写：" + "、".join(missing))
        if errors > 0:
            parts.append(f"有 {errors} 处需要改正（见红字）")
        if duplicate:
            parts.append(duplicate)
        if parts:
            color = ERROR_COLOR
        elif checked.warnings:
            parts.append(
                f"有 {len(checked.warnings)} 条提醒（见橙色字），可以保存，保存后标记为待核实"
            )
            color = WARNING_COLOR
        else:
            parts.append("填写完整，可以保存（Ctrl+S）")
            color = "#2e7d32"
        self.summary_label.setText("；".join(parts))
        self.summary_label.setStyleSheet(f"color: {color};")

    def first_problem(self) -> FieldEditor | None:
        """The first editor (screen order) with an error, to put the cursor there."""
        if self.checked is None:
            return None
        bad = {i.field for i in self.checked.errors}
        if self.duplicate is not None:
            bad.add(self.ledger.natural_key[0])
        for field in self.ledger.fields:
            if field.name in bad and self.editors[field.name].isEnabled():
                return self.editors[field.name]
        return None

    def first_input(self, skip_place: bool = False) -> FieldEditor:
        for field in self.ledger.fields:
            if field.derived or (skip_place and field.name in PLACE_NAMES):
                continue
            return self.editors[field.name]
        return next(iter(self.editors.values()))

    def first_to_fill(self) -> FieldEditor:
        """Where the cursor starts: the first empty required field in reading order (行政村
        before 户主姓名 when the village is not filled in yet), else the first field."""
        for field in self.ledger.fields:
            editor = self.editors[field.name]
            if field.required and not field.derived and editor.isEnabled() and editor.is_empty():
                return editor
        return self.first_input()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter moves to the next field, as in paper-form data entry (never saves)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.focusNextChild()
            event.accept()
            return
        super().keyPressEvent(event)

    def id_info(self) -> str:
        """Gender, birth date and age read from the ID number (empty until it is valid)."""
        editor = self.editors.get("id_number")
        return editor.info() if isinstance(editor, IdNumberEditor) else ""


ATTACHMENTS_TAB = 2


class RecordDialog(QDialog):
    """New or existing record in a dialog: Save (Ctrl+S), 保存并新建, Cancel; history tab.

    ``saved`` carries the record id after every successful save. ``accept()`` only
    closes the dialog when :meth:`_validate` passes and the save succeeds.
    """

    saved = Signal(int)
    DRAFT_DELAY_MS = 1000

    def __init__(
        self,
        book: Book,
        ledger: Ledger,
        record_id: int | None = None,
        parent: QWidget | None = None,
        initial_values: Mapping[str, Any] | None = None,
        *,
        draft_id: int | None = None,
        drafts: DraftService | None = None,
        base_version: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.book = book
        self.ledger = ledger
        self.service = book.records(ledger)
        self.drafts = drafts or DraftService(book)
        self.draft_id = draft_id
        self.record_id: int | None = None
        self.record: Record | None = None
        self.version: int | None = None
        self.read_only = False
        self._finished = False
        self.setWindowTitle(ledger.title)
        self.setSizeGripEnabled(True)
        self._build()
        self.draft_timer = QTimer(self)
        self.draft_timer.setSingleShot(True)
        self.draft_timer.setInterval(self.DRAFT_DELAY_MS)
        self.draft_timer.timeout.connect(self.save_draft)
        self.form.edited.connect(self.draft_timer.start)
        app = QApplication.instance()
        if app is not None:  # quitting with the form open keeps the last second of typing too
            app.aboutToQuit.connect(self.save_draft)
        self.form.validity_changed.connect(self._update_buttons)
        if record_id is not None:
            self._load(record_id)
        else:
            self._start_new()
        if initial_values:
            self.form.apply_values(initial_values, dirty=True)
            if self.record is not None and base_version not in (None, self.record.version):
                self._set_banner(
                    "注意：草稿保存之后，这条记录又被修改过；请核对各项后再保存。", WARNING_COLOR
                )
        self._update_buttons()
        self.form.first_to_fill().setFocus()

    # --- layout ---------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.heading_label = QLabel(self)
        font = self.heading_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.heading_label.setFont(font)
        layout.addWidget(self.heading_label)
        self.banner_label = QLabel(self)
        self.banner_label.setWordWrap(True)
        self.banner_label.hide()
        layout.addWidget(self.banner_label)
        self.form = RecordForm(self.book, self.ledger, self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab moves between the fields only
        scroll.setWidget(self.form)
        self.history_view = HistoryView(self.ledger, self)
        self.attachments_panel = AttachmentsPanel(self.book, self.ledger, self)
        self.attachments_panel.changed.connect(self._attachments_changed)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(scroll, "填写")
        self.tabs.addTab(self.history_view, "修改记录")
        self.tabs.addTab(self.attachments_panel, "附件")
        self.setAcceptDrops(True)  # files dropped anywhere on the form are attached
        layout.addWidget(self.tabs, 1)
        self.save_button = QPushButton("保存", self)
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.save_new_button = QPushButton("保存并新建", self)
        self.save_new_button.setToolTip("保存后继续录入下一条，保留县区、乡镇、行政村")
        self.cancel_button = QPushButton("取消", self)
        for button in (self.save_button, self.save_new_button, self.cancel_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.buttons = QDialogButtonBox(self)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.save_new_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        bottom = QHBoxLayout()
        # "还需填写…" beside 保存, outside the scrolling fields: on a short or scaled
        # screen the clerk still sees why 保存 is greyed out without scrolling to the end.
        bottom.addWidget(self.form.summary_label, 1)
        bottom.addWidget(self.buttons, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(bottom)
        self.save_button.clicked.connect(self.accept)
        self.save_new_button.clicked.connect(self.save_and_new)
        self.cancel_button.clicked.connect(self.reject)
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.activated.connect(self.accept)
        new = QShortcut(QKeySequence.StandardKey.New, self)
        new.activated.connect(self.new_record)
        geometry.restore_geometry(self, "recordDialog", QSize(960, 720))

    def _set_banner(self, text: str, color: str = ERROR_COLOR) -> None:
        self.banner_label.setText(text)
        self.banner_label.setStyleSheet(f"color: {color}; font-weight: bold;")
        self.banner_label.setVisible(bool(text))

    def _update_buttons(self, *_args: object) -> None:
        can_save = self.form.ok and not self.read_only
        self.save_button.setEnabled(can_save)
        self.save_new_button.setEnabled(can_save)

    # --- loading ----------------------------------------------------------------------

    def _start_new(self, place: Mapping[str, Any] | None = None) -> None:
        self.record_id, self.record, self.version = None, None, None
        self._set_read_only(False)
        self.form.load_new(place)
        self.heading_label.setText(f"新建记录 — {self.ledger.title}")
        self._set_banner("")
        self.history_view.set_entries([])
        self.tabs.setTabEnabled(1, False)
        self.attachments_panel.load(None)
        self.tabs.setTabText(ATTACHMENTS_TAB, "附件")
        self._update_buttons()

    def _load(self, record_id: int) -> None:
        record = self.service.get(record_id)
        self.record_id, self.record, self.version = record.id, record, record.version
        self.form.load_record(record)
        self.heading_label.setText(
            f"修改记录（编号{record.id}）— {self.ledger.title}    "
            f"最后修改：{record.updated_by} {record.updated_at:%Y-%m-%d %H:%M}"
        )
        self._set_banner("")
        if record.deleted:
            self._set_read_only(True)
            self._set_banner("这条记录已删除，只能查看；在“已删除记录”中恢复后才能修改。")
        else:
            self._set_read_only(False)
        self.history_view.set_entries(self.service.history(record.id))
        self.tabs.setTabEnabled(1, True)
        self.attachments_panel.load(record.id, read_only=record.deleted)
        self._attachments_changed(len(self.attachments_panel.attachments))
        self._update_buttons()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.attachments_panel.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """Files dropped on the 填写 page too: attached, and the 附件 page shown."""
        if self.attachments_panel.add_files(dropped_files(event.mimeData())) is not None:
            event.acceptProposedAction()
            self.tabs.setCurrentIndex(ATTACHMENTS_TAB)

    def _attachments_changed(self, count: int) -> None:
        self.tabs.setTabText(ATTACHMENTS_TAB, f"附件（{count}）" if count else "附件")
        if self.record_id is not None:
            self.history_view.set_entries(self.service.history(self.record_id))

    def _set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.form.setEnabled(not read_only)

    def reload(self) -> None:
        """Show the stored record again, dropping what was typed."""
        if self.record_id is not None:
            self._load(self.record_id)

    # --- saving -----------------------------------------------------------------------

    def _validate(self) -> bool:
        """Errors keep the dialog open (cursor to the first); warnings need a yes."""
        if self.read_only:
            return False
        self.form.recheck()
        if not self.form.ok:
            self.form.reveal_all()
            problem = self.form.first_problem()
            if problem is not None:
                problem.setFocus()
            return False
        warnings = self.form.warnings
        if warnings:
            listing = "\n".join(f"• {issue.message}" for issue in warnings)
            if not confirmed(
                self,
                "请确认",
                f"这条记录有以下提醒：\n\n{listing}\n\n仍要保存吗？保存后该记录标记为“待核实”。",
            ):
                return False
        return True

    def _save(self) -> bool:
        """Create or update through the service; Chinese messages for every refusal."""
        raw = self.form.raw_values()
        try:
            if self.record_id is None:
                result = self.service.create(raw)
            else:
                assert self.version is not None
                result = self.service.update(self.record_id, raw, self.version)
        except StaleRecord as error:
            from hebi_desktop.ui.dialogs.conflict_dialog import offer_merge

            base = self.record
            self._after_stale()  # the fresh record; the clerk's values are offered beside it
            offer_merge(self, raw, base, str(error))
            return False
        except UserError as error:  # also StorageError: busy, disk full, read-only...
            QMessageBox.warning(self, "未能保存", str(error))
            return False
        self.record, self.record_id, self.version = (
            result.record,
            result.record.id,
            result.record.version,
        )
        log.info("saved %s record %s", self.ledger.key, self.record_id)
        self.saved.emit(result.record.id)
        return True

    def _after_stale(self) -> None:
        try:
            self.reload()
        except RecordNotFound:
            self._set_read_only(True)
            self._set_banner("这条记录已不存在。")
            return
        self._discard_draft()

    def accept(self) -> None:
        if not self.save_button.isEnabled() and not self.read_only:
            # Ctrl+S with an error left: point at it instead of silently doing nothing.
            self.form.reveal_all()
            problem = self.form.first_problem()
            if problem is not None:
                problem.setFocus()
            return
        if not self._validate() or not self._save():
            return
        self._discard_draft()
        super().accept()

    def save_and_new(self) -> None:
        """Save, then start the next record in the same place (county, township, village)."""
        if not self._validate() or not self._save():
            return
        place = self.form.place_values()
        self._discard_draft()
        self._start_new(place)
        self.form.first_to_fill().setFocus()

    def new_record(self) -> None:
        """Ctrl+N: start an empty record (asks before dropping unsaved typing)."""
        if self.form.dirty and not self._confirm_discard():
            return
        place = self.form.place_values()
        self._discard_draft()
        self._start_new(place)
        self.form.first_to_fill().setFocus()

    def reject(self) -> None:
        if self.form.dirty and not self.read_only and not self._confirm_discard():
            return
        self._discard_draft()
        super().reject()

    def _confirm_discard(self) -> bool:
        return confirmed(
            self,
            "放弃未保存的内容",
            "填写的内容还没有保存，确定放弃吗？",
        )

    # --- drafts -----------------------------------------------------------------------

    def save_draft(self) -> int | None:
        """Keep what was typed (called by the draft timer); returns the draft id."""
        self.draft_timer.stop()
        if not self.form.dirty or self.read_only or self._finished:
            return self.draft_id
        try:
            self.draft_id = self.drafts.save(
                self.ledger.key,
                self.record_id,
                self.form.raw_values(),
                self.draft_id,
                base_version=self.version,
            )
        except StorageError:
            log.exception("could not keep a draft")
        return self.draft_id

    def _discard_draft(self) -> None:
        self.draft_timer.stop()
        if self.draft_id is None:
            return
        try:
            self.drafts.discard(self.draft_id)
        except StorageError:
            log.exception("could not discard draft %s", self.draft_id)
        self.draft_id = None

    def done(self, result: int) -> None:
        geometry.save_geometry(self, "recordDialog")
        self._finished = True  # saved or cancelled: nothing left to keep as a draft
        self.draft_timer.stop()
        super().done(result)

    @property
    def is_new(self) -> bool:
        return self.record_id is None
