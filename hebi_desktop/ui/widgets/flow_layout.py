"""A row of widgets that wraps onto more rows when the window is narrow.

Qt's box and grid layouts never wrap: a row of buttons, filters or figure tiles is as
wide as all of them together, and at 1024×768 with a 150 % scale factor that pushed the
maximised main window past the right edge of the screen (its buttons and status bar cut
off). A :class:`FlowLayout` lays its items out left to right and starts a new row when
the next one does not fit, so its minimum width is that of its widest item; the height
follows the width (``heightForWidth``). Items whose horizontal size policy may expand
(a search box, a tile) share the room left over in their row, so on a wide screen a
flowing row still fills the width as a box layout would.

Qt ships this only as an example (``layouts/flowlayout``), not as a class; this is that
example with the sharing of leftover room.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping; ``spacing`` between items and rows."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))  # a row inside a page: no frame

    # --- the item list QLayout asks for ---------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def spacing(self) -> int:
        return self._spacing

    # --- sizes ----------------------------------------------------------------------------

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def sizeHint(self) -> QSize:
        """Everything on one row."""
        visible = self._visible()
        width = sum(item.sizeHint().width() for item in visible)
        width += self._spacing * max(len(visible) - 1, 0)
        height = max((item.sizeHint().height() for item in visible), default=0)
        margins = self.contentsMargins()
        return QSize(
            width + margins.left() + margins.right(), height + margins.top() + margins.bottom()
        )

    def minimumSize(self) -> QSize:
        """The widest item: narrower than that nothing can wrap."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    # --- layout ---------------------------------------------------------------------------

    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _rows(self, width: int) -> list[list[QLayoutItem]]:
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            wanted = item.sizeHint().width()
            if rows[-1] and used + self._spacing + wanted > width:
                rows.append([])
                used = 0
            used += (self._spacing if rows[-1] else 0) + wanted
            rows[-1].append(item)
        return [row for row in rows if row]

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        """Place the items (when ``apply``); returns the height they need at this width."""
        margins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        y = area.y()
        for row in self._rows(area.width()):
            widths = [
                max(min(item.sizeHint().width(), area.width()), item.minimumSize().width())
                for item in row
            ]
            spare = area.width() - sum(widths) - self._spacing * (len(row) - 1)
            growing = [i for i, item in enumerate(row) if _grows(item)]
            for number, index in enumerate(growing):
                share = spare // len(growing) + (1 if number < spare % len(growing) else 0)
                widths[index] += max(share, 0)
            height = max(item.sizeHint().height() for item in row)
            if apply:
                x = area.x()
                for item, width in zip(row, widths, strict=True):
                    item.setGeometry(QRect(QPoint(x, y), QSize(width, height)))
                    x += width + self._spacing
            y += height + self._spacing
        if y == area.y():
            return 0
        return y - self._spacing - area.y() + margins.top() + margins.bottom()


def _grows(item: QLayoutItem) -> bool:
    widget = item.widget()
    if widget is None:
        return False
    policy = widget.sizePolicy().horizontalPolicy()
    return bool(policy.value & QSizePolicy.PolicyFlag.ExpandFlag.value)


def flow_row(parent: QWidget, *widgets: QWidget, spacing: int | None = None) -> QWidget:
    """A widget holding ``widgets`` in a :class:`FlowLayout` (for a box layout's row)."""
    holder = QWidget(parent)
    gap = spacing
    if gap is None:
        gap = parent.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)
        gap = gap if gap >= 0 else 6
    layout = FlowLayout(holder, gap)
    for widget in widgets:
        layout.addWidget(widget)
    policy = holder.sizePolicy()
    policy.setHeightForWidth(True)
    holder.setSizePolicy(policy)
    return holder
