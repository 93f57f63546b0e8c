"""设置: who fills the ledgers, the backup policy, backup now, restore, where the data is.

Backup choices are saved as they are made (there is nothing to forget to save); the
operator's details have a 保存 button because a half-typed name must not end up in
the 填报 row. Restoring replaces the whole database, so the page only asks for the
file and a confirmation and leaves the work to the main window, which owns the book.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.logging_setup import LOG_FILE_NAME
from hebi_desktop.paths import default_backup_folder, logs_dir
from hebi_desktop.services import backups
from hebi_desktop.services.book import Book
from hebi_desktop.ui.dialogs.backup_picker import BackupPicker, FolderPicker
from hebi_desktop.ui.dialogs.first_start import OperatorForm
from hebi_desktop.ui.icons import icon
from hebi_desktop.ui.screens.scope_box import ScopeBox
from hebi_desktop.ui.screens.server_address import ServerAddress
from hebi_desktop.ui.screens.signers_form import SignersBox
from hebi_desktop.ui.screens.startup_password_box import StartupPasswordBox
from hebi_desktop.ui.widgets.field_widgets import ERROR_COLOR, WARNING_COLOR
from hebi_desktop.ui.widgets.steady_inputs import hold_steady
from hebi_desktop.ui.workers import ProgressPanel, Worker

log = logging.getLogger(__name__)

OK_COLOR = "#2e7d32"
Yes = QMessageBox.StandardButton.Yes
No = QMessageBox.StandardButton.No


def open_folder(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class SettingsPage(QWidget):
    """``operator_changed`` after the operator's details were saved;
    ``restore_requested(path)`` once the clerk confirmed restoring ``path``;
    ``backup_made(path)`` after 立即备份 succeeded."""

    operator_changed = Signal()
    scope_changed = Signal(str)
    restore_requested = Signal(object)
    backup_made = Signal(object)

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self._loading = True
        self.worker: Worker | None = None
        self.last_backup: Path | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, which show it
        outer.addWidget(scroll)
        body = QWidget(scroll)
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        title = QLabel("设置", body)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        layout.addWidget(self._build_operator(body))
        self.signers_box = SignersBox(book, body)
        layout.addWidget(self.signers_box)
        self.scope_box = ScopeBox(book, body)
        self.scope_box.scope_changed.connect(self.scope_changed)
        layout.addWidget(self.scope_box)
        layout.addWidget(self._build_backup(body))
        layout.addWidget(self._build_database(body))
        self.startup_password_box = StartupPasswordBox(book, body)
        layout.addWidget(self.startup_password_box)
        layout.addStretch(1)
        hold_steady(self)
        self.load()

    # --- building ---------------------------------------------------------------------

    def _build_operator(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("填报信息", parent)  # a group box title never wraps: short
        layout = QVBoxLayout(box)
        note = QLabel("写在导出表格的“填报”一行，新建记录时自动填入县区、乡镇。", box)
        note.setWordWrap(True)
        note.setStyleSheet("color: #546e7a;")
        layout.addWidget(note)
        self.operator_form = OperatorForm(box)
        self.operator_form.setMaximumWidth(560)  # short answers; full width reads badly
        layout.addWidget(self.operator_form)
        row = QHBoxLayout()
        self.save_operator_button = QPushButton(icon("save"), "保存填报信息", box)
        self.save_operator_button.clicked.connect(self.save_operator)
        self.operator_label = QLabel(box)
        row.addWidget(self.save_operator_button)
        row.addWidget(self.operator_label, 1)
        layout.addLayout(row)
        self.operator_form.changed.connect(self._operator_edited)
        return box

    def _build_backup(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("备份与恢复", parent)
        form = QFormLayout(box)
        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit(box)
        self.folder_edit.setReadOnly(True)
        self.choose_folder_button = QPushButton("选择文件夹…", box)
        self.choose_folder_button.clicked.connect(self.choose_folder)
        self.open_backups_button = QPushButton("打开", box)
        self.open_backups_button.setToolTip("在文件管理器中打开备份文件夹")
        self.open_backups_button.clicked.connect(lambda: open_folder(self.folder()))
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.choose_folder_button)
        folder_row.addWidget(self.open_backups_button)
        form.addRow("备份文件夹：", folder_row)
        self.folder_hint = QLabel("建议选U盘或另一块硬盘上的文件夹，电脑硬盘损坏时数据仍在。", box)
        self.folder_hint.setStyleSheet("color: #546e7a;")
        self.folder_hint.setWordWrap(True)
        form.addRow("", self.folder_hint)

        self.on_exit_check = QCheckBox("退出程序时自动备份", box)
        self.on_exit_check.toggled.connect(self._policy_changed)
        form.addRow("自动备份：", self.on_exit_check)
        keep_row = QHBoxLayout()
        self.keep_spin = QSpinBox(box)
        self.keep_spin.setRange(1, backups.MAX_KEEP)
        self.keep_spin.setSuffix(" 份")
        self.keep_spin.valueChanged.connect(self._policy_changed)
        keep_row.addWidget(QLabel("保留最近", box))
        keep_row.addWidget(self.keep_spin)
        keep_note = QLabel("自动备份，更早的自动删除（手动备份不会删除）", box)
        keep_note.setWordWrap(True)
        keep_row.addWidget(keep_note, 1)
        form.addRow("", keep_row)

        now_row = QHBoxLayout()
        self.backup_button = QPushButton(icon("backup"), "立即备份", box)
        self.backup_button.setToolTip("把数据库完整复制到备份文件夹（录入时也可以备份）")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton(icon("restore"), "从备份恢复…", box)
        self.restore_button.setToolTip("用一份备份替换当前数据库；替换前会先保留当前数据库的副本")
        self.restore_button.clicked.connect(self.choose_restore)
        now_row.addWidget(self.backup_button)
        now_row.addWidget(self.restore_button)
        now_row.addStretch(1)
        form.addRow("", now_row)
        self.progress_panel = ProgressPanel(box)
        form.addRow("", self.progress_panel)
        self.backup_label = QLabel(box)
        self.backup_label.setWordWrap(True)
        form.addRow("最近备份：", self.backup_label)
        return box

    def _build_database(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("数据库", parent)
        form = QFormLayout(box)
        self.location_label = QLabel(self.book.location, box)
        self.location_label.setTextFormat(Qt.TextFormat.PlainText)
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location_label.setWordWrap(True)
        form.addRow("位置：", self.location_label)
        self.server_address = ServerAddress(box)
        form.addRow("服务器：", self.server_address)
        row = QHBoxLayout()
        self.open_database_button = QPushButton("打开所在文件夹", box)
        self.open_database_button.setEnabled(self.book.sqlite_file is not None)
        self.open_database_button.clicked.connect(self._open_database_folder)
        self.check_button = QPushButton("检查数据库", box)
        self.check_button.setToolTip("检查数据库文件是否完好")
        self.check_button.clicked.connect(self.check_database)
        self.logs_button = QPushButton("打开日志文件夹", box)
        self.logs_button.setToolTip(f"出现问题时，可把其中的 {LOG_FILE_NAME} 发给技术支持人员")
        self.logs_button.clicked.connect(lambda: open_folder(logs_dir()))
        for button in (self.open_database_button, self.check_button, self.logs_button):
            row.addWidget(button)
        row.addStretch(1)
        form.addRow("", row)
        return box

    # --- loading ----------------------------------------------------------------------

    def load(self) -> None:
        """Show what the settings hold now."""
        self._loading = True
        try:
            self.operator_form.load(self.book.settings.all())
            self.signers_box.load()
            rules = backups.policy(self.book)
            self.folder_edit.setText(str(rules.folder))
            self.on_exit_check.setChecked(rules.on_exit)
            self.keep_spin.setValue(rules.keep)
        finally:
            self._loading = False
        self.save_operator_button.setEnabled(False)
        self.operator_label.setText("")
        self._show_last_backup()

    def _show_last_backup(self) -> None:
        last = backups.last_backup_at(self.book)
        if last is None:
            self.backup_label.setText("还没有备份过")
            self.backup_label.setStyleSheet(f"color: {ERROR_COLOR};")
            return
        where = self.book.settings.get(backups.LAST_BACKUP_FILE) or ""
        self.backup_label.setText(f"{last:%Y-%m-%d %H:%M}  {where}")
        self.backup_label.setStyleSheet("")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.busy:
            self._show_last_backup()

    # --- operator ---------------------------------------------------------------------

    def _operator_edited(self) -> None:
        if self._loading:
            return
        complete = self.operator_form.is_complete()
        self.save_operator_button.setEnabled(complete)
        problems = self.operator_form.problems()
        self.operator_label.setText("" if complete else "；".join(problems))
        self.operator_label.setStyleSheet(f"color: {WARNING_COLOR};")

    def save_operator(self) -> bool:
        from hebi_desktop.services.settings import COUNTY, TOWNSHIP, UNIT_NAME, place_changes

        if not self.operator_form.is_complete():
            return False
        answers = self.operator_form.values()
        place, notes = place_changes(
            self.book.settings.all(), answers.get(COUNTY), answers.get(TOWNSHIP)
        )
        self.operator_form.save(self.book)
        if UNIT_NAME in place:  # it named the old place: cleared, and asked for again
            self.book.settings.set(UNIT_NAME, None)
            self.signers_box.load()
            QMessageBox.information(self, "县区、乡镇已改变", "\n".join(notes))
            self.signers_box.unit_edit.setFocus()
        self.save_operator_button.setEnabled(False)
        self.operator_label.setText("已保存")
        self.operator_label.setStyleSheet(f"color: {OK_COLOR};")
        self.operator_changed.emit()
        return True

    # --- backup -----------------------------------------------------------------------

    def folder(self) -> Path:
        if self.folder_edit.text():
            return Path(self.folder_edit.text())
        return default_backup_folder(self.book.sqlite_file)

    def choose_folder(self) -> Path | None:
        """The folder list (current, default, 文档; 从其他位置选择… for the rest)."""
        picker = FolderPicker(self.folder(), default_backup_folder(self.book.sqlite_file), self)
        self.folder_picker = picker
        if picker.exec() != QDialog.DialogCode.Accepted or picker.chosen is None:
            return None
        chosen = picker.chosen
        self.folder_edit.setText(str(chosen))
        self._policy_changed()
        return chosen

    def _policy_changed(self, *_args: Any) -> None:
        if self._loading:
            return
        folder = Path(self.folder_edit.text()) if self.folder_edit.text() else None
        default = folder is not None and folder == default_backup_folder(self.book.sqlite_file)
        backups.save_policy(
            self.book,
            None if default else folder,
            self.keep_spin.value(),
            self.on_exit_check.isChecked(),
        )

    @property
    def busy(self) -> bool:
        return self.worker is not None or self.startup_password_box.busy

    def backup_now(self) -> Worker | None:
        """立即备份 on a worker; the file goes into the chosen folder."""
        if self.busy:
            return None
        book, folder = self.book, self.folder()

        def job(progress: Any, _cancelled: Any) -> Path:
            return backups.make_backup(book, backups.MANUAL, folder, progress)

        worker = Worker(job, self)
        self.worker = worker
        self.backup_button.setEnabled(False)
        self.restore_button.setEnabled(False)
        self.progress_panel.attach(worker, "正在备份…", cancellable=False)
        worker.finished.connect(self._backup_finished)
        worker.failed.connect(self._backup_failed)
        worker.done.connect(self._backup_done)
        worker.start()
        return worker

    def _backup_finished(self, path: Path) -> None:
        self.last_backup = Path(path)
        self._show_last_backup()
        self.backup_label.setStyleSheet(f"color: {OK_COLOR};")
        self.backup_made.emit(self.last_backup)

    def _backup_failed(self, message: str) -> None:
        self.backup_label.setText(f"备份失败：{message}")
        self.backup_label.setStyleSheet(f"color: {ERROR_COLOR};")
        QMessageBox.warning(self, "备份失败", message)

    def _backup_done(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.deleteLater()
        self.backup_button.setEnabled(True)
        self.restore_button.setEnabled(True)

    def wait(self) -> None:
        if self.worker is not None:
            self.worker.wait()
        self.startup_password_box.wait()

    # --- restore ----------------------------------------------------------------------

    def choose_restore(self) -> Path | None:
        """Pick a backup and confirm; emits ``restore_requested`` (the window restores)."""
        if self.busy:
            return None
        if self.book.sqlite_file is None:
            QMessageBox.information(
                self, "从备份恢复", "共享服务器数据库（PostgreSQL）请由管理员恢复。"
            )
            return None
        picker = BackupPicker(self.folder(), self)
        self.backup_picker = picker
        if picker.exec() != QDialog.DialogCode.Accepted or picker.chosen is None:
            return None
        path = picker.chosen
        question = (
            f"确定用备份“{path.name}”替换当前数据库吗？\n\n"
            "备份之后录入或修改的记录将不在恢复后的数据库中。"
            f"替换前，当前数据库会先复制一份保存到备份文件夹（{self.folder()}），随时可以找回。"
        )
        if QMessageBox.question(self, "从备份恢复", question, Yes | No, No) != Yes:
            return None
        self.restore_requested.emit(path)
        return path

    # --- database ---------------------------------------------------------------------

    def _open_database_folder(self) -> None:
        path = self.book.sqlite_file
        if path is not None:
            open_folder(path.parent)

    def check_database(self) -> list[str]:
        problems = self.book.integrity_problems()
        if problems:
            QMessageBox.warning(self, "检查数据库", "发现问题：\n" + "\n".join(problems[:20]))
        else:
            QMessageBox.information(self, "检查数据库", "数据库完好，没有发现问题。")
        return problems
