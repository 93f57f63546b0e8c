"""The clerk's desk: navigation on the left, one page at a time, menus, status bar.

Pages are built on their first visit, so the window opens at once however large the
ledgers are. It can even be shown before the database is open (``MainWindow(None)``: the
navigation and an overview saying "正在打开…", everything disabled) and be given the book
with :meth:`MainWindow.attach` once opened: this module imports no database library, so
the first paint does not wait for one. The window owns the :class:`Book`; when a restore
replaces the database it reopens the book and rebuilds the pages around the new one.
Closing the window stops background work cleanly and makes the automatic backup.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QObject, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop import APP_TITLE, __version__
from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Ledger
from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.errors import StorageError, UserError
from hebi_desktop.logging_setup import LOG_FILE_NAME
from hebi_desktop.paths import logs_dir
from hebi_desktop.services.settings import SCOPE, SCOPE_COUNTY
from hebi_desktop.storage.backup import BackupError
from hebi_desktop.ui import (
    geometry,
    qt_fixes,  # noqa: F401 - binding fixes, applied on import
)
from hebi_desktop.ui.icons import app_icon, icon
from hebi_desktop.ui.other_desks import ChangeWatcher
from hebi_desktop.ui.pages import (
    CancellablePage,
    RecordsPage,
    Refreshable,
    WaitablePage,
    WorkingPage,
)
from hebi_desktop.ui.widgets.elided_label import ElidedLabel
from hebi_desktop.ui.widgets.navigation import (
    COLLECT,
    CROSSCHECK,
    EXCHANGE,
    OVERVIEW,
    SETTINGS,
    NavigationList,
    ledger_of,
    ledger_page_key,
    nav_entries,
)
from hebi_desktop.ui.workers import Worker

if TYPE_CHECKING:
    from hebi_desktop.services import backups
    from hebi_desktop.services.book import Book
    from hebi_desktop.services.querying import RecordQuery
    from hebi_desktop.ui.screens.exchange_page import ExchangePage
    from hebi_desktop.ui.screens.settings_page import SettingsPage

log = logging.getLogger(__name__)

GEOMETRY_KEY = "mainWindow"
PREFERRED_SIZE = QSize(1280, 800)  # less on a smaller screen (see ui/geometry.py)

Yes = QMessageBox.StandardButton.Yes
No = QMessageBox.StandardButton.No

HELP_TEXT = (
    "左侧选择页面：“概览”看汇总数字和待处理的问题，点问题可直接打开对应记录；"
    "每本台账各有一页，可搜索、筛选、新建（Ctrl+N）、修改（双击或回车）、删除（Delete）；"
    "“导入导出”把台账导出为报送用的 Excel 表格（Ctrl+E），或把表格导入台账（Ctrl+I）；"
    "“设置”里填写填报人和乡镇，设置备份文件夹，立即备份或从备份恢复。\n\n"
    "填写记录时每个框下方会提示问题，红字必须改正后才能保存（Ctrl+S），"
    "橙字是提醒，可以保存，保存后标记为“待核实”。填了一半的记录每秒自动保存为草稿，"
    "停电或死机后再打开程序会询问是否继续填写。\n\n"
    f"遇到问题时，可把日志文件夹中的 {LOG_FILE_NAME} 发给技术支持人员。"
)


LedgerPageFactory = Callable[["Book", Ledger, QWidget], QWidget]
OPENING_TEXT = "正在打开…"
EXIT_BACKUP_TEXT = "正在备份，请稍候…"


def _ledger_page_class() -> LedgerPageFactory | None:
    """The ledger page, imported on first use (the window also runs without it)."""
    try:
        from hebi_desktop.ui.screens.ledger_page import LedgerPage
    except ImportError:
        log.warning("ledger page not available", exc_info=True)
        return None
    return LedgerPage


class MainWindow(QMainWindow):
    """The main window over one open book (see the module docstring)."""

    book: Book  # set by attach(); a window shown before the database is open has none yet

    def __init__(self, book: Book | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pages: dict[str, QWidget] = {}
        self._placeholders: dict[str, QWidget] = {}
        self._closing_done = False
        self.exit_backup: Path | None = None
        self.restore_progress: QProgressDialog | None = None
        self.exit_progress: QProgressDialog | None = None  # shown while the exit backup runs
        self.attached = False
        self.setWindowIcon(app_icon())
        self.entries = nav_entries(
            county_desk=book is not None and book.settings.get(SCOPE) == SCOPE_COUNTY
        )
        self.nav = NavigationList(self.entries, self)
        self.stack = QStackedWidget(self)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._add_placeholders()
        self.opening_label = QLabel(OPENING_TEXT, self._placeholders[OVERVIEW])
        self.opening_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.opening_label.setWordWrap(True)
        QVBoxLayout(self._placeholders[OVERVIEW]).addWidget(self.opening_label)
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self.nav.currentRowChanged.connect(self._nav_changed)
        self.setWindowTitle(APP_TITLE)
        self.nav.select(OVERVIEW)
        self.stack.setCurrentWidget(self._placeholders[OVERVIEW])
        self._set_usable(False)
        geometry.restore_geometry(self, GEOMETRY_KEY, PREFERRED_SIZE)
        if book is not None:
            self.attach(book)

    def attach(self, book: Book) -> None:
        """Work on ``book`` from now on: the window shown before it was open comes alive."""
        self.book = book
        self.attached = True
        self.watcher = ChangeWatcher(book, self)  # other desks' changes refresh the lists
        self.watcher.changed.connect(self._imported)
        if book.settings.get(SCOPE) == SCOPE_COUNTY and COLLECT not in self.entries_keys():
            self._add_county_pages()
        self._set_usable(True)
        self.refresh_status()
        self._update_title()
        self.show_page(self.current_key() or OVERVIEW)

    def entries_keys(self) -> list[str]:
        return [entry.key for entry in self.entries]

    def opening_failed(self, message: str) -> None:
        """The database could not be opened: say why where the overview would be."""
        self.opening_label.setText(message)
        self.opening_label.setStyleSheet("color: #b71c1c;")

    def _set_usable(self, usable: bool) -> None:
        """Before the book is open nothing can be clicked but the window itself."""
        self.nav.setEnabled(usable)
        self.toolbar.setEnabled(usable)
        for action in self.actions():
            if action not in (self.quit_action, self.help_action, self.about_action):
                action.setEnabled(usable)

    def _add_county_pages(self) -> None:
        """A county desk's 汇总报送, known only once the settings can be read."""
        from PySide6.QtWidgets import QListWidgetItem

        from hebi_desktop.ui.widgets.navigation import KEY_ROLE

        self.entries = nav_entries(county_desk=True)
        row = [entry.key for entry in self.entries].index(COLLECT)
        entry = self.entries[row]
        item = QListWidgetItem(entry.icon, entry.title)
        item.setData(KEY_ROLE, entry.key)
        item.setToolTip(entry.title)
        self.nav.insertItem(row, item)
        self.nav.entries = self.entries
        placeholder = QWidget(self.stack)
        self._placeholders[COLLECT] = placeholder
        self.stack.addWidget(placeholder)
        for action in self.page_actions:
            self.view_menu.removeAction(action)
            self.removeAction(action)
        self._build_page_actions()
        self.view_menu.insertActions(self.find_action_separator, self.page_actions)

    # --- pages ------------------------------------------------------------------------

    def _add_placeholders(self) -> None:
        for entry in self.entries:
            placeholder = QWidget(self.stack)
            self._placeholders[entry.key] = placeholder
            self.stack.addWidget(placeholder)

    def _factories(self) -> dict[str, Callable[[], QWidget]]:
        return {
            OVERVIEW: self._make_overview,
            EXCHANGE: self._make_exchange,
            SETTINGS: self._make_settings,
            COLLECT: self._make_collect,
            CROSSCHECK: self._make_crosscheck,
        }

    def page(self, key: str) -> QWidget:
        """The page for ``key``, built now if this is its first use."""
        existing = self.pages.get(key)
        if existing is not None:
            return existing
        ledger_key = ledger_of(key)
        try:
            built = self._make_ledger_page(ledger_key) if ledger_key else self._factories()[key]()
        except UserError as error:
            log.exception("could not build page %s", key)
            built = self._message_page(f"无法打开此页：{error}")
        placeholder = self._placeholders.pop(key)
        index = self.stack.indexOf(placeholder)
        self.stack.insertWidget(index, built)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self.pages[key] = built
        return built

    def show_page(self, key: str) -> QWidget:
        """Switch to page ``key`` (selecting it in the navigation) and return it."""
        if not self.attached:
            return self._placeholders.get(key) or self._placeholders[OVERVIEW]
        page = self.page(key)
        self.stack.setCurrentWidget(page)
        if self.nav.currentRow() != self.nav.row_of(key):
            self.nav.blockSignals(True)
            self.nav.select(key)
            self.nav.blockSignals(False)
        return page

    def current_key(self) -> str | None:
        return self.nav.key_at(self.nav.currentRow())

    def _nav_changed(self, row: int) -> None:
        key = self.nav.key_at(row)
        if key is not None:
            self.show_page(key)

    def _message_page(self, text: str) -> QWidget:
        page = QWidget(self.stack)
        layout = QVBoxLayout(page)
        label = QLabel(text, page)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        layout.addWidget(label)
        return page

    def _make_overview(self) -> QWidget:
        from hebi_desktop.ui.screens.overview_page import OverviewPage

        page = OverviewPage(self.book, self.stack)
        page.open_query.connect(self.open_query)
        return page

    def _make_exchange(self) -> QWidget:
        from hebi_desktop.ui.screens.exchange_page import ExchangePage

        page = ExchangePage(self.book, self.stack)
        page.records_changed.connect(self._imported)
        page.submissions_changed.connect(self._overview_stale)
        return page

    def _make_settings(self) -> QWidget:
        from hebi_desktop.ui.screens.settings_page import SettingsPage

        page = SettingsPage(self.book, self.stack)
        page.operator_changed.connect(self._operator_changed)
        page.restore_requested.connect(self.restore_from)
        page.scope_changed.connect(self.apply_scope)
        page.backup_made.connect(self._after_backup)
        return page

    def _make_collect(self) -> QWidget:
        from hebi_desktop.ui.screens.collect_page import CollectPage

        page = CollectPage(self.book, self.stack)
        page.records_changed.connect(self._imported)
        return page

    def _make_crosscheck(self) -> QWidget:
        from hebi_desktop.ui.screens.crosscheck_page import CrossCheckPage

        page = CrossCheckPage(self.book, self.stack)
        page.open_query.connect(self.open_query)
        return page

    def _make_ledger_page(self, ledger_key: str) -> QWidget:
        page_class = _ledger_page_class()
        ledger = get_ledger(ledger_key)
        if page_class is None:
            return self._message_page(f"{ledger.title}（页面尚未就绪）")
        page = page_class(self.book, ledger, self.stack)
        if isinstance(page, RecordsPage):
            page.records_changed.connect(self._records_changed)
        self._yield_shortcuts(page)
        return page

    def _yield_shortcuts(self, page: QWidget) -> None:
        """Disable a page's own shortcuts the window's actions already own (Ctrl+N), so
        the key is never ambiguous; the action forwards to the page."""
        owned = {action.shortcut().toString() for action in self.findChildren(QAction)}
        owned.discard("")
        for shortcut in page.findChildren(QShortcut):
            if (
                shortcut.context() is not Qt.ShortcutContext.WidgetShortcut
                and shortcut.key().toString() in owned
            ):
                shortcut.setEnabled(False)

    def ledger_page(self, ledger_key: str) -> QWidget:
        return self.page(ledger_page_key(ledger_key))

    @property
    def overview(self) -> QWidget:
        return self.page(OVERVIEW)

    def open_query(self, ledger_key: str, query: RecordQuery, title: str | None = None) -> QWidget:
        """Show a ledger page filtered by ``query`` (the overview's problem lists)."""
        from hebi_desktop.services.querying import RecordQuery

        page = self.show_page(ledger_page_key(ledger_key))
        if not isinstance(page, RecordsPage):
            return page
        if title is None and query == RecordQuery():
            page.show_all()
        else:
            page.show_query(query, title)
        return page

    # --- actions ----------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], Any],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon_name: str | None = None,
        tip: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action(
            "新建记录", self.new_record, QKeySequence.StandardKey.New, "new", "新建记录（Ctrl+N）"
        )
        self.import_action = self._action(
            "导入…", self.show_import, "Ctrl+I", "import", "把 Excel 表格导入台账（Ctrl+I）"
        )
        self.export_action = self._action(
            "导出…", self.show_export, "Ctrl+E", "export", "导出报送用的 Excel 表格（Ctrl+E）"
        )
        self.backup_action = self._action(
            "立即备份", self.backup_now, None, "backup", "把数据库备份到备份文件夹"
        )
        self.restore_action = self._action("从备份恢复…", self.choose_restore, None, "restore")
        self.quit_action = self._action("退出", self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.refresh_action = self._action(
            "刷新", self.refresh_current, QKeySequence.StandardKey.Refresh
        )
        self.find_action = self._action("查找", self.find_in_page, QKeySequence.StandardKey.Find)
        self._build_page_actions()
        self.help_action = self._action(
            "使用说明", self.show_help, QKeySequence.StandardKey.HelpContents
        )
        self.logs_action = self._action("打开日志文件夹", self.open_logs)
        self.about_action = self._action("关于", self.show_about)

    def _build_page_actions(self) -> None:
        self.page_actions: list[QAction] = []
        for number, entry in enumerate(self.entries, start=1):
            action = self._action(
                entry.title,
                partial(self.show_page, entry.key),
                f"Ctrl+{number}" if number <= 9 else None,
            )
            action.setIcon(entry.icon)
            self.page_actions.append(action)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("文件(&F)")
        for action in (self.new_action, self.import_action, self.export_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu("查看(&V)")
        self.view_menu = view_menu
        for action in self.page_actions:
            view_menu.addAction(action)
        self.find_action_separator = view_menu.addSeparator()
        view_menu.addAction(self.find_action)
        view_menu.addAction(self.refresh_action)
        help_menu = bar.addMenu("帮助(&H)")
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.logs_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("工具栏", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.new_action, self.import_action, self.export_action, self.backup_action):
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def new_record(self) -> Any:
        """新建 on the current ledger page, else on the first ledger's page."""
        key = self.current_key() or ""
        ledger_key = ledger_of(key) or all_ledgers()[0].key
        page = self.show_page(ledger_page_key(ledger_key))
        return page.new_record() if isinstance(page, RecordsPage) else None

    def _exchange(self) -> tuple[ExchangePage, str | None]:
        from hebi_desktop.ui.screens.exchange_page import ExchangePage

        ledger_key = ledger_of(self.current_key() or "")
        page = self.show_page(EXCHANGE)
        assert isinstance(page, ExchangePage)
        return page, ledger_key

    def show_import(self) -> Any:
        page, ledger_key = self._exchange()
        page.show_import(ledger_key)
        return page

    def show_export(self) -> Any:
        page, ledger_key = self._exchange()
        page.show_export(ledger_key)
        return page

    def _settings_page(self) -> SettingsPage:
        from hebi_desktop.ui.screens.settings_page import SettingsPage

        page = self.show_page(SETTINGS)
        assert isinstance(page, SettingsPage)
        return page

    def backup_now(self) -> Any:
        return self._settings_page().backup_now()

    def choose_restore(self) -> Any:
        return self._settings_page().choose_restore()

    def refresh_current(self) -> None:
        from hebi_desktop.ui.screens.overview_page import OverviewPage

        page = self.stack.currentWidget()
        if isinstance(page, OverviewPage):
            page.refresh_soon()  # counted on a worker
        elif isinstance(page, Refreshable):
            page.refresh()
        self.refresh_status()

    def find_in_page(self) -> None:
        """Ctrl+F: the current page's search box, even when the focus is in the navigation."""
        focus = getattr(self.stack.currentWidget(), "focus_search", None)
        if focus is not None:
            focus()

    def show_help(self) -> None:
        QMessageBox.information(self, "使用说明", HELP_TEXT)

    def open_logs(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(logs_dir())))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"关于{APP_TITLE}",
            f"<b>{APP_TITLE}</b> {__version__}<br><br>"
            "鹤壁市乡镇住房安全、农村供水工程维修养护、教育资助台账的录入、检查与报送。<br>"
            "数据只保存在本机（或单位指定的数据库）中，不联网。",
        )

    # --- status bar -------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        # A long database path gives way ("…", the full path in the tooltip) rather than
        # widening the window past a small screen.
        self.database_label = ElidedLabel("", status, minimum="数据库")
        self.operator_label = QLabel(status)
        self.count_label = QLabel(status)
        status.addPermanentWidget(self.database_label, 1)
        status.addPermanentWidget(self.operator_label)
        status.addPermanentWidget(self.count_label)
        self.refresh_status()

    def refresh_status(self) -> None:
        if not self.attached:
            return
        self.database_label.setText(f"数据库：{self.book.location}")
        self.database_label.setToolTip(self.book.location)
        self.operator_label.setText(f"填报人：{self.book.operator}")
        try:
            counts = self.book.count_all()
        except StorageError:
            log.exception("counting records failed")
            self.count_label.setText("记录数：读取失败")
            return
        self.count_label.setText(
            "  ".join(f"{get_ledger(key).nav_title} {count} 条" for key, count in counts.items())
        )

    def _update_title(self) -> None:
        from hebi_desktop.services.desk_scope import desk_scope

        scope = desk_scope(self.book)
        place = f"{scope.name}（县区）" if scope.is_set and not scope.township_code else ""
        place = divisions().name(scope.township_code) or place
        # The title ends with the program name, so Qt does not append it a second time.
        self.setWindowTitle(f"{place} — {APP_TITLE}" if place else APP_TITLE)

    def apply_scope(self, *_args: object) -> None:
        """The desk's 工作范围 changed: navigation, pages (their defaults) and title now."""
        from hebi_desktop.services.desk_scope import desk_scope

        entries = nav_entries(county_desk=self.book.settings.get(SCOPE) == SCOPE_COUNTY)
        keys = [entry.key for entry in entries]
        current = self.current_key() or OVERVIEW
        if keys != self.nav.keys():
            self.entries = entries
            old = self.nav
            self.nav = NavigationList(entries, self)
            central = self.centralWidget()
            lines = central.layout() if central is not None else None
            assert lines is not None, "the central widget lays out navigation and pages"
            lines.replaceWidget(old, self.nav)
            old.hide()
            old.deleteLater()
            self.nav.currentRowChanged.connect(self._nav_changed)
            for key in keys:
                if key not in self.pages and key not in self._placeholders:
                    placeholder = QWidget(self.stack)
                    self._placeholders[key] = placeholder
                    self.stack.addWidget(placeholder)
            for key in [k for k in self.pages if k not in keys]:
                page = self.pages.pop(key)
                self.stack.removeWidget(page)
                page.hide()
                page.deleteLater()
            for key in [k for k in self._placeholders if k not in keys]:
                self._placeholders.pop(key).deleteLater()
            for action in self.page_actions:
                self.view_menu.removeAction(action)
                self.removeAction(action)
                action.deleteLater()
            self._build_page_actions()
            self.view_menu.insertActions(self.find_action_separator, self.page_actions)
        self.set_book(self.book)
        self.show_page(current if current in keys else OVERVIEW)
        self.statusBar().showMessage(f"工作范围已改为：{desk_scope(self.book).name}", 10000)

    def _records_changed(self) -> None:
        self.watcher.seen()
        self.refresh_status()
        self._overview_stale()

    def _imported(self) -> None:
        for key, page in self.pages.items():
            if ledger_of(key) and hasattr(page, "refresh"):
                page.refresh()
        self._records_changed()

    def _overview_stale(self) -> None:
        overview = self.pages.get(OVERVIEW)
        if overview is not None and hasattr(overview, "mark_stale"):
            overview.mark_stale()

    def _operator_changed(self) -> None:
        self.refresh_status()
        self._update_title()

    def _after_backup(self, path: Path) -> None:
        self.statusBar().showMessage(f"已备份到：{path}", 10000)
        self._overview_stale()

    # --- drafts -----------------------------------------------------------------------

    def offer_drafts(self) -> list[Any]:
        """Open the ledger pages that have unsaved drafts and let them offer each one."""
        try:
            from hebi_desktop.services.drafts import DraftService

            drafts = DraftService(self.book).list()
        except (ImportError, StorageError):
            log.exception("could not read drafts")
            return []
        with_drafts = {d.ledger for d in drafts}
        opened: list[Any] = []
        for ledger in all_ledgers():
            if ledger.key not in with_drafts:
                continue
            page = self.show_page(ledger_page_key(ledger.key))
            if isinstance(page, RecordsPage):
                opened.extend(page.offer_drafts())
        return opened

    # --- restore ----------------------------------------------------------------------

    def _busy_pages(self) -> list[WorkingPage]:
        return [p for p in self.pages.values() if isinstance(p, WorkingPage) and p.busy]

    def _dialog_open(self) -> bool:
        return any(isinstance(p, RecordsPage) and p.dialog is not None for p in self.pages.values())

    def restore_from(self, backup: Path) -> bool:
        """Replace the database by ``backup``, reopen it and rebuild the pages."""
        if self._busy_pages():
            QMessageBox.warning(self, "从备份恢复", "请等正在进行的导入、导出或备份完成后再恢复。")
            return False
        if self._dialog_open():
            QMessageBox.warning(self, "从备份恢复", "请先保存或关闭正在填写的记录，再恢复。")
            return False
        from hebi_desktop.services import backups
        from hebi_desktop.ui.screens.overview_page import OverviewPage

        outcome = self._restore_in_background(Path(backup))
        if not isinstance(outcome, backups.Restored):
            reopened = getattr(outcome, "book", None)
            if reopened is not None:
                self.set_book(reopened)
            elif isinstance(overview := self.pages.get(OVERVIEW), OverviewPage):
                overview.release()  # the same database: counting goes on
            QMessageBox.warning(self, "恢复失败", str(outcome))
            return False
        self.set_book(outcome.book)
        kept = f"\n\n恢复前的数据库已保留在：{outcome.kept}" if outcome.kept else ""
        QMessageBox.information(self, "恢复完成", f"已从“{Path(backup).name}”恢复。{kept}")
        return True

    def _restore_in_background(self, backup: Path) -> backups.Restored | Exception:
        """The restore on a worker thread, "正在恢复…" on screen at once; the window keeps
        painting (a local event loop waits, the progress dialog keeps the clicks out)."""
        from hebi_desktop.services import backups
        from hebi_desktop.ui.screens.overview_page import OverviewPage

        waiting = self._waiting(f"正在从“{backup.name}”恢复…", "从备份恢复")
        self.restore_progress = waiting
        self.watcher.blockSignals(True)  # the book is closed while the file is replaced
        book = self.book
        loop = QEventLoop(self)
        # The overview counts on a worker: no new count now, and the one running ends
        # before the database it reads is closed (the window keeps painting meanwhile).
        overview = self.pages.get(OVERVIEW)
        counting = overview.hold() if isinstance(overview, OverviewPage) else None
        if counting is not None and counting.running:
            counting.done.connect(loop.quit)
            loop.exec()

        steps = _RestoreSteps(waiting, backup.name)  # the worker's steps, shown on screen

        def job(_progress: object, _cancelled: object) -> backups.Restored | Exception:
            try:
                return backups.restore_backup(book, backup, steps.said.emit)
            except (BackupError, UserError) as error:
                return error

        worker = Worker(job, self)
        worker.done.connect(loop.quit)
        worker.start()
        if worker.running:
            loop.exec()
        self.watcher.blockSignals(False)
        waiting.close()
        waiting.deleteLater()
        self.restore_progress = None
        if worker.error_message is not None:  # a bug, not a refused backup
            return UserError(worker.error_message)
        result: backups.Restored | Exception = worker.result
        return result

    def _waiting(self, text: str, title: str) -> QProgressDialog:
        """A "please wait" window without 取消, shown at once; it keeps the clicks out of
        the main window while a worker runs and the window keeps painting."""
        waiting = QProgressDialog(text, "", 0, 0, self)
        waiting.setWindowTitle(title)
        waiting.setCancelButton(None)  # type: ignore[arg-type]
        waiting.setWindowModality(Qt.WindowModality.WindowModal)
        waiting.setMinimumDuration(0)
        waiting.setAutoClose(False)
        waiting.show()
        return waiting

    def set_book(self, book: Book) -> None:
        """Use ``book`` from now on: every page is rebuilt on its next visit."""
        current = self.current_key() or OVERVIEW
        self.book = book
        self.watcher.book = book
        self.watcher.seen()
        for key, page in list(self.pages.items()):
            placeholder = QWidget(self.stack)
            index = self.stack.indexOf(page)
            self.stack.insertWidget(index, placeholder)
            self.stack.removeWidget(page)
            page.hide()
            page.deleteLater()
            self._placeholders[key] = placeholder
        self.pages.clear()
        self.refresh_status()
        self._update_title()
        self.show_page(current)

    # --- closing ----------------------------------------------------------------------

    def bring_to_front(self) -> None:
        """Another start asked for this window (single instance)."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.exit_progress is not None:  # closed again while the exit backup runs
            event.ignore()
            return
        busy = self._busy_pages()
        if busy and not self._closing_done:
            answer = QMessageBox.question(
                self,
                "退出",
                "导入、导出或备份还在进行中。退出将取消它（已做的部分会撤销）。确定退出吗？",
                Yes | No,
                No,
            )
            if answer != Yes:
                event.ignore()
                return
            for page in busy:
                if isinstance(page, CancellablePage):
                    page.cancel_work()
                if isinstance(page, WaitablePage):
                    page.wait()
        if not self._closing_done:
            self._closing_done = True
            geometry.save_geometry(self, GEOMETRY_KEY)
            self.backup_on_exit()
        super().closeEvent(event)

    def backup_on_exit(self) -> Path | None:
        """The automatic backup (if the settings ask for it and something changed), made
        on a worker with "正在备份，请稍候…" on screen: the window keeps painting however
        long the copy takes. The copy is written under a temporary name and renamed when
        complete, so quitting never leaves half a backup. A failure is shown, not fatal."""
        if not self.attached:
            return None
        from hebi_desktop.services import backups

        try:
            if not backups.exit_backup_needed(self.book):
                return None
        except StorageError:
            log.exception("could not tell whether a backup is needed")
        waiting = self._waiting(EXIT_BACKUP_TEXT, APP_TITLE)
        self.exit_progress = waiting
        book = self.book

        def job(progress: Callable[[int, int], None], _cancelled: object) -> Path | None:
            return backups.backup_on_exit(book, progress)

        def report(done: int, total: int) -> None:
            waiting.setMaximum(max(total, 1))
            waiting.setValue(min(done, max(total, 1)))

        loop = QEventLoop(self)
        worker = Worker(job, self)
        worker.progress.connect(report)
        worker.done.connect(loop.quit)
        worker.start()
        if worker.running:
            loop.exec()
        waiting.close()
        waiting.deleteLater()
        self.exit_progress = None
        message = worker.error_message
        worker.deleteLater()
        if message is not None:
            QMessageBox.warning(self, "自动备份失败", f"退出时自动备份没有成功：{message}")
            return None
        self.exit_backup = worker.result
        return self.exit_backup


class _RestoreSteps(QObject):
    """The restore's steps (said on the worker thread) in the progress dialog (shown on
    the GUI thread): a long restore says what it is doing."""

    said = Signal(str)

    def __init__(self, dialog: QProgressDialog, name: str) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._name = name
        self.said.connect(self._show)

    def _show(self, step: str) -> None:
        self._dialog.setLabelText(f"正在从“{self._name}”恢复…\n{step}")
