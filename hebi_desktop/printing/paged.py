"""A form laid out once, exactly as its PDF will be, then painted one page at a time into
an image: the print preview shows a 7,000-page list by rendering only the pages in view.

Everything here may run on a worker thread (QPainter on a QImage, QPdfWriter); the
objects of one :class:`LaidOut` must stay on the thread that made them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage, QPainter, QPdfWriter

from hebi_desktop.printing.archive import ArchiveDocument, ArchiveRenderer
from hebi_desktop.printing.content import Document
from hebi_desktop.printing.render import PagedForm, Progress, Renderer, set_up_page

MM_PER_METRE = 1000.0
INCH_M = 0.0254


@dataclass(frozen=True)
class Paper:
    """The sheet in millimetres and where its printable area starts (plain data, so it
    can cross to the GUI thread)."""

    width_mm: float
    height_mm: float
    left_mm: float
    top_mm: float

    @property
    def aspect(self) -> float:
        """Height over width."""
        return self.height_mm / self.width_mm


class LaidOut:
    """A document paginated for a paper; :meth:`image` paints one page."""

    def __init__(
        self,
        document: Document | ArchiveDocument,
        paper: str,
        landscape: bool,
        cancelled: Callable[[], bool] | None = None,
        progress: Progress | None = None,
    ) -> None:
        # The layout is measured on a PDF writer, as the saved PDF's is; nothing is written.
        self._buffer = QBuffer()
        self._buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self._writer = QPdfWriter(self._buffer)
        set_up_page(self._writer, paper, landscape)
        self.form: PagedForm
        if isinstance(document, ArchiveDocument):
            self.form = ArchiveRenderer(document, self._writer)
        else:
            self.form = Renderer(document, self._writer, cancelled, progress)
        self.dpi = self._writer.resolution()
        layout = self._writer.pageLayout()
        full = layout.fullRect(layout.Unit.Millimeter)
        inner = layout.paintRect(layout.Unit.Millimeter)
        self.paper = Paper(full.width(), full.height(), inner.left(), inner.top())

    @property
    def page_count(self) -> int:
        return self.form.page_count

    def image(self, index: int, width_px: int) -> QImage:
        """Page ``index`` as a white sheet ``width_px`` wide, margins included."""
        dots_per_mm = self.dpi / (INCH_M * MM_PER_METRE)
        scale = width_px / (self.paper.width_mm * dots_per_mm)
        height_px = max(1, round(width_px * self.paper.aspect))
        image = QImage(width_px, height_px, QImage.Format.Format_RGB32)
        image.fill(0xFFFFFF)
        # Fonts are sized in points against the layout's resolution, then scaled down.
        dots_per_metre = round(self.dpi / INCH_M)
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.scale(scale, scale)
            painter.translate(self.paper.left_mm * dots_per_mm, self.paper.top_mm * dots_per_mm)
            self.form.paint_page(painter, index)
        finally:
            painter.end()
        return image
