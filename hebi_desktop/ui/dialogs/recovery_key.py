"""The window's side of the encrypted database: the recovery key shown, printed and typed,
and a plain database from an older version encrypted on the first start."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop import APP_TITLE
from hebi_desktop.errors import UserError

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

log = logging.getLogger(__name__)

SAVE_PDF = "保存为 PDF 并打印…"


class RecoveryKeyDialog(QDialog):
    """The recovery key, once, with the way to print it; saving it ends the reminders."""

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        from hebi_desktop.services.encryption import recovery_key

        super().__init__(parent)
        self.book = book
        self.saved_to: Path | None = None
        self.setWindowTitle("数据库恢复密钥")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "数据库已加密，平时由这台电脑自动解锁。换电脑、重装系统或在别处打开备份时，"
            "需要下面的恢复密钥。请保存为 PDF 打印出来，锁在柜中；不要拍照或发到聊天软件。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.key_label = QLabel(recovery_key(book), self)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.font().pointSizeF() * 1.2)
        self.key_label.setFont(font)
        layout.addWidget(self.key_label)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton(SAVE_PDF, QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.clicked.connect(self.save_pdf)
        close = buttons.addButton("以后再说", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def save_pdf(self, target: Path | None = None) -> Path | None:
        """Write the sheet (asking where, unless ``target``); accepts the dialog."""
        from hebi_desktop.printing.recovery_sheet import write_recovery_sheet

        if not isinstance(target, Path):
            name, _filter = QFileDialog.getSaveFileName(
                self, "保存恢复密钥", str(Path.home() / "数据库恢复密钥.pdf"), "PDF 文件 (*.pdf)"
            )
            if not name:
                return None
            target = Path(name)
        try:
            self.saved_to = write_recovery_sheet(self.book, target)
        except UserError as error:
            QMessageBox.warning(self, APP_TITLE, str(error))
            return None
        QMessageBox.information(
            self, APP_TITLE, f"恢复密钥已保存到：{self.saved_to}\n请打印出来，锁在柜中。"
        )
        self.accept()
        return self.saved_to


def ask_recovery_key(reason: str, parent: QWidget | None = None) -> bytes | None:
    """Ask for the recovery key after ``reason``; None when the clerk gives up."""
    from hebi_desktop.storage.keys import RecoveryKeyError, parse_recovery_key

    message = f"{reason}\n\n请输入打印的“数据库恢复密钥”（短横线可输可不输）："
    while True:
        text, ok = QInputDialog.getText(parent, "输入恢复密钥", message)
        if not ok or not text.strip():
            return None
        try:
            return parse_recovery_key(text)
        except RecoveryKeyError as error:
            message = f"{error}\n\n请重新输入恢复密钥："


def encrypt_on_start(db: str | None, parent: QWidget | None = None) -> bool:
    """Encrypt an older version's plain database before the window opens it.

    Returns False when it could not be done (the clerk was told why; the plain
    database is unchanged and still opens).
    """
    from PySide6.QtCore import QEventLoop

    from hebi_desktop.services.encryption import describe, encrypt_database, needs_encryption
    from hebi_desktop.ui.workers import run_in_background

    if not needs_encryption(db):
        return True
    progress = QProgressDialog("正在加密数据库，请稍候（不要关闭电脑）……", "", 0, 0, parent)
    progress.setWindowTitle(APP_TITLE)
    progress.setCancelButton(None)  # the swap is atomic; stopping half-way gains nothing
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.show()
    loop = QEventLoop()
    worker = run_in_background(lambda _progress, _cancelled: encrypt_database(db))
    worker.done.connect(loop.quit)
    if worker.running:
        loop.exec()
    progress.close()
    if worker.error_message is not None:
        QMessageBox.warning(parent, APP_TITLE, f"数据库加密没有完成：{worker.error_message}")
        return False
    QMessageBox.information(parent, APP_TITLE, "\n".join(describe(worker.result)))
    return True
