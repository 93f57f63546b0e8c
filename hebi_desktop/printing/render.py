"""Laying a :class:`Document` out on pages and painting it with QPainter.

The pagination is done here rather than by QTextDocument so that every page can carry
what a signed paper form needs: the title and heading, the header row, a 本页小计 row,
the signature line, 第 X 页 共 Y 页, and on the last page the 合计 row and room for the
unit's stamp. When the columns do not fit the paper even after narrowing the text
columns a little, they spill onto further pages that repeat 序号 and the key columns
(name, ID number), the way Excel prints wide sheets: each set of rows is printed across
all its column pages before the next set begins.

A cell holds at most :data:`MAX_LINES` lines. Longer text (a long 备注) ends its visible
part with "…（注N）" and is printed in full in the 附注 pages at the end of the document,
so nothing is silently dropped from signed paper. Every text is drawn with the font
chain of :func:`fonts.families`, which finds rare characters in a second font.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from PySide6.QtCore import QLineF, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPen,
)

from hebi_desktop.errors import Cancelled, UserError
from hebi_desktop.printing.content import Align, Document, TableColumn
from hebi_desktop.printing.fonts import chained, families

PAPERS = {"A4": QPageSize.PageSizeId.A4, "A3": QPageSize.PageSizeId.A3}
MARGINS_MM = QMarginsF(12, 10, 12, 10)
BODY_PT = 9.5  # body text never below 9 pt, whatever the paper
HEADER_PT = 9.5
TITLE_PT = 16
HEADING_PT = 10
INTRO_PT = 11
MAX_LINES = 4  # a cell grows to this many lines; longer text goes on in the 附注 pages
NOTES_TITLE = "附注（表中未印全的内容）"
MIN_SHRINK = 0.7  # text columns may narrow this far (wrapping) before columns spill
STAMP_MM = 32.0  # room for a round 4 cm stamp overlapping the 单位（盖章） line
SUBTOTAL_LABEL = "本页小计"
TOTAL_LABEL = "合计"
HEADER_FILL = QColor("#e6e6e6")

Cancelled_ = Callable[[], bool]
Progress = Callable[[int, int], None]  # (done, total); total 0 while not known


def set_up_page(device: QPagedPaintDevice, paper: str = "A4", landscape: bool = True) -> None:
    """Paper size, orientation and margins of a PDF writer or printer."""
    if paper not in PAPERS:
        raise UserError(f"纸张：“{paper}”不是可选值（可选：{'、'.join(PAPERS)}）")
    device.setPageSize(QPageSize(PAPERS[paper]))
    device.setPageOrientation(
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    device.setPageMargins(MARGINS_MM, QPageLayout.Unit.Millimeter)


@dataclass
class _Fonts:
    body: QFont
    bold: QFont
    title: QFont
    heading: QFont
    intro: QFont


def _fonts(chain: list[str]) -> _Fonts:
    def make(size: float, bold: bool = False) -> QFont:
        font = chained(chain)
        font.setPointSizeF(size)
        font.setBold(bold)
        font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
        return font

    return _Fonts(
        make(BODY_PT), make(HEADER_PT, True), make(TITLE_PT, True), make(HEADING_PT), make(INTRO_PT)
    )


@dataclass
class _Page:
    rows: range
    group: int
    first: bool  # the first set of rows (the notice's paragraph)
    last: bool  # the last set of rows (合计, stamp, closing)


@dataclass(frozen=True)
class Note:
    """The full text of a cell that did not fit in :data:`MAX_LINES` lines."""

    number: int
    row: str  # 序号 of the row
    header: str
    text: str

    def line(self) -> str:
        return f"注{self.number}（序号{self.row}，{self.header}）：{self.text}"


class Renderer:
    """Paints one document on a paged device (``QPdfWriter`` or ``QPrinter``).

    Laying out (measuring every row) happens once, here; then any single page can be
    painted on any painter (:meth:`paint_page`), which lets the preview render only the
    pages in view. ``cancelled`` and ``progress`` (pages laid out so far) are polled
    while the rows are measured: a long list takes a while even off the GUI thread.
    """

    def __init__(
        self,
        document: Document,
        device: QPagedPaintDevice,
        cancelled: Cancelled_ | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.doc = document
        self.device = device
        self.fonts = _fonts(families())
        self.mm = device.logicalDpiY() / 25.4
        self.width = float(device.width())
        self.height = float(device.height())
        self.metrics = QFontMetricsF(self.fonts.body, device)
        self.bold_metrics = QFontMetricsF(self.fonts.bold, device)
        self.line = self.metrics.lineSpacing()
        self.pad_x = 0.8 * self.mm
        self.pad_y = 0.9 * self.mm
        self.title_metrics = QFontMetricsF(self.fonts.title, device)
        self.heading_metrics = QFontMetricsF(self.fonts.heading, device)
        self.intro_metrics = QFontMetricsF(self.fonts.intro, device)
        self._cancelled = cancelled
        self._progress = progress
        self.groups = self._column_groups()
        self.notes = self._cut_long_cells()
        self.header_height = max(self._header_height(g) for g in self.groups)
        self.row_heights: list[float] = []
        self.pages = self._paginate()
        self.note_pages = self._paginate_notes()

    @property
    def page_count(self) -> int:
        return len(self.pages) + len(self.note_pages)

    # --- columns ----------------------------------------------------------------------

    def _unit(self) -> float:
        """One half-width character of body text."""
        return max(self.metrics.horizontalAdvance("0"), self.metrics.horizontalAdvance("国") / 2)

    def _column_groups(self) -> list[list[tuple[int, float]]]:
        """Sets of (column index, width in device units) that each fill one page width."""
        unit = self._unit()
        natural = [c.width * unit + 2 * self.pad_x for c in self.doc.columns]
        for index, column in enumerate(self.doc.columns):  # numbers and IDs stay on one line
            if self._rigid(column):
                widest = max((self._advance(row[index]) for row in self.doc.rows), default=0.0)
                natural[index] = max(natural[index], widest + 2 * self.pad_x + self.mm)
        for index, column in enumerate(self.doc.columns):  # a header word never breaks badly
            natural[index] = max(natural[index], self._longest_header_word(column) + 2 * self.pad_x)
        for index, total in self._widest_totals().items():  # 999,999,999.99 in bold
            natural[index] = max(natural[index], self._sum_width(total))
        fitted = self._fit(list(range(len(natural))), natural)
        if fitted is not None:
            return [fitted]
        keys = [i for i, c in enumerate(self.doc.columns) if c.key]
        rest = [i for i in range(len(natural)) if i not in keys]
        key_width = sum(natural[i] for i in keys)
        groups: list[list[int]] = []
        current: list[int] = []
        used = key_width
        for index in rest:
            if current and used + natural[index] > self.width:
                groups.append(current)
                current, used = [], key_width
            current.append(index)
            used += natural[index]
        if current:
            groups.append(current)
        result = []
        for group in groups:
            indexes = sorted([*keys, *group])
            fitted = self._fit(indexes, natural)
            result.append(fitted or [(i, natural[i]) for i in indexes])
        return result

    def _advance(self, text: str) -> float:
        return self.metrics.horizontalAdvance(text) if text else 0.0

    def _longest_header_word(self, column: TableColumn) -> float:
        """Headers wrap between characters, but a header of up to four characters stays whole."""
        text = column.header
        head = text if len(text) <= 4 else text[:4]
        return self.bold_metrics.horizontalAdvance(head)

    def _fit(self, indexes: list[int], natural: list[float]) -> list[tuple[int, float]] | None:
        """Widths that fill the page, or None when even narrowed the columns are too wide.

        The column that holds the sum rows' count (共100000户) never narrows below it.
        """
        widths = {i: natural[i] for i in indexes}
        floor: dict[int, float] = {}
        count_column = self._count_column(indexes)
        if count_column is not None:
            floor[count_column] = self._sum_width(self.doc.count_label)
            widths[count_column] = max(widths[count_column], floor[count_column])
        total = sum(widths.values())
        if total <= self.width:
            scale = self.width / total
            return [(i, widths[i] * scale) for i in indexes]
        fixed = {i for i in indexes if self._rigid(self.doc.columns[i])}
        while True:
            fixed_total = sum(widths[i] for i in fixed)
            flexible_total = total - fixed_total
            room = self.width - fixed_total
            if flexible_total <= 0 or room / flexible_total < MIN_SHRINK:
                return None
            shrink = room / flexible_total
            held = [i for i in floor if i not in fixed and widths[i] * shrink < floor[i]]
            if not held:
                break
            for index in held:  # narrowed only as far as its count allows
                widths[index] = floor[index]
                fixed.add(index)
            total = sum(widths.values())
        return [(i, widths[i] if i in fixed else widths[i] * shrink) for i in indexes]

    def _count_column(self, indexes: Sequence[int]) -> int | None:
        """The column of a page's group that shows the sum rows' count: the third one,
        unless it holds a sum itself."""
        if len(indexes) < 3 or self.doc.columns[indexes[2]].summed:
            return None
        return indexes[2]

    def _sum_width(self, text: str) -> float:
        """The cell width a text of the sum rows (bold, one line) needs."""
        return self.bold_metrics.horizontalAdvance(text) + 2 * self.pad_x + self.mm

    def _widest_totals(self) -> dict[int, str]:
        """Per summed column, the widest text its 本页小计 or 合计 can show: the sum of the
        magnitudes bounds every partial sum (a minus sign when any value is negative)."""
        summed = self.doc.summed_indexes
        if not summed:
            return {}
        sizes = [Decimal(0)] * len(summed)
        negative = False
        for values in self.doc.sums:
            negative = negative or any(v < 0 for v in values)
            sizes = [a + abs(b) for a, b in zip(sizes, values, strict=True)]
        sign = "-" if negative else ""
        return {
            index: sign + self._sum_text(self.doc.columns[index], size)
            for index, size in zip(summed, sizes, strict=True)
        }

    @staticmethod
    def _sum_text(column: TableColumn, value: Decimal) -> str:
        return f"{value:,.2f}" if column.money else f"{value:.0f}"  # 16,645,916.00

    @staticmethod
    def _rigid(column: TableColumn) -> bool:
        return column.rigid

    # --- rows -------------------------------------------------------------------------

    def _lines(self, text: str, width: float, metrics: QFontMetricsF) -> int:
        return min(MAX_LINES, self._line_count(text, width, metrics))

    def _line_count(self, text: str, width: float, metrics: QFontMetricsF) -> int:
        inner = width - 2 * self.pad_x
        if not text or metrics.horizontalAdvance(text) <= inner:
            return 1
        rect = metrics.boundingRect(
            QRectF(0, 0, inner, 1e6), int(Qt.TextFlag.TextWrapAnywhere), text
        )
        return max(1, round(rect.height() / metrics.lineSpacing()))

    def _cut_long_cells(self) -> list[Note]:
        """End each cell too long for :data:`MAX_LINES` lines with "…（注N）"; the notes."""
        notes: list[Note] = []
        rows = self.doc.rows
        cut: list[list[str]] | None = None
        advance = self.metrics.horizontalAdvance
        widest = advance("国") * 1.2  # a line loses less than one character to wrapping
        for group in self.groups:
            for index, width in group:
                column = self.doc.columns[index]
                surely_fits = (width - 2 * self.pad_x - widest) * MAX_LINES
                for row_index, row in enumerate(rows):
                    text = row[index]
                    if len(text) <= 3 or advance(text) <= surely_fits:
                        continue
                    if self._line_count(text, width, self.metrics) <= MAX_LINES:
                        continue
                    if cut is None:
                        cut = [list(r) for r in rows]
                    note = Note(len(notes) + 1, row[0], column.header, text)
                    notes.append(note)
                    cut[row_index][index] = self._shortened(text, width, f"…（注{note.number}）")
        if cut is not None:
            self.doc = dataclasses.replace(self.doc, rows=cut)
        return notes

    def _shortened(self, text: str, width: float, mark: str) -> str:
        """The longest beginning of ``text`` that fits :data:`MAX_LINES` lines with ``mark``."""
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if self._line_count(text[:middle] + mark, width, self.metrics) <= MAX_LINES:
                low = middle
            else:
                high = middle - 1
        return text[:low] + mark

    def _row_heights(self) -> Iterator[float]:
        """Each row's height, measured as pagination asks (it reports pages meanwhile)."""
        minimum = max(self.line + 2 * self.pad_y, self.doc.row_min_mm * self.mm)
        widths = [dict(g) for g in self.groups]
        metrics, line, pad = self.metrics, self.line, 2 * self.pad_y
        cancelled = self._cancelled
        for number, row in enumerate(self.doc.rows):
            if cancelled is not None and number % 200 == 0 and cancelled():
                raise Cancelled()
            lines = 1
            for group in widths:
                for index, width in group.items():
                    text = row[index]
                    if text and len(text) > 3:
                        lines = max(lines, self._lines(text, width, metrics))
            yield max(minimum, lines * line + pad)

    def _header_height(self, group: list[tuple[int, float]]) -> float:
        lines = max(self._lines(self.doc.columns[i].header, w, self.bold_metrics) for i, w in group)
        return lines * self.bold_metrics.lineSpacing() + 2 * self.pad_y

    # --- pages ------------------------------------------------------------------------

    def _top_height(self, first: bool) -> float:
        title = self.title_metrics.lineSpacing() * 1.5
        heading = self.heading_metrics.lineSpacing() * 1.6
        return title + heading + (self._intro_height() if first and self.doc.intro else 0)

    def _intro_height(self) -> float:
        metrics = self.intro_metrics
        rect = metrics.boundingRect(
            QRectF(0, 0, self.width, 1e6), int(Qt.TextFlag.TextWordWrap), self.doc.intro
        )
        return rect.height() + metrics.lineSpacing() * 0.6

    def _footer_height(self, last: bool) -> float:
        height = self.line * 2.0  # 第 X 页 共 Y 页
        if self.doc.signatures:
            height += self.line * 2.4
        if last and self.doc.closing:
            height += self.line * 2.4 + STAMP_MM * self.mm
        elif last and self.doc.stamp and self.doc.signatures:
            height += STAMP_MM * self.mm
        return height

    def _sum_row_height(self) -> float:
        return self.line + 2 * self.pad_y

    def _room(self, first: bool, last: bool) -> float:
        room = (
            self.height - self._top_height(first) - self.header_height - self._footer_height(last)
        )
        if self.doc.page_subtotals:
            room -= self._sum_row_height()
        if last:
            room -= self._sum_row_height()
        return room

    def _paginate(self) -> list[_Page]:
        """Row ranges per page (then one page per column group for each range)."""
        heights = self.row_heights
        ranges: list[range] = []
        start, used, first = 0, 0.0, True
        room = self._room(first, False)
        progress = self._progress
        for index, height in enumerate(self._row_heights()):
            heights.append(height)
            if used + height > room and index > start:
                ranges.append(range(start, index))
                start, used, first = index, 0.0, False
                room = self._room(first, False)
                if progress is not None:
                    progress(len(ranges) * len(self.groups), 0)
            used += height
        ranges.append(range(start, len(heights)))
        # The last page also holds 合计 and the stamp: move rows on until they fit.
        while True:
            last = ranges[-1]
            first = len(ranges) == 1
            room = self._room(first, True)
            used = sum(heights[i] for i in last)
            if used <= room or len(last) <= 1:
                break
            keep = last.start
            filled = 0.0
            while keep < last.stop and filled + heights[keep] <= room:
                filled += heights[keep]
                keep += 1
            keep = max(keep, last.start + 1)
            ranges[-1] = range(last.start, keep)
            ranges.append(range(keep, last.stop))
        if min(self._room(True, True), self._room(True, False)) <= self._sum_row_height():
            raise UserError("纸张太小，放不下表头和签字栏；请选用 A3 纸或横向打印")
        pages = []
        for number, rows in enumerate(ranges):
            for group in range(len(self.groups)):
                pages.append(_Page(rows, group, number == 0, number == len(ranges) - 1))
        return pages

    def _note_height(self, note: Note) -> float:
        rect = self.metrics.boundingRect(
            QRectF(0, 0, self.width, 1e6), int(Qt.TextFlag.TextWrapAnywhere), note.line()
        )
        return rect.height() + self.line * 0.6

    def _paginate_notes(self) -> list[list[Note]]:
        """The 附注 pages: the notes that fit under the title on each page."""
        if not self.notes:
            return []
        title = self.title_metrics.lineSpacing() * 1.5
        room = self.height - title - self.line * 2.0
        pages: list[list[Note]] = [[]]
        used = 0.0
        for note in self.notes:
            height = self._note_height(note)
            if pages[-1] and used + height > room:
                pages.append([])
                used = 0.0
            pages[-1].append(note)
            used += height
        return pages

    # --- painting ---------------------------------------------------------------------

    def paint(self, cancelled: Cancelled_ | None = None, progress: Progress | None = None) -> int:
        """Paint every page on the device; returns the page count."""
        return paint_pages(self, self.device, cancelled, progress)

    def paint_page(self, painter: QPainter, index: int) -> None:
        """Paint page ``index`` (0-based, the 附注 pages last) with ``painter``."""
        total = self.page_count
        if index < len(self.pages):
            self._paint_page(painter, self.pages[index], index + 1, total)
        else:
            self._paint_notes(painter, self.note_pages[index - len(self.pages)], index + 1, total)

    def _paint_notes(self, painter: QPainter, notes: list[Note], number: int, total: int) -> None:
        painter.setPen(QPen(Qt.GlobalColor.black, 0.2 * self.mm))
        painter.setFont(self.fonts.title)
        height = self.title_metrics.lineSpacing() * 1.5
        painter.drawText(
            QRectF(0, 0, self.width, height), Qt.AlignmentFlag.AlignCenter, NOTES_TITLE
        )
        y = height
        painter.setFont(self.fonts.body)
        for note in notes:
            note_height = self._note_height(note)
            painter.drawText(
                QRectF(0, y, self.width, note_height),
                int(Qt.TextFlag.TextWrapAnywhere) | int(Qt.AlignmentFlag.AlignTop),
                note.line(),
            )
            y += note_height
        painter.setFont(self.fonts.heading)
        painter.drawText(
            QRectF(0, self.height - self.line * 1.6, self.width, self.line * 1.6),
            Qt.AlignmentFlag.AlignCenter,
            f"第 {number} 页 共 {total} 页",
        )

    def _paint_page(self, painter: QPainter, page: _Page, number: int, total: int) -> None:
        y = self._paint_top(painter, page.first)
        group = self.groups[page.group]
        y = self._paint_header(painter, group, y)
        top = y - self.header_height
        columns, rows, heights = self.doc.columns, self.doc.rows, self.row_heights
        painter.setFont(self.fonts.body)
        flags_for = {
            Align.LEFT: Qt.AlignmentFlag.AlignLeft,
            Align.CENTER: Qt.AlignmentFlag.AlignHCenter,
            Align.RIGHT: Qt.AlignmentFlag.AlignRight,
        }
        wrap = int(Qt.TextFlag.TextWrapAnywhere) | int(Qt.AlignmentFlag.AlignVCenter)
        single = int(Qt.TextFlag.TextSingleLine) | int(Qt.AlignmentFlag.AlignVCenter)
        cell_flags = [
            (index, width, int(flags_for[columns[index].align])) for index, width in group
        ]
        pad_x = self.pad_x
        advance = self.metrics.horizontalAdvance
        for row_index in page.rows:
            row, height = rows[row_index], heights[row_index]
            x = 0.0
            for index, width, flags in cell_flags:
                text = row[index]
                if text:
                    inner = width - 2 * pad_x
                    fits = len(text) <= 3 or advance(text) <= inner
                    painter.drawText(
                        QRectF(x + pad_x, y, inner, height),
                        flags | (single if fits else wrap),
                        text,
                    )
                x += width
            y += height
            painter.drawLine(QLineF(0, y, self.width, y))
        rows_bottom = y
        if self.doc.page_subtotals:
            y = self._paint_sums(
                painter,
                group,
                y,
                page.rows,
                SUBTOTAL_LABEL,
                f"{len(page.rows)}{self.doc.count_unit}",
            )
        if page.last:
            y = self._paint_sums(
                painter, group, y, range(len(rows)), TOTAL_LABEL, self.doc.count_label
            )
        self._paint_grid(painter, group, top, rows_bottom, y)
        self._paint_footer(painter, page, number, total, y)

    def _paint_top(self, painter: QPainter, first: bool) -> float:
        title_metrics = self.title_metrics
        painter.setPen(QPen(Qt.GlobalColor.black, 0.2 * self.mm))
        painter.setFont(self.fonts.title)
        height = title_metrics.lineSpacing() * 1.5
        painter.drawText(
            QRectF(0, 0, self.width, height), Qt.AlignmentFlag.AlignCenter, self.doc.title
        )
        y = height
        painter.setFont(self.fonts.heading)
        heading_height = self.heading_metrics.lineSpacing() * 1.6
        items = self.doc.heading
        aligns = [
            Qt.AlignmentFlag.AlignLeft,
            Qt.AlignmentFlag.AlignHCenter,
            Qt.AlignmentFlag.AlignRight,
        ]
        if len(items) == 2:
            aligns = [Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight]
        for text, align in zip(items, aligns, strict=False):
            painter.drawText(
                QRectF(0, y, self.width, heading_height),
                align | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
        y += heading_height
        if first and self.doc.intro:
            painter.setFont(self.fonts.intro)
            height = self._intro_height()
            painter.drawText(
                QRectF(0, y, self.width, height), int(Qt.TextFlag.TextWordWrap), self.doc.intro
            )
            y += height
        return y

    def _paint_header(
        self, painter: QPainter, group: Sequence[tuple[int, float]], y: float
    ) -> float:
        height = self.header_height
        painter.fillRect(QRectF(0, y, self.width, height), HEADER_FILL)
        painter.setFont(self.fonts.bold)
        x = 0.0
        flags = int(Qt.TextFlag.TextWrapAnywhere) | int(Qt.AlignmentFlag.AlignCenter)
        for index, width in group:
            painter.drawText(
                QRectF(x + self.pad_x, y, width - 2 * self.pad_x, height),
                flags,
                self.doc.columns[index].header,
            )
            x += width
        painter.drawLine(QLineF(0, y, self.width, y))
        painter.drawLine(QLineF(0, y + height, self.width, y + height))
        return y + height

    def _paint_sums(
        self,
        painter: QPainter,
        group: Sequence[tuple[int, float]],
        y: float,
        rows: range,
        label: str,
        count: str,
    ) -> float:
        height = self._sum_row_height()
        summed = self.doc.summed_indexes
        totals = [Decimal(0)] * len(summed)
        for row_index in rows:
            totals = [a + b for a, b in zip(totals, self.doc.sums[row_index], strict=True)]
        by_column = dict(zip(summed, totals, strict=True))
        painter.setFont(self.fonts.bold)
        for rect, align, text in self.sum_cells(group, y, by_column, label, count):
            painter.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, text)
        y += height
        painter.drawLine(QLineF(0, y, self.width, y))
        painter.setFont(self.fonts.body)
        return y

    def sum_cells(
        self,
        group: Sequence[tuple[int, float]],
        y: float,
        totals: dict[int, Decimal],
        label: str,
        count: str,
    ) -> list[tuple[QRectF, Qt.AlignmentFlag, str]]:
        """Where a sum row's texts go: the label over the first two columns (序号 is too
        narrow for 本页小计), the count in the third, each total under its column."""
        height = self._sum_row_height()
        label_width = sum(width for _index, width in group[:2])
        cells = [(QRectF(0, y, label_width, height), Qt.AlignmentFlag.AlignHCenter, label)]
        count_column = self._count_column([index for index, _width in group])
        x = label_width
        for index, width in group[2:]:
            inner = QRectF(x + self.pad_x, y, width - 2 * self.pad_x, height)
            if index in totals:
                text = self._sum_text(self.doc.columns[index], totals[index])
                cells.append((inner, Qt.AlignmentFlag.AlignRight, text))
            elif index == count_column:
                cells.append((inner, Qt.AlignmentFlag.AlignHCenter, count))
            x += width
        return cells

    def _paint_grid(
        self,
        painter: QPainter,
        group: Sequence[tuple[int, float]],
        top: float,
        rows_bottom: float,
        bottom: float,
    ) -> None:
        """Column rules; the one inside the sum rows' label stops above them."""
        x = 0.0
        painter.drawLine(QLineF(0, top, 0, bottom))
        for position, (_index, width) in enumerate(group):
            x += width
            painter.drawLine(QLineF(x, top, x, rows_bottom if position == 0 else bottom))

    def _paint_footer(
        self, painter: QPainter, page: _Page, number: int, total: int, table_bottom: float
    ) -> None:
        painter.setFont(self.fonts.heading)
        line = self.line
        bottom = self.height
        painter.drawText(
            QRectF(0, bottom - line * 1.6, self.width, line * 1.6),
            Qt.AlignmentFlag.AlignCenter,
            f"第 {number} 页 共 {total} 页",
        )
        y = table_bottom + line * 0.8
        if self.doc.signatures:
            slots = len(self.doc.signatures)
            slot = self.width / slots
            for position, text in enumerate(self.doc.signatures):
                painter.drawText(
                    QRectF(position * slot, y, slot, line * 1.8),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    text,
                )
            y += line * 2.4
            if page.last and self.doc.stamp:
                painter.drawText(
                    QRectF((slots - 1) * slot, y + STAMP_MM * self.mm * 0.6, slot, line * 1.6),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    "年    月    日",
                )
        if page.last and self.doc.closing:
            painter.setFont(self.fonts.intro)
            block = self.width * 0.3
            y += STAMP_MM * self.mm * 0.5
            for text in self.doc.closing:
                painter.drawText(
                    QRectF(self.width - block, y, block, line * 1.6),
                    Qt.AlignmentFlag.AlignCenter,
                    text,
                )
                y += line * 1.6


class PagedForm(Protocol):
    """A laid-out form whose pages can be painted one at a time, in any order."""

    @property
    def page_count(self) -> int: ...

    def paint_page(self, painter: QPainter, index: int) -> None: ...


def paint_pages(
    form: PagedForm,
    device: QPagedPaintDevice,
    cancelled: Cancelled_ | None = None,
    progress: Progress | None = None,
) -> int:
    """Paint every page of ``form`` on ``device`` in order; returns the page count."""
    painter = QPainter()
    if not painter.begin(device):
        raise UserError("无法开始打印：打印机或文件不可用")
    try:
        total = form.page_count
        for index in range(total):
            if cancelled is not None and cancelled():
                abort = getattr(device, "abort", None)  # a printer drops the job it spooled
                if abort is not None:
                    abort()
                raise Cancelled()
            if index > 0 and not device.newPage():
                raise UserError("无法新建页面：磁盘已满或打印机不可用")
            form.paint_page(painter, index)
            if progress is not None:
                progress(index + 1, total)
    finally:
        painter.end()
    return total


def render(
    document: Document,
    device: QPagedPaintDevice,
    cancelled: Cancelled_ | None = None,
    progress: Progress | None = None,
) -> int:
    """Paint ``document`` on ``device`` (already set up); returns the page count."""
    return Renderer(document, device, cancelled).paint(cancelled, progress)
