"""The pages of a print preview, one under the other, drawn from images made elsewhere.

The view knows only how many pages there are and the paper's proportions; it draws the
images it has been given and asks (:attr:`PageView.wanted`) for the pages in view that
it lacks, so its cost never grows with the length of the document. A bounded number of
page images is kept (least recently shown dropped first).
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

GAP = 16  # pixels between pages and around them
CACHE_BYTES = 96 * 1024 * 1024  # page images kept for scrolling back
FIT_WIDTH = "fit_width"
FIT_PAGE = "fit_page"
ZOOM_STEPS = (25, 50, 75, 100, 125, 150, 200, 300)
BACKGROUND = QColor("#8a8a8a")
MM_PER_INCH = 25.4


class PageView(QAbstractScrollArea):
    """Signals: ``wanted(list[(index, width)])``, ``current_changed(index)``,
    ``zoom_changed(percent)`` (after Ctrl+wheel), ``refresh_requested()``."""

    wanted = Signal(list)
    current_changed = Signal(int)
    zoom_changed = Signal(int)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printPages")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setAutoFillBackground(True)
        palette = self.viewport().palette()
        palette.setColor(self.viewport().backgroundRole(), BACKGROUND)
        self.viewport().setPalette(palette)
        self._count = 0
        self._paper_mm = QSize(297, 210)
        self._zoom: str | int = FIT_WIDTH
        self._images: OrderedDict[int, QImage] = OrderedDict()
        self._message = ""
        self._current = -1
        self._asking = QTimer(self)
        self._asking.setSingleShot(True)
        self._asking.setInterval(0)
        self._asking.timeout.connect(self._ask)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.horizontalScrollBar().valueChanged.connect(self.viewport().update)

    # --- what is shown ----------------------------------------------------------------

    def pageCount(self) -> int:
        return self._count

    def updatePreview(self) -> None:
        """Lay the document out again (the owner listens)."""
        self.refresh_requested.emit()

    @property
    def message(self) -> str:
        return self._message

    def show_message(self, text: str) -> None:
        """No pages (yet): ``text`` in the middle of the view."""
        self._count = 0
        self._message = text
        self._images.clear()
        self._relayout()

    def set_pages(self, count: int, width_mm: float, height_mm: float) -> None:
        self._count = count
        self._message = ""
        self._paper_mm = QSize(max(1, round(width_mm)), max(1, round(height_mm)))
        self._images.clear()
        self._current = -1
        self._relayout()
        self.verticalScrollBar().setValue(0)
        self._scrolled()

    def add_image(self, index: int, image: QImage) -> None:
        if image.width() != self.image_width() or not 0 <= index < self._count:
            return  # made for another zoom or another layout
        self._images[index] = image
        self._images.move_to_end(index)
        used = sum(i.sizeInBytes() for i in self._images.values())
        # The oldest first, never a page in view (at a large zoom two pages may outgrow
        # the budget: dropping one would have it painted again and again).
        shown = self.visible_pages()
        for old in [i for i in self._images if i not in shown]:
            if used <= CACHE_BYTES:
                break
            used -= self._images.pop(old).sizeInBytes()
        self.viewport().update()

    def has_image(self, index: int) -> bool:
        return index in self._images

    def image(self, index: int) -> QImage | None:
        return self._images.get(index)

    @property
    def cached(self) -> int:
        return len(self._images)

    # --- zoom -------------------------------------------------------------------------

    @property
    def zoom(self) -> str | int:
        return self._zoom

    def set_zoom(self, zoom: str | int) -> None:
        if zoom == self._zoom:
            return
        current = self.current_page()
        self._zoom = zoom
        self._images.clear()
        self._relayout()
        self.go_to(current)

    def _percent_now(self) -> int:
        dots_per_mm = self.logicalDpiX() / MM_PER_INCH
        return max(1, round(100 * self.page_width() / (self._paper_mm.width() * dots_per_mm)))

    def zoom_by(self, steps: int) -> None:
        now = self._percent_now()
        if steps > 0:
            bigger = [z for z in ZOOM_STEPS if z > now]
            chosen = bigger[0] if bigger else ZOOM_STEPS[-1]
        else:
            smaller = [z for z in ZOOM_STEPS if z < now]
            chosen = smaller[-1] if smaller else ZOOM_STEPS[0]
        self.set_zoom(chosen)
        self.zoom_changed.emit(chosen)

    def page_width(self) -> int:
        room = self.viewport().width() - 2 * GAP
        if self._zoom == FIT_WIDTH:
            return max(room, 50)
        if self._zoom == FIT_PAGE:
            tall = (self.viewport().height() - 2 * GAP) * self._paper_mm.width()
            return max(min(room, tall // self._paper_mm.height()), 50)
        dots_per_mm = self.logicalDpiX() / MM_PER_INCH
        return max(round(int(self._zoom) / 100 * self._paper_mm.width() * dots_per_mm), 50)

    def image_width(self) -> int:
        """A page image's width in device pixels: at 150 % scaling a page drawn at its
        logical width would be blown up by 1.5 and its small print blurred."""
        return max(round(self.page_width() * self.devicePixelRatioF()), 1)

    def page_height(self) -> int:
        return max(1, round(self.page_width() * self._paper_mm.height() / self._paper_mm.width()))

    # --- pages and scrolling ----------------------------------------------------------

    def _stride(self) -> int:
        return self.page_height() + GAP

    def current_page(self) -> int:
        if self._count == 0:
            return 0
        middle = self.verticalScrollBar().value() + self.viewport().height() // 3
        return min(max(middle // self._stride(), 0), self._count - 1)

    def go_to(self, index: int) -> None:
        if self._count == 0:
            return
        index = min(max(index, 0), self._count - 1)
        self.verticalScrollBar().setValue(index * self._stride())
        self._scrolled()

    def _relayout(self) -> None:
        bar = self.verticalScrollBar()
        total = GAP + self._count * self._stride()
        bar.setRange(0, max(0, total - self.viewport().height()))
        bar.setPageStep(self.viewport().height())
        bar.setSingleStep(max(20, self._stride() // 20))
        wide = self.page_width() + 2 * GAP - self.viewport().width()
        self.horizontalScrollBar().setRange(0, max(0, wide))
        self.horizontalScrollBar().setPageStep(self.viewport().width())
        self.viewport().update()
        self._asking.start()

    def _scrolled(self, *_args: object) -> None:
        self.viewport().update()
        self._asking.start()
        current = self.current_page()
        if current != self._current and self._count:
            self._current = current
            self.current_changed.emit(current)

    def visible_pages(self) -> range:
        if self._count == 0:
            return range(0)
        top = self.verticalScrollBar().value()
        first = max((top - GAP) // self._stride(), 0)
        last = min((top + self.viewport().height()) // self._stride(), self._count - 1)
        return range(first, last + 1)

    def _ask(self) -> None:
        """The pages in view that have no image yet, then one either side."""
        visible = self.visible_pages()
        if not visible:
            return
        near = [*visible, visible.stop, visible.start - 1]
        width = self.image_width()
        missing = [(i, width) for i in near if 0 <= i < self._count and i not in self._images]
        for index in visible:  # shown now: kept longest
            if index in self._images:
                self._images.move_to_end(index)
        if missing:
            self.wanted.emit(missing)

    # --- painting and input -----------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            if self._count == 0:
                painter.setPen(QColor("white"))
                painter.drawText(
                    self.viewport().rect(),
                    int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap),
                    self._message,
                )
                return
            width, height = self.page_width(), self.page_height()
            left = max(GAP, (self.viewport().width() - width) // 2)
            left -= self.horizontalScrollBar().value()
            top = self.verticalScrollBar().value()
            for index in self.visible_pages():
                rect = QRect(left, GAP + index * self._stride() - top, width, height)
                image = self._images.get(index)
                if image is not None:
                    painter.drawImage(rect, image)
                else:
                    painter.fillRect(rect, QColor("white"))
                    painter.setPen(QColor("#555555"))
                    painter.drawText(
                        rect, int(Qt.AlignmentFlag.AlignCenter), f"正在生成第 {index + 1} 页…"
                    )
        finally:
            painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._zoom in (FIT_WIDTH, FIT_PAGE):
            current = self.current_page()
            self._images.clear()
            self._relayout()
            self.go_to(current)
        else:
            self._relayout()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        moves = {
            Qt.Key.Key_PageDown: self.current_page() + 1,
            Qt.Key.Key_PageUp: self.current_page() - 1,
            Qt.Key.Key_Home: 0,
            Qt.Key.Key_End: self._count - 1,
        }
        if key in moves:
            self.go_to(moves[Qt.Key(key)])
            event.accept()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y()
            if delta:
                self.zoom_by(1 if delta > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)
