"""概览: the figures the city asks for, the problems to act on, and when data last left.

Everything here is computed by the services (``book.stats``, record counts over each
ledger's declared watches, the submissions list), so the page only lays out what
the declarations define: a fourth ledger shows up with its own figures and watches.
Each problem opens its ledger filtered to exactly those records (``open_query``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.fields import Ledger
from hebi_desktop.domain.registry import all_ledgers
from hebi_desktop.errors import StorageError, UserError
from hebi_desktop.services import backups
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.stats import Figure
from hebi_desktop.ui.icons import ledger_icon
from hebi_desktop.ui.widgets.field_widgets import ERROR_COLOR, WARNING_COLOR
from hebi_desktop.ui.widgets.flow_layout import flow_row
from hebi_desktop.ui.workers import Worker

log = logging.getLogger(__name__)

FLAGGED = "flagged"
UNVERIFIED_MONEY = "unverified_money"  # amounts keyed once only (复核录入 not done)
BACKUP_OVERDUE_DAYS = 7


@dataclass(frozen=True, slots=True)
class Problem:
    """One list of records to act on: a declared watch, records lacking the evidence a
    rule asks for (an 改造后 photo), or the flagged records."""

    ledger: Ledger
    key: str
    label: str
    query: RecordQuery


def grouped(figure: Figure) -> str:
    """A headline figure with thousands separators (12,345 户), as reports print them."""
    return f"{figure.value:,.{figure.measure.decimals}f}"


def problems_of(ledger: Ledger) -> list[Problem]:
    found = [
        Problem(ledger, w.key, w.label, RecordQuery(conditions=w.conditions))
        for w in ledger.watches
    ]
    found.extend(
        Problem(ledger, f"evidence_{e.code}", e.label, RecordQuery(missing_evidence=(e.code,)))
        for e in ledger.attachments.evidence
    )
    found.append(Problem(ledger, FLAGGED, "待核实的记录（有提醒）", RecordQuery(needs_review=True)))
    if ledger.money_fields:
        unverified = RecordQuery(verified=False, with_money=True)
        found.append(Problem(ledger, UNVERIFIED_MONEY, "有金额未复核的记录", unverified))
    return found


def _when(at: dt.datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M}"


class _Tile(QFrame):
    """A headline figure: the number large, its label under it."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureTile")
        self.setStyleSheet(
            "#figureTile { background: #f3f6fa; border: 1px solid #dde3ea; border-radius: 6px; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(120)  # a row of tiles of about the same width
        self.value_label = QLabel("—", self)
        font = self.value_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.value_label.setFont(font)
        self.value_label.setStyleSheet("color: #1565c0;")
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption_label = QLabel(label, self)
        self.caption_label.setStyleSheet("color: #455a64;")
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)


class _LedgerBox(QGroupBox):
    """One ledger's figures, problems and last submission."""

    def __init__(self, page: OverviewPage, ledger: Ledger) -> None:
        super().__init__(ledger.title, page)
        self.ledger = ledger
        layout = QVBoxLayout(self)
        heading = QHBoxLayout()
        icon = QLabel(self)
        icon.setPixmap(ledger_icon(ledger).pixmap(28, 28))
        heading.addWidget(icon)
        self.submission_label = QLabel(self)
        self.submission_label.setStyleSheet("color: #455a64;")
        self.submission_label.setWordWrap(True)
        heading.addWidget(self.submission_label, 1)
        self.open_button = QPushButton(f"打开{ledger.nav_title}台账", self)
        self.open_button.clicked.connect(lambda: page.open_ledger(ledger, RecordQuery(), None))
        heading.addWidget(self.open_button)
        layout.addLayout(heading)

        # Tiles and problems flow onto as many rows as the width needs (fewer columns on a
        # narrow or scaled screen), so the page never scrolls sideways.
        self.tiles: dict[str, _Tile] = {}
        for measure in ledger.measures:
            self.tiles[measure.key] = _Tile(measure.label, self)
        layout.addWidget(flow_row(self, *self.tiles.values(), spacing=8))

        caption = QLabel("需要处理：", self)
        caption.setStyleSheet("font-weight: bold;")
        self.problem_buttons: dict[str, QPushButton] = {}
        self.problems = problems_of(ledger)
        for problem in self.problems:
            button = QPushButton(problem.label, self)
            button.setObjectName(f"problem_{ledger.key}_{problem.key}")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip("在台账中列出这些记录")
            button.clicked.connect(
                lambda _checked=False, p=problem: page.open_ledger(p.ledger, p.query, p.label)
            )
            self.problem_buttons[problem.key] = button
        layout.addWidget(flow_row(self, caption, *self.problem_buttons.values()))


RECOVERY_REMINDER = (
    "数据库恢复密钥还没有保存或打印。换电脑、重装系统或在别处打开备份时需要它，请现在保存并打印。"
)


class OverviewPage(QWidget):
    """The start page. ``open_query(ledger_key, query, title)`` asks the main window to
    show a ledger filtered; ``title`` is None for the unfiltered ledger."""

    open_query = Signal(str, object, object)

    def __init__(self, book: Book, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.counts: dict[tuple[str, str], int] = {}
        self._stale = True
        self._pending = False  # figures to count once the page has been drawn
        self._counting: Worker | None = None  # the count running on a worker
        self._held = False  # the database is being replaced: count no more
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the buttons, which show it
        outer.addWidget(scroll)
        body = QWidget(scroll)
        scroll.setWidget(body)
        layout = QVBoxLayout(body)

        top = QHBoxLayout()
        title = QLabel("概览", body)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        top.addWidget(title)
        top.addStretch(1)
        self.updated_label = QLabel(body)
        self.updated_label.setStyleSheet("color: #78909c;")
        top.addWidget(self.updated_label)
        self.refresh_button = QPushButton("刷新", body)
        self.refresh_button.setToolTip("重新统计（F5）")
        self.refresh_button.clicked.connect(self.refresh_soon)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)

        self.backup_label = QLabel(body)
        self.backup_label.setWordWrap(True)
        layout.addWidget(self.backup_label)

        self.recovery_row = QWidget(body)
        recovery = QHBoxLayout(self.recovery_row)
        recovery.setContentsMargins(0, 0, 0, 0)
        self.recovery_label = QLabel(RECOVERY_REMINDER, self.recovery_row)
        self.recovery_label.setWordWrap(True)
        self.recovery_label.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;")
        recovery.addWidget(self.recovery_label, 1)
        self.recovery_button = QPushButton("保存恢复密钥…", self.recovery_row)
        self.recovery_button.clicked.connect(self.show_recovery_key)
        recovery.addWidget(self.recovery_button)
        self.recovery_row.hide()
        layout.addWidget(self.recovery_row)

        self.boxes: dict[str, _LedgerBox] = {}
        for ledger in all_ledgers():
            box = _LedgerBox(self, ledger)
            layout.addWidget(box)
            self.boxes[ledger.key] = box
        layout.addStretch(1)

    # --- actions ----------------------------------------------------------------------

    def open_ledger(self, ledger: Ledger, query: RecordQuery, title: str | None) -> None:
        self.open_query.emit(ledger.key, query, title)

    def problem_button(self, ledger_key: str, problem_key: str) -> QPushButton:
        return self.boxes[ledger_key].problem_buttons[problem_key]

    def figure_text(self, ledger_key: str, measure_key: str) -> str:
        return self.boxes[ledger_key].tiles[measure_key].value_label.text()

    def mark_stale(self) -> None:
        """Records changed elsewhere: recount when the page is next shown (or now if shown)."""
        self._stale = True
        if self.isVisible():
            self.refresh_soon()

    @property
    def refresh_pending(self) -> bool:
        """The page is shown and its figures are about to be counted."""
        return self._pending

    def showEvent(self, event: QShowEvent) -> None:
        """Figures are counted after the page is first drawn: the window appears at once
        (the counts take a noticeable moment on 100,000 records) and fills in."""
        super().showEvent(event)
        if self._stale and not self._pending:
            self._pending = True
            self.updated_label.setText("正在统计……")
            QTimer.singleShot(500, self, self._refresh_pending)  # if no paint comes

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._pending:
            QTimer.singleShot(0, self, self._refresh_pending)

    def _refresh_pending(self) -> None:
        if not self._pending or self._counting is not None or self._held:
            return
        if self._stale:
            self._count_in_background()
        else:
            self._pending = False

    # --- figures ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Recount everything now, on this thread (a few aggregate queries per ledger)."""
        self._stale = False
        self._pending = False
        try:
            figures = count_figures(self.book)
        except StorageError:
            log.exception("overview figures failed")
            self.updated_label.setText("统计失败，请检查数据库")
            return
        self._show_figures(figures)

    def refresh_soon(self) -> None:
        """Recount on a worker: on 100,000 records the counts take more than a second, and
        the window keeps answering meanwhile ("正在统计……")."""
        self._stale = True
        self._pending = True
        self.updated_label.setText("正在统计……")
        self._refresh_pending()

    @property
    def counting(self) -> bool:
        return self._counting is not None

    def hold(self) -> Worker | None:
        """Count no more (the database is about to be replaced); the count still running,
        if any, for the caller to wait for."""
        self._held = True
        return self._counting

    def release(self) -> None:
        """Count again (a restore was refused and the database stays)."""
        self._held = False
        if self._stale and self.isVisible():
            self.refresh_soon()

    def _count_in_background(self) -> None:
        self._stale = False
        worker = Worker(partial(_count_job, self.book))  # no parent: see _counting_done
        _running.add(worker)
        self._counting = worker
        worker.finished.connect(self._counted)
        worker.failed.connect(self._count_failed)
        worker.done.connect(self._counting_done)
        worker.start()

    def _counted(self, figures: object) -> None:
        assert isinstance(figures, OverviewFigures)
        if figures.book is self.book:
            self._show_figures(figures)

    def _count_failed(self, _message: str) -> None:
        self.updated_label.setText("统计失败，请检查数据库")

    def _counting_done(self) -> None:
        worker, self._counting = self._counting, None
        if worker is not None:
            _running.discard(worker)
            worker.deleteLater()
        if self._stale and self.isVisible() and not self._held:
            self._count_in_background()  # records changed while counting
        else:
            self._pending = False

    def _show_figures(self, figures: OverviewFigures) -> None:
        for ledger in all_ledgers():
            counted = figures.ledgers.get(ledger.key)
            if counted is not None:
                self._show_ledger(ledger, counted)
        self._show_backup(figures.last_backup, figures.recovery_saved)
        self.updated_label.setText(f"统计时间 {dt.datetime.now():%H:%M:%S}")

    def _show_ledger(self, ledger: Ledger, counted: LedgerFigures) -> None:
        box = self.boxes[ledger.key]
        for figure in counted.figures:
            box.tiles[figure.measure.key].value_label.setText(grouped(figure))
        for problem in box.problems:
            count = counted.counts.get(problem.key, 0)
            self.counts[(ledger.key, problem.key)] = count
            button = box.problem_buttons[problem.key]
            button.setText(f"{problem.label}：{count} 条")
            button.setEnabled(count > 0)
            hint = problem.key in (FLAGGED, UNVERIFIED_MONEY) or bool(
                problem.query.missing_evidence
            )
            color = WARNING_COLOR if count and hint else ERROR_COLOR
            button.setStyleSheet(f"color: {color}; font-weight: bold;" if count else "")
        box.submission_label.setText(counted.submission)

    def show_recovery_key(self) -> None:
        from hebi_desktop.ui.dialogs.recovery_key import RecoveryKeyDialog

        RecoveryKeyDialog(self.book, self).exec()
        self._refresh_recovery()

    def _refresh_recovery(self) -> None:
        """The reminder stays until the recovery key has been saved or printed."""
        self.recovery_row.setVisible(not _recovery_saved(self.book))

    def _show_backup(self, last: dt.datetime | None, recovery_saved: bool) -> None:
        self.recovery_row.setVisible(not recovery_saved)
        if last is None:
            self.backup_label.setText("数据库还没有备份过。建议在“设置”中点“立即备份”。")
            self.backup_label.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;")
            return
        days = (dt.datetime.now() - last).days
        text = f"最近备份：{_when(last)}"
        if days >= BACKUP_OVERDUE_DAYS:
            self.backup_label.setText(f"{text}（已经 {days} 天没有备份）")
            self.backup_label.setStyleSheet(f"color: {WARNING_COLOR}; font-weight: bold;")
        else:
            self.backup_label.setText(text)
            self.backup_label.setStyleSheet("color: #2e7d32;")


@dataclass(frozen=True)
class LedgerFigures:
    figures: list[Figure]
    counts: dict[str, int]  # per problem key
    submission: str


@dataclass(frozen=True)
class OverviewFigures:
    """Everything the page shows, counted (on a worker) from ``book``."""

    book: Book
    ledgers: dict[str, LedgerFigures]
    last_backup: dt.datetime | None
    recovery_saved: bool


_running: set[Worker] = set()  # counts whose page may be gone before they end


def count_figures(book: Book) -> OverviewFigures:
    """The headline figures, problem counts and last submission of every ledger, the last
    backup and whether the recovery key was kept (no Qt: any thread)."""
    ledgers = {}
    for ledger in all_ledgers():
        service = book.records(ledger)
        counts = {p.key: service.count(p.query) for p in problems_of(ledger)}
        ledgers[ledger.key] = LedgerFigures(
            list(book.stats.headline(ledger).figures), counts, _submission_text(book, ledger)
        )
    return OverviewFigures(book, ledgers, backups.last_backup_at(book), _recovery_saved(book))


def _count_job(book: Book, _progress: object, _cancelled: object) -> OverviewFigures:
    return count_figures(book)


def _submission_text(book: Book, ledger: Ledger) -> str:
    try:
        from hebi_desktop.services.submissions import last_submission
    except ImportError:  # the exchange package is optional for this page
        return ""
    last = last_submission(book, ledger.key)
    if last is None:
        return "尚未报送"
    return f"最近报送：{_when(last.at)}，{last.row_count} 条（{last.operator}）"


def _recovery_saved(book: Book) -> bool:
    from hebi_desktop.services.encryption import recovery_key_saved

    try:
        return recovery_key_saved(book)
    except UserError:
        return True  # no key to show (logged where it failed)
