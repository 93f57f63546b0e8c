"""The 附件 tab of the record form: thumbnails, attach by dialog, drop or paste, the
viewer, soft delete and restore.

Attaching (reading, turning and shrinking photos) runs off the GUI thread; thumbnails
come from :mod:`hebi_desktop.ui.widgets.thumbnails`, so a record with ten photos opens at once.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.fields import Ledger
from hebi_desktop.errors import UserError
from hebi_desktop.services.attachments import AttachmentInfo, NewAttachment
from hebi_desktop.services.book import Book
from hebi_desktop.services.photos import ACCEPTED_SUFFIXES
from hebi_desktop.ui.dialogs.attachment_viewer import AttachmentViewer, attachment_label
from hebi_desktop.ui.widgets.thumbnails import THUMBNAIL_SIZE, shared_cache
from hebi_desktop.ui.workers import IsCancelled, Progress, ProgressPanel, Worker

log = logging.getLogger(__name__)

FILE_FILTER = (
    "照片和扫描件 (*.jpg *.jpeg *.png *.heic *.pdf *.JPG *.JPEG *.PNG *.PDF);;所有文件 (*)"
)


def dropped_files(mime: QMimeData) -> list[Path]:
    """The local files of a drop or a paste."""
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class AttachmentsPanel(QWidget):
    """The attachments of one saved record. ``changed(count)`` after every change."""

    changed = Signal(int)

    def __init__(self, book: Book, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.ledger = ledger
        self.service = book.attachments(ledger)
        self.record_id: int | None = None
        self.read_only = False
        self.attachments: list[AttachmentInfo] = []
        self.worker: Worker | None = None
        self.cache = shared_cache()
        self.cache.ready.connect(self._thumbnail_ready)
        self.setAcceptDrops(True)
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("类别", self))
        self.kind_box = QComboBox(self)
        self.kind_box.addItems(self.ledger.attachments.kind_names)
        self.kind_box.setToolTip("新添加的文件归入这个类别")
        bar.addWidget(self.kind_box)
        bar.addWidget(QLabel("说明", self))
        self.caption_edit = QLineEdit(self)
        self.caption_edit.setPlaceholderText("如：正门、东侧墙体（选填）")
        bar.addWidget(self.caption_edit, 1)
        self.add_button = QPushButton("添加文件…", self)
        self.add_button.setToolTip("选择照片、扫描件或PDF；也可以把文件拖到这里，或按Ctrl+V粘贴")
        self.add_button.clicked.connect(self.choose_files)
        bar.addWidget(self.add_button)
        layout.addLayout(bar)
        self.hint_label = QLabel(self)
        self.hint_label.setWordWrap(True)
        layout.addWidget(self.hint_label)
        self.list = QListWidget(self)
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setSpacing(8)
        self.list.setWordWrap(True)
        self.list.setAcceptDrops(False)
        self.list.itemActivated.connect(self._open_item)
        self.list.currentRowChanged.connect(self._update_buttons)
        layout.addWidget(self.list, 1)
        bottom = QHBoxLayout()
        self.open_button = QPushButton("查看", self)
        self.open_button.clicked.connect(self.open_current)
        self.caption_button = QPushButton("修改说明…", self)
        self.caption_button.clicked.connect(self.edit_caption)
        self.delete_button = QPushButton("删除", self)
        self.delete_button.setToolTip("删除后可在“显示已删除”中恢复")
        self.delete_button.clicked.connect(self.delete_current)
        self.show_deleted = QCheckBox("显示已删除", self)
        self.show_deleted.toggled.connect(self.reload)
        self.restore_button = QPushButton("恢复", self)
        self.restore_button.clicked.connect(self.restore_current)
        for widget in (
            self.open_button,
            self.caption_button,
            self.delete_button,
            self.show_deleted,
            self.restore_button,
        ):
            bottom.addWidget(widget)
        bottom.addStretch(1)
        self.progress = ProgressPanel(self)
        bottom.addWidget(self.progress)
        layout.addLayout(bottom)
        paste = QShortcut(QKeySequence.StandardKey.Paste, self)
        paste.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        paste.activated.connect(self.paste)
        self._update_buttons()

    # --- loading --------------------------------------------------------------------

    def load(self, record_id: int | None, *, read_only: bool = False) -> None:
        self.record_id = record_id
        self.read_only = read_only
        self.show_deleted.setChecked(False)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        self.attachments = []
        if self.record_id is not None:
            self.attachments = self.service.find(
                self.record_id, deleted=self.show_deleted.isChecked()
            )
        blank = QPixmap(THUMBNAIL_SIZE, THUMBNAIL_SIZE)
        blank.fill(Qt.GlobalColor.lightGray)
        for attachment in self.attachments:
            item = QListWidgetItem(QIcon(blank), attachment_label(attachment), self.list)
            item.setData(Qt.ItemDataRole.UserRole, attachment.id)
            item.setToolTip(attachment.file_name)
            if attachment.is_photo:
                self.cache.request(attachment.sha256, self._reader(attachment))
            else:
                item.setText(f"[PDF] {item.text()}")
        live = len(self.attachments) if not self.show_deleted.isChecked() else None
        self.hint_label.setText(
            self._hint() if live is not None else "已删除的附件：选中后点“恢复”"
        )
        self._update_buttons()

    def _reader(self, attachment: AttachmentInfo) -> Callable[[], bytes]:
        service = self.service
        return lambda: service.content(attachment)

    def _hint(self) -> str:
        if self.record_id is None:
            return "保存记录后才能添加附件。"
        missing = [e for rid, e in self.service.missing_evidence([self.record_id])]
        text = f"共 {len(self.attachments)} 个附件。拖入文件或按Ctrl+V粘贴也可添加。"
        if missing:
            text += " 提醒：" + "；".join(e.message for e in missing)
        return text

    def _thumbnail_ready(self, sha256: str, image: QImage) -> None:
        if image.isNull():
            return
        for row, attachment in enumerate(self.attachments):
            if attachment.sha256 == sha256 and row < self.list.count():
                self.list.item(row).setIcon(QIcon(QPixmap.fromImage(image)))

    def _update_buttons(self, *_args: object) -> None:
        writable = self.record_id is not None and not self.read_only
        deleted_view = self.show_deleted.isChecked()
        selected = self.list.currentRow() >= 0
        for widget in (self.add_button, self.kind_box, self.caption_edit):
            widget.setEnabled(writable and not deleted_view)
        self.delete_button.setEnabled(writable and selected and not deleted_view)
        self.caption_button.setEnabled(writable and selected and not deleted_view)
        self.restore_button.setVisible(deleted_view)
        self.restore_button.setEnabled(writable and selected and deleted_view)
        self.open_button.setEnabled(selected)

    # --- adding ---------------------------------------------------------------------

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "选择要附加的文件", "", FILE_FILTER)
        if names:
            self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path]) -> Worker | None:
        """Attach ``paths`` as the chosen kind, off the GUI thread; all or none."""
        if self.record_id is None or self.read_only or not paths:
            return None
        if self.worker is not None and self.worker.running:
            return None
        refused = [p.name for p in paths if p.suffix.lower() not in ACCEPTED_SUFFIXES]
        if refused:
            QMessageBox.warning(
                self, "不能附加", f"只能附加照片（JPG、PNG）、扫描件和PDF：{'、'.join(refused)}"
            )
            return None
        kind, caption = self.kind_box.currentText(), self.caption_edit.text()
        items = [NewAttachment(self.record_id, p, kind, caption) for p in paths]
        service = self.service

        def job(report: Progress, cancelled: IsCancelled) -> list[AttachmentInfo]:
            def progress(done: int, total: int) -> bool:
                report(done, total)
                return not cancelled()

            return service.attach_many(items, progress=progress)

        worker = Worker(job, self)
        worker.finished.connect(self._added)
        worker.failed.connect(lambda message: QMessageBox.warning(self, "未能附加", message))
        self.progress.attach(worker, "正在附加…")
        self.worker = worker
        worker.start()
        return worker

    def _added(self, added: list[AttachmentInfo]) -> None:
        self.caption_edit.clear()
        self.reload()
        self.changed.emit(len(self.attachments))

    def paste(self) -> None:
        """Ctrl+V: copied files, or a copied picture (a screenshot, a photo from a chat)."""
        mime = QApplication.clipboard().mimeData()
        files = dropped_files(mime)
        if files:
            self.add_files(files)
            return
        if mime.hasImage():
            image = QImage(mime.imageData())
            if image.isNull():
                return
            folder = Path(tempfile.mkdtemp(prefix="hebi-paste-"))
            path = folder / "粘贴的图片.png"
            image.save(str(path))  # the format follows the .png suffix
            worker = self.add_files([path])
            if worker is not None:
                worker.done.connect(lambda: path.unlink(missing_ok=True))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_files(event.mimeData()) and self.record_id is not None and not self.read_only:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = dropped_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.add_files(files)

    # --- viewing, deleting ----------------------------------------------------------

    def current(self) -> AttachmentInfo | None:
        row = self.list.currentRow()
        return self.attachments[row] if 0 <= row < len(self.attachments) else None

    def _open_item(self, item: QListWidgetItem) -> None:
        self.list.setCurrentItem(item)
        self.open_current()

    def open_current(self) -> AttachmentViewer | None:
        if self.current() is None:
            return None
        viewer = AttachmentViewer(self.service, self.attachments, self.list.currentRow(), self)
        viewer.show()
        return viewer

    def edit_caption(self) -> None:
        attachment = self.current()
        if attachment is None:
            return
        text, accepted = QInputDialog.getText(
            self,
            "修改说明",
            f"“{attachment.kind}”的说明：",
            QLineEdit.EchoMode.Normal,
            attachment.caption,
        )
        if accepted:
            self._change(lambda: self.service.set_caption(attachment.id, text))

    def delete_current(self) -> None:
        attachment = self.current()
        if attachment is None:
            return
        self._change(lambda: self.service.delete(attachment.id))

    def restore_current(self) -> None:
        attachment = self.current()
        if attachment is None:
            return
        self._change(lambda: self.service.restore(attachment.id))

    def _change(self, action: Callable[[], object]) -> None:
        try:
            action()
        except UserError as error:
            QMessageBox.warning(self, "未能完成", str(error))
        self.reload()
        self.changed.emit(len(self.service.find(self.record_id)))
