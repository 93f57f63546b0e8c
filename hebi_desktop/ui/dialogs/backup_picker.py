"""从备份恢复 and 选择备份文件夹 as lists a clerk can read, not Qt's generic file dialogs.

The restore list shows the desk's backups newest first: when, kind (自动/手动/恢复前),
size, the records of each ledger and the program version. "从其他位置选择…" is the
exception (a backup on a USB stick). The folder list offers the folders that make sense
(the current one, the program's default, 文档), each with its backups and free space.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop import APP_TITLE
from hebi_desktop.domain.registry import all_ledgers
from hebi_desktop.services.backup_list import BackupInfo, free_space, list_backups, size_text
from hebi_desktop.ui import geometry

BACKUP_FILTER = "数据库备份 (*.sqlite *.db);;所有文件 (*)"
DOCUMENTS_FOLDER = f"{APP_TITLE}备份"


def _table(parent: QWidget, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    return table


def _picker_buttons(
    dialog: QDialog,
    table: QTableWidget,
    choose_text: str,
    choose: Callable[[], object],
    elsewhere: Callable[[], object],
) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """The default button that takes the chosen row (a double-click on a row does too),
    从其他位置选择… for a file or folder the list does not offer, and 取消."""
    buttons = QDialogButtonBox(dialog)
    choose_button = QPushButton(choose_text, dialog)
    choose_button.setDefault(True)
    elsewhere_button = QPushButton("从其他位置选择…", dialog)
    cancel = QPushButton("取消", dialog)
    buttons.addButton(choose_button, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(elsewhere_button, QDialogButtonBox.ButtonRole.ActionRole)
    buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
    choose_button.clicked.connect(choose)
    elsewhere_button.clicked.connect(elsewhere)
    cancel.clicked.connect(dialog.reject)
    table.doubleClicked.connect(lambda _index: choose())
    return buttons, choose_button, elsewhere_button


class BackupPicker(QDialog):
    """Choose a backup to restore; ``chosen`` is the file (None until one is chosen)."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.chosen: Path | None = None
        self.setWindowTitle("从备份恢复")
        layout = QVBoxLayout(self)
        self.backups = list_backups(folder)
        ledgers = list(all_ledgers())
        headers = ["备份时间", "类型", "大小", *[lg.nav_title for lg in ledgers], "程序版本"]
        self.table = _table(self, headers)
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            counts = [
                f"{info.counts[lg.key]:,} 条" if lg.key in info.counts else "—" for lg in ledgers
            ]
            cells = [
                f"{info.at:%Y-%m-%d %H:%M}",
                info.kind,
                info.size_text,
                *counts,
                info.version or "—",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(info.problem or str(info.path))
                if 2 <= column < len(cells) - 1:
                    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    item.setTextAlignment(right)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        where = QLabel(self)
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.backups:
            where.setText(f"备份文件夹：{folder}（共 {len(self.backups)} 份，最新的在最上面）")
        else:
            where.setText(
                f"备份文件夹（{folder}）中还没有备份。可以点“从其他位置选择…”恢复别处的备份文件。"
            )
        self.where_label = where
        layout.addWidget(where)
        layout.addWidget(self.table, 1)
        note = QLabel("恢复前，当前数据库会先另存一份（类型“恢复前”），随时可以找回。", self)
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons, self.restore_button, self.elsewhere_button = _picker_buttons(
            self, self.table, "恢复所选备份", self.choose_selected, self.choose_elsewhere
        )
        self.table.itemSelectionChanged.connect(self._update)
        layout.addWidget(buttons)
        if self.backups:
            self.table.selectRow(0)
        self._update()
        geometry.fit_to_screen(self, QSize(900, 460))

    def _update(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def choose_selected(self) -> Path | None:
        info = self.selected()
        if info is None:
            return None
        self.chosen = info.path
        self.accept()
        return self.chosen

    def choose_elsewhere(self) -> Path | None:
        """The exception: a backup file somewhere else (a USB stick, another folder)."""
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "选择要恢复的备份", str(self.folder), BACKUP_FILTER
        )
        if not chosen:
            return None
        self.chosen = Path(chosen)
        self.accept()
        return self.chosen


def folder_candidates(current: Path, default: Path) -> list[Path]:
    """The folders worth offering: the current one, the program's default, 文档."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    found: list[Path] = []
    for folder in (current, default, Path(documents) / DOCUMENTS_FOLDER if documents else None):
        if folder is not None and folder not in found:
            found.append(folder)
    return found


class FolderPicker(QDialog):
    """Choose the backup folder from a short list; ``chosen`` is the folder."""

    def __init__(self, current: Path, default: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current = current
        self.chosen: Path | None = None
        self.setWindowTitle("选择备份文件夹")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("备份放在哪里？建议放在另一块磁盘或 U 盘上。", self))
        self.folders = folder_candidates(current, default)
        self.table = _table(self, ["文件夹", "说明", "已有备份", "剩余空间"])
        self.table.setRowCount(len(self.folders))
        for row, folder in enumerate(self.folders):
            notes = []
            if folder == current:
                notes.append("当前")
            if folder == default:
                notes.append("程序默认")
            if not notes:
                notes.append("文档")
            free = free_space(folder)
            cells = [
                str(folder),
                "、".join(notes),
                f"{len(list_backups(folder))} 份" if folder.is_dir() else "（将新建）",
                size_text(free) if free is not None else "—",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(folder))
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        buttons, self.use_button, self.elsewhere_button = _picker_buttons(
            self, self.table, "使用所选文件夹", self.choose_selected, self.choose_elsewhere
        )
        layout.addWidget(buttons)
        self.table.selectRow(0)
        geometry.fit_to_screen(self, QSize(760, 300))

    def choose_selected(self) -> Path | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        self.chosen = self.folders[rows[0].row()]
        self.accept()
        return self.chosen

    def choose_elsewhere(self) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, "选择备份文件夹", str(self.current))
        if not chosen:
            return None
        self.chosen = Path(chosen)
        self.accept()
        return self.chosen
