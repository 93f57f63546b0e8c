"""A one-line label that gives way on a narrow window with "…" and a tooltip.

A plain QLabel is either as wide as its text (a long ledger title or database path then
sets the window's minimum width) or, with an ignored size policy, cut off mid-character
with nothing to say that text is missing. This one draws as much as fits, ends with "…"
when it had to shorten, and then carries the full text in its tooltip. ``text()`` stays
the full text.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """A plain-text label drawn elided to its width."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, minimum: str = "") -> None:
        """``minimum``: a text that always stays whole (e.g. "住房安全")."""
        super().__init__(parent)
        self._minimum = minimum
        self._own_tip = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        # Shrinks down to its minimum text (an ignored policy would let it vanish).
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # type: ignore[override]
        super().setText(text)
        self._update_tip()

    def setToolTip(self, tip: str) -> None:  # type: ignore[override]
        self._own_tip = tip
        self._update_tip()

    def shown_text(self) -> str:
        """What is drawn at the current width."""
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, width)

    def is_elided(self) -> bool:
        return self.shown_text() != self.text()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self.text()) + 4, hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        width = self.fontMetrics().horizontalAdvance(f"{self._minimum}…") + 4
        return QSize(width, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment().value),
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            QPalette.ColorRole.WindowText,
        )

    def _update_tip(self) -> None:
        tip = self._own_tip or (self.text() if self.is_elided() else "")
        QLabel.setToolTip(self, tip)
