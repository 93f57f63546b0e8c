"""一户一档 on paper: per record, its fields and documents, then its photos two to four
to a page with kind, caption and date taken, and the signature lines of every form.

Photos are read from the attachment store only when their page is painted, so a
township's archive of thousands of households never sits in memory at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPagedPaintDevice, QPainter, QPen

from hebi_desktop.domain.display import display_value
from hebi_desktop.domain.pinyin import sort_key
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import UserError
from hebi_desktop.printing.content import (
    PrintRequest,
    chinese_date,
    form_query,
    place_name,
    unit_name,
)
from hebi_desktop.printing.fonts import chinese_family
from hebi_desktop.printing.render import paint_pages
from hebi_desktop.services.attachments import AttachmentInfo, AttachmentService
from hebi_desktop.services.settings import REVIEWER, UNIT_HEAD

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

PHOTOS_PER_PAGE = 4
FIELD_PT = 10
TITLE_PT = 16
CAPTION_PT = 9.5


@dataclass
class ArchivePhoto:
    read: Callable[[], bytes]
    caption: str  # 改造后 正门 2024-09-02


@dataclass
class ArchiveEntry:
    """One record's archive: its heading, fields, non-photo documents and photos."""

    heading: str
    fields: list[tuple[str, str]]
    documents: list[str] = field(default_factory=list)
    photos: list[ArchivePhoto] = field(default_factory=list)


@dataclass
class ArchiveDocument:
    title: str
    unit: str
    day: dt.date
    entries: list[ArchiveEntry]
    signatures: list[str]

    @property
    def rows(self) -> list[ArchiveEntry]:  # what PrintResult counts
        return self.entries


def caption_of(attachment: AttachmentInfo) -> str:
    parts = [attachment.kind, attachment.caption]
    if attachment.taken_at is not None:
        parts.append(f"拍摄于{attachment.taken_at:%Y-%m-%d}")
    return " ".join(p for p in parts if p)


def _reader(service: AttachmentService, attachment: AttachmentInfo) -> Callable[[], bytes]:
    return lambda: service.content(attachment)


def build_archive(
    book: Book, request: PrintRequest, cancelled: Callable[[], bool] | None = None
) -> ArchiveDocument:
    """The records of the request's filters, each with its attachments."""
    ledger = get_ledger(request.ledger)
    unit = unit_name(book)
    if not unit:
        raise UserError("请先在“设置”中填写单位全称（或所在县区、乡镇），打印的表格要写明填报单位")
    query = form_query(book, ledger, request)
    items = list(book.records(ledger).iter_items(query, cancelled=cancelled))
    name = ledger.name_field
    items.sort(key=lambda item: (sort_key(item[1].get("village")), sort_key(item[1].get(name))))
    service = book.attachments(ledger)
    by_record: dict[int, list[AttachmentInfo]] = defaultdict(list)
    wanted = {record_id for record_id, _ in items}
    for attachment in service.find():
        if attachment.record_id in wanted:
            by_record[attachment.record_id].append(attachment)
    entries: list[ArchiveEntry] = []
    for record_id, values in items:
        fields = [
            (f.header, display_value(f, values.get(f.name)) or "")
            for f in ledger.fields
            if f.name not in ("county_code",)
        ]
        entry = ArchiveEntry(f"{values.get(name) or ''}（记录编号{record_id}）", fields)
        for attachment in by_record.get(record_id, []):
            if attachment.is_photo:
                entry.photos.append(
                    ArchivePhoto(_reader(service, attachment), caption_of(attachment))
                )
            else:
                entry.documents.append(f"{attachment.kind}：{attachment.file_name}（PDF，另附）")
        entries.append(entry)
    settings = book.settings.all()
    signatures = [
        f"填表人：{settings.get('operator', '')}",
        f"审核人：{settings.get(REVIEWER, '')}",
        f"单位负责人（签字）：{settings.get(UNIT_HEAD, '')}",
        "单位（盖章）：",
    ]
    title = f"{place_name(book, query)}{ledger.title}一户一档"
    return ArchiveDocument(title, unit, request.day or dt.date.today(), entries, signatures)


class ArchiveRenderer:
    """Paints an :class:`ArchiveDocument` on a paged device (PDF writer or printer).

    Each record takes one page for its fields and one more per four photos; the plan of
    pages is known before anything is painted, so any single page can be painted on its
    own (:meth:`paint_page`, the preview) and photos are still read only then.
    """

    def __init__(self, document: ArchiveDocument, device: QPagedPaintDevice) -> None:
        self.doc = document
        self.device = device
        self.mm = device.logicalDpiY() / 25.4
        self.width = float(device.width())
        self.height = float(device.height())
        family = chinese_family()
        self.body = QFont(family)
        self.body.setPointSizeF(FIELD_PT)
        self.caption = QFont(family)
        self.caption.setPointSizeF(CAPTION_PT)
        self.title = QFont(family)
        self.title.setPointSizeF(TITLE_PT)
        self.title.setBold(True)
        self.title_metrics = QFontMetricsF(self.title, device)
        self.body_metrics = QFontMetricsF(self.body, device)
        self.line = self.body_metrics.lineSpacing()
        # Per page: the entry, and the first photo it shows (None: the fields page).
        self.plan: list[tuple[int, int | None]] = []
        for index, entry in enumerate(document.entries):
            self.plan.append((index, None))
            photo_pages = range(0, len(entry.photos), PHOTOS_PER_PAGE)
            self.plan.extend((index, start) for start in photo_pages)

    @property
    def page_count(self) -> int:
        return max(len(self.plan), 1)

    def paint(
        self,
        cancelled: Callable[[], bool] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        return paint_pages(self, self.device, cancelled, progress)

    def paint_page(self, painter: QPainter, index: int) -> None:
        """Paint page ``index`` (0-based) with ``painter``."""
        if not self.plan:
            self._top(painter, "没有符合条件的记录")
            return
        entry_index, first_photo = self.plan[index]
        entry = self.doc.entries[entry_index]
        if first_photo is None:
            self._entry(painter, entry)
            return
        top = self._top(painter, f"{entry.heading} 照片")
        self._photos(painter, entry.photos[first_photo : first_photo + PHOTOS_PER_PAGE], top)
        self._signatures(painter)

    def _top(self, painter: QPainter, heading: str) -> float:
        """Title, unit and date, the household's heading; returns the y below them."""
        painter.setFont(self.title)
        title_height = self.title_metrics.lineSpacing() * 1.4
        painter.drawText(
            QRectF(0, 0, self.width, title_height), Qt.AlignmentFlag.AlignCenter, self.doc.title
        )
        painter.setFont(self.body)
        y = title_height
        line = f"填报单位：{self.doc.unit}    打印日期：{chinese_date(self.doc.day)}"
        painter.drawText(QRectF(0, y, self.width, self.line), Qt.AlignmentFlag.AlignLeft, line)
        y += self.line * 1.3
        bold = QFont(self.body)
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(QRectF(0, y, self.width, self.line), Qt.AlignmentFlag.AlignLeft, heading)
        painter.setFont(self.body)
        return y + self.line * 1.4

    def _signatures(self, painter: QPainter) -> None:
        """The signature lines along the bottom, spaced by their own lengths."""
        painter.setFont(self.body)
        y = self.height - self.line * 1.5
        metrics = self.body_metrics
        widths = [metrics.horizontalAdvance(text) for text in self.doc.signatures]
        gap = max((self.width - sum(widths)) / max(len(widths), 1), self.mm * 2)
        x = 0.0
        for text, width in zip(self.doc.signatures, widths, strict=True):
            painter.drawText(
                QRectF(x, y, width + gap, self.line * 1.5), Qt.AlignmentFlag.AlignLeft, text
            )
            x += width + gap

    def _entry(self, painter: QPainter, entry: ArchiveEntry) -> None:
        y = self._top(painter, entry.heading)
        y = self._fields(painter, entry, y)
        if entry.documents:
            painter.drawText(QRectF(0, y, self.width, self.line), 0, "附件材料：")
            y += self.line
            for text in entry.documents:
                painter.drawText(QRectF(self.mm * 4, y, self.width, self.line), 0, text)
                y += self.line
        if not entry.photos:
            painter.drawText(QRectF(0, y + self.line, self.width, self.line), 0, "照片：无")
        self._signatures(painter)

    def _fields(self, painter: QPainter, entry: ArchiveEntry, y: float) -> float:
        """Label | value | label | value rows with ruled cells."""
        label_w = self.width * 0.14
        value_w = self.width / 2 - label_w
        row_h = self.line * 1.5
        painter.setPen(QPen(QColor("#444444"), max(1.0, self.mm * 0.2)))
        for index in range(0, len(entry.fields), 2):
            for offset, (label, value) in enumerate(entry.fields[index : index + 2]):
                x = offset * self.width / 2
                label_rect = QRectF(x, y, label_w, row_h)
                value_rect = QRectF(x + label_w, y, value_w, row_h)
                painter.fillRect(label_rect, QColor("#eeeeee"))
                painter.drawRect(label_rect)
                painter.drawRect(value_rect)
                flags = int(Qt.AlignmentFlag.AlignVCenter) | int(Qt.TextFlag.TextWordWrap)
                painter.drawText(label_rect.adjusted(self.mm, 0, -self.mm, 0), flags, label)
                painter.drawText(value_rect.adjusted(self.mm, 0, -self.mm, 0), flags, value)
            y += row_h
        return y + self.line

    def _photos(self, painter: QPainter, photos: list[ArchivePhoto], top: float) -> None:
        """Two columns, two rows: each photo scaled into its cell with its caption under it."""
        bottom = self.height - self.line * 2.5
        columns = 2 if len(photos) > 1 else 1
        rows = (len(photos) + columns - 1) // columns
        cell_w = self.width / columns
        cell_h = (bottom - top) / max(rows, 1)
        caption_h = self.line * 1.6
        for index, photo in enumerate(photos):
            x = (index % columns) * cell_w
            y = top + (index // columns) * cell_h
            frame = QRectF(x + self.mm * 2, y, cell_w - self.mm * 4, cell_h - caption_h)
            image = QImage()
            try:
                image.loadFromData(photo.read())
            except UserError as error:
                painter.drawText(frame, Qt.AlignmentFlag.AlignCenter, str(error))
            caption_top = frame.bottom()
            if not image.isNull():
                scaled = image.size().scaled(
                    int(frame.width()), int(frame.height()), Qt.AspectRatioMode.KeepAspectRatio
                )
                target = QRectF(
                    frame.x() + (frame.width() - scaled.width()) / 2,
                    frame.y() + (frame.height() - scaled.height()) / 2,
                    scaled.width(),
                    scaled.height(),
                )
                painter.drawImage(target, image)
                caption_top = target.bottom() + self.mm  # the caption right under its photo
            painter.setFont(self.caption)
            painter.drawText(
                QRectF(x, caption_top, cell_w, caption_h),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                photo.caption,
            )
            painter.setFont(self.body)


def render_archive(
    document: ArchiveDocument,
    device: QPagedPaintDevice,
    cancelled: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Paint ``document`` on ``device`` (already set up); returns the page count."""
    return ArchiveRenderer(document, device).paint(cancelled, progress)
