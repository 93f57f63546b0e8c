"""导入导出: export workbooks for the county, import a clerk's spreadsheet, past submissions.

Each tab is its own widget (``export_tab``, ``import_tab``, ``submissions_tab``); this page
owns what they share: the one background job at a time with its progress panel (see
:mod:`~hebi_desktop.ui.screens.job_page`; a 100,000-row export neither freezes the window nor
leaves half a file behind when cancelled) and the folders last used, remembered in the
book's settings. The tabs reach these through :class:`~hebi_desktop.ui.screens.import_tab.JobHost`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.ui.icons import icon
from hebi_desktop.ui.remembered_folder import remembered_folder
from hebi_desktop.ui.screens.export_tab import Exporter, ExportTab
from hebi_desktop.ui.screens.import_tab import (
    Importer,
    ImportTab,
)
from hebi_desktop.ui.screens.job_page import OneJobPage
from hebi_desktop.ui.screens.submissions_tab import SubmissionsTab
from hebi_desktop.ui.widgets.scrolling import scrolling
from hebi_desktop.ui.workers import ProgressPanel, Worker

if TYPE_CHECKING:
    from hebi_desktop.ui.dialogs.print_preview import FormPreview

log = logging.getLogger(__name__)


def exchange_available() -> bool:
    try:
        import hebi_desktop.exchange.export
        import hebi_desktop.exchange.importer  # noqa: F401
    except ImportError:
        return False
    return True


class ExchangePage(OneJobPage):
    """Export, import and the submissions list, each on a tab.

    ``records_changed`` after an import wrote records; ``submissions_changed`` after an
    export recorded a submission. ``exporter``/``importer`` replace the exchange
    services (tests use stand-ins).
    """

    records_changed = Signal()
    submissions_changed = Signal()

    def __init__(
        self,
        book: Book,
        parent: QWidget | None = None,
        *,
        exporter: Exporter | None = None,
        importer: Importer | None = None,
    ) -> None:
        super().__init__(parent)
        self.book = book
        self.available = (exporter is not None and importer is not None) or exchange_available()
        self._exporter = exporter
        self._importer = importer
        layout = QVBoxLayout(self)
        title = QLabel("导入导出", self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        if not self.available:
            layout.addWidget(QLabel("本版本未包含导入导出功能。", self))
        self.tabs = QTabWidget(self)
        # A tall tab scrolls inside itself (as the settings page does), so it never makes
        # the main window taller than a small or scaled screen.
        self.tabs.addTab(scrolling(self._build_export()), icon("export"), "导出报送")
        self.tabs.addTab(scrolling(self._build_import()), icon("import"), "导入表格")
        self.tabs.addTab(self._build_submissions(), "报送记录")
        layout.addWidget(self.tabs, 1)
        self.progress_panel = ProgressPanel(self)
        layout.addWidget(self.progress_panel)
        self.update_buttons()

    # --- export tab -------------------------------------------------------------------

    def _build_export(self) -> QWidget:
        tab = ExportTab(self.book, self, self._exporter, self)
        tab.exported.connect(self._exported)
        self.export_tab = tab
        self.ledger_checks = tab.ledger_checks
        self.place = tab.place
        self.county_combo = tab.county_combo
        self.township_combo = tab.township_combo
        self.village_editor = tab.village_editor
        self.village_edit = tab.village_edit
        self.dates = tab.dates
        self.date_from_editor = tab.date_from_editor
        self.date_to_editor = tab.date_to_editor
        self.full_radio = tab.full_radio
        self.incremental_radio = tab.incremental_radio
        self.last_submission_label = tab.last_submission_label
        self.mask_check = tab.mask_check
        self.record_check = tab.record_check
        self.export_button = tab.export_button
        self.print_button = tab.print_button
        self.export_label = tab.export_label
        return tab

    def _exported(self) -> None:
        self.refresh_submissions()
        self.submissions_changed.emit()

    @property
    def export_result(self) -> Any:
        return self.export_tab.export_result

    @property
    def last_export(self) -> Path | None:
        return self.export_tab.last_export

    def chosen_ledgers(self) -> tuple[str, ...]:
        return self.export_tab.chosen_ledgers()

    def export_query(self) -> RecordQuery | None:
        """The filters as a query; None (with a message) when a date does not read."""
        return self.export_tab.export_query()

    def open_print(self) -> FormPreview | None:
        """The print preview of the chosen ledgers with the export's filters."""
        return self.export_tab.open_print()

    def start_export(self) -> Worker | None:
        """Ask for the file, then export on a worker; returns the worker (None if not)."""
        return self.export_tab.start_export()

    def folder(self, key: str) -> Path:
        return remembered_folder(self.book.settings, key)

    def remember(self, key: str, path: Path) -> None:
        self.book.settings.set(key, str(path.parent))

    # --- import tab -------------------------------------------------------------------

    def _build_import(self) -> QWidget:
        tab = ImportTab(self.book, self, self._importer, self)
        tab.records_changed.connect(self.records_changed)
        self.import_tab = tab
        self.import_ledger_combo = tab.import_ledger_combo
        self.file_edit = tab.file_edit
        self.browse_button = tab.browse_button
        self.duplicate_combo = tab.duplicate_combo
        self.dry_run_check = tab.dry_run_check
        self.import_button = tab.import_button
        self.import_label = tab.import_label
        self.report_button = tab.report_button
        self.issue_model = tab.issue_model
        self.issue_table = tab.issue_table
        return tab

    @property
    def import_result(self) -> Any:
        return self.import_tab.result

    def choose_import_file(self) -> Path | None:
        return self.import_tab.choose_import_file()

    def start_import(self) -> Worker | None:
        """Import the chosen file on a worker (asks for the file when none is given)."""
        return self.import_tab.start_import()

    def save_report(self) -> Worker | None:
        """Save the last import's report workbook where the clerk chooses."""
        return self.import_tab.save_report()

    # --- submissions tab --------------------------------------------------------------

    def _build_submissions(self) -> QWidget:
        self.submissions = SubmissionsTab(self.book, self)
        self.submission_filter = self.submissions.ledger_filter
        self.submission_table = self.submissions.table
        return self.submissions

    def refresh_submissions(self, *_args: object) -> None:
        if not self.available:
            return
        lasts = self.submissions.refresh()
        if lasts is not None:
            self.last_submission_label.setText(lasts)

    # --- shared -----------------------------------------------------------------------

    def update_buttons(self, *_args: object) -> None:
        idle = self.available and not self.busy
        self.export_tab.update_buttons(idle)
        self.import_tab.update_buttons(idle)

    def show_export(self, ledger_key: str | None = None) -> None:
        """Open the export tab; with ``ledger_key`` only that ledger is ticked."""
        self.tabs.setCurrentIndex(0)
        if ledger_key is not None:
            self.export_tab.choose_only(ledger_key)

    def show_import(self, ledger_key: str | None = None) -> None:
        self.tabs.setCurrentIndex(1)
        if ledger_key is not None:
            self.import_tab.choose_ledger(ledger_key)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_submissions()
