"""A large view of one attachment, with rotate and previous/next.

Rotation turns the view only: the stored photo was already turned upright from its EXIF
orientation on attach, and a clerk's quarter turn to read a sideways scan must not
rewrite the evidence.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QResizeEvent, QShortcut, QTransform
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hebi_desktop.errors import UserError
from hebi_desktop.services.attachments import AttachmentInfo, AttachmentService
from hebi_desktop.ui import geometry


def attachment_label(attachment: AttachmentInfo) -> str:
    """``改造后 正门 2024-09-02``: kind, caption and date taken."""
    parts = [attachment.kind, attachment.caption]
    if attachment.taken_at is not None:
        parts.append(f"{attachment.taken_at:%Y-%m-%d}")
    return " ".join(p for p in parts if p)


class AttachmentViewer(QDialog):
    def __init__(
        self,
        service: AttachmentService,
        attachments: list[AttachmentInfo],
        index: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.attachments = attachments
        self.index = index
        self.angle = 0
        self.image = QImage()
        layout = QVBoxLayout(self)
        self.title_label = QLabel(self)
        layout.addWidget(self.title_label)
        self.picture = QLabel(self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(320, 240)
        layout.addWidget(self.picture, 1)
        buttons = QHBoxLayout()
        self.previous_button = QPushButton("上一张", self)
        self.next_button = QPushButton("下一张", self)
        self.left_button = QPushButton("向左旋转", self)
        self.right_button = QPushButton("向右旋转", self)
        close = QPushButton("关闭", self)
        for button in (
            self.previous_button,
            self.next_button,
            self.left_button,
            self.right_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.left_button.clicked.connect(lambda: self.rotate(-90))
        self.right_button.clicked.connect(lambda: self.rotate(90))
        close.clicked.connect(self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Left), self).activated.connect(lambda: self.step(-1))
        QShortcut(QKeySequence(Qt.Key.Key_Right), self).activated.connect(lambda: self.step(1))
        geometry.restore_geometry(self, "attachmentViewer", QSize(1000, 760))
        self.show_current()

    @property
    def current(self) -> AttachmentInfo:
        return self.attachments[self.index]

    def show_current(self) -> None:
        attachment = self.current
        self.angle = 0
        self.setWindowTitle(f"附件 {self.index + 1}/{len(self.attachments)}")
        where = ""
        if attachment.latitude is not None and attachment.longitude is not None:
            where = f"  位置：{attachment.latitude:.5f}，{attachment.longitude:.5f}"
        self.title_label.setText(
            f"{attachment_label(attachment)}  （{attachment.file_name}）{where}"
        )
        self.image = QImage()
        if attachment.is_photo:
            try:
                self.image.loadFromData(self.service.content(attachment))
            except UserError as error:
                self.picture.setText(str(error))
        else:
            self.picture.setText("PDF文件：请用“导出”带附件导出后用PDF阅读器查看")
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.attachments) - 1)
        self._render()

    def step(self, delta: int) -> None:
        target = self.index + delta
        if 0 <= target < len(self.attachments):
            self.index = target
            self.show_current()

    def rotate(self, degrees: int) -> None:
        self.angle = (self.angle + degrees) % 360
        self._render()

    def shown_image(self) -> QImage:
        """The photo as on screen: turned by the clerk's rotation."""
        return self.image.transformed(QTransform().rotate(self.angle))

    def _render(self) -> None:
        if self.image.isNull():
            return
        pixmap = QPixmap.fromImage(self.shown_image())
        self.picture.setPixmap(
            pixmap.scaled(
                self.picture.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._render()
