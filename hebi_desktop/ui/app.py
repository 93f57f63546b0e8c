"""Starting the window: the window first, then one instance per database, open the book,
first start, and the window comes alive.

Order matters: the high-DPI policy must be set before the QApplication exists; the main
window is drawn (navigation, "正在打开…") before any database library is imported, so the
clerk sees the program at once; the single-instance check comes before the database is
opened (a second start must not migrate or lock anything); the error hook is installed
before any page is built.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hebi_desktop import APP_NAME, APP_TITLE, __version__
from hebi_desktop.paths import UnwritableDataFolder

if TYPE_CHECKING:
    from PySide6.QtCore import QTranslator
    from PySide6.QtWidgets import QApplication

    from hebi_desktop.services.book import Book
    from hebi_desktop.ui.main_window import MainWindow
    from hebi_desktop.ui.single_instance import SingleInstance

log = logging.getLogger(__name__)

ORGANIZATION = "hebi"
HAND_OVER_ATTEMPTS = 3
_translators: list[QTranslator] = []  # kept alive as long as the application


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication, set up once: DPI policy, names, icon, Chinese Qt texts."""
    from PySide6.QtCore import QLocale, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from hebi_desktop.ui import qt_fixes  # noqa: F401 - binding fixes, applied on import
    from hebi_desktop.ui.icons import app_icon
    from hebi_desktop.ui.style import FOCUS_STYLE

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        # Fractional scaling (125 %, 150 % on office laptops) without blurry rounding.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(list(argv) if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    app.setStyleSheet(FOCUS_STYLE)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    _translators.extend(install_translations(app))
    return app


def install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own Chinese texts (OK/Cancel buttons, file dialogs), when they are shipped."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    if _translators:
        return []
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    installed: list[QTranslator] = []
    for name in ("qtbase_zh_CN",):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            installed.append(translator)
            mnemonics = _mnemonic_fallback(translator, app)
            app.installTranslator(mnemonics)
            installed.append(mnemonics)
        else:
            log.info("Qt translation %s not found in %s", name, folder)
    return installed


def _mnemonic_fallback(base: QTranslator, app: QApplication) -> QTranslator:
    """Newer Qt versions added keyboard mnemonics to some texts ("&Look in:", "Files of
    &type:") that the shipped Chinese file still has without them, so the file dialog came
    out half English. This translator answers those with the text without the "&"."""
    from PySide6.QtCore import QTranslator

    class MnemonicFallback(QTranslator):
        def translate(
            self, context: str, source: str, disambiguation: str | None = None, n: int = -1
        ) -> str | None:
            # None (a null string to Qt) lets the next translator answer.
            if "&" not in source or base.translate(context, source, disambiguation, n):
                return None
            found = base.translate(context, source.replace("&", ""), disambiguation, n)
            return found or None

        def isEmpty(self) -> bool:
            return False

    return MnemonicFallback(app)


def _hand_over(instance: SingleInstance) -> int:
    """Another window has this database open: bring it forward and end this start."""
    import time

    from PySide6.QtWidgets import QMessageBox

    for attempt in range(HAND_OVER_ATTEMPTS):
        if instance.notify_first():
            log.info("database already open in another window; asked it to come forward")
            return 0
        time.sleep(0.3 * (attempt + 1))  # the first one may still be starting
    QMessageBox.information(
        None,
        APP_TITLE,
        "这个数据库已经在另一个窗口中打开了。请在任务栏中找到该窗口；"
        "如果找不到，请稍等片刻再试，或重新启动电脑。",
    )
    return 0


def open_book(
    db: str | None, window: MainWindow | None = None, startup_password_file: str | None = None
) -> Book | None:
    """Open the database; a failure is shown in Chinese (in ``window`` too) and gives None.

    ``startup_password_file`` (``--startup-password-file``) answers a start-up password
    without the dialog, for scripts that start the window on a shared PC."""
    from hebi_desktop.errors import UserError
    from hebi_desktop.services.adoption import LockedDatabase
    from hebi_desktop.services.book import Book
    from hebi_desktop.storage.backup import BackupError
    from hebi_desktop.storage.engine import display_url, resolve_url
    from hebi_desktop.storage.keys import use_recovery_key
    from hebi_desktop.storage.server import LoginRefused
    from hebi_desktop.ui.dialogs.recovery_key import ask_recovery_key, encrypt_on_start
    from hebi_desktop.ui.dialogs.server_login import MAX_ATTEMPTS, ask_password
    from hebi_desktop.ui.dialogs.startup_password import unlock_at_start

    if not unlock_at_start(window, startup_password_file):  # a shared PC's start-up password
        return None
    encrypt_on_start(db)  # an older version's plain database; stays plain if it cannot be
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return Book.open(db, create=True)  # the window's first start makes the database
        except LockedDatabase as error:
            # Another PC's database, or Windows reinstalled: the office's recovery key.
            key = ask_recovery_key(str(error)) if attempt < MAX_ATTEMPTS else None
            if key is None:
                _cannot_open(window, str(error))
                return None
            use_recovery_key(key)
        except LoginRefused as error:
            # A shared server asks for the password: once per session, never stored.
            where = display_url(resolve_url(db))
            if attempt == MAX_ATTEMPTS or not ask_password(where, str(error)):
                _cannot_open(window, str(error))
                return None
        except (UserError, BackupError, UnwritableDataFolder) as error:
            _cannot_open(window, str(error))
            return None
    return None


def _show_key_notices() -> None:
    """Where the keys are kept when there is no key store: told once."""
    from PySide6.QtWidgets import QMessageBox

    from hebi_desktop.storage.keys import take_notices

    for notice in take_notices():
        QMessageBox.information(None, APP_TITLE, notice)


def _offer_recovery_key(book: Book) -> None:
    """A new database's recovery key, shown once (the overview reminds until saved)."""
    from hebi_desktop.errors import UserError
    from hebi_desktop.services.encryption import recovery_key_saved
    from hebi_desktop.ui.dialogs.recovery_key import RecoveryKeyDialog

    try:
        if not recovery_key_saved(book):
            RecoveryKeyDialog(book).exec()
    except UserError:
        log.warning("recovery key not available", exc_info=True)


def _cannot_open(window: MainWindow | None, message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    if window is not None:
        window.opening_failed(message)
    QMessageBox.critical(window, APP_TITLE, message)


def _drawn(app: QApplication, window: MainWindow, limit_s: float = 0.5) -> None:
    """Let the window be exposed and painted before the slow work of opening begins."""
    import time

    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        handle = window.windowHandle()
        if handle is not None and handle.isExposed():
            break
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
    app.processEvents()


def show_window(book: Book) -> MainWindow:
    from hebi_desktop.ui.main_window import MainWindow

    window = MainWindow(book)
    if book.upgrade_backup is not None:
        window.statusBar().showMessage(
            f"数据库已升级到本版本，升级前的备份保存在：{book.upgrade_backup}", 60_000
        )
    window.show()
    from hebi_desktop.ui.startup_probe import watch

    watch(window)  # bench/desk.py's marker on the first expose (only when asked for)
    return window


def run_gui(db: str | None, startup_password_file: str | None = None) -> int:
    """The window's whole life; returns the process exit code."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialog

    from hebi_desktop.ui.errors import install_error_hook
    from hebi_desktop.ui.main_window import MainWindow
    from hebi_desktop.ui.startup_probe import first_ledger, watch

    app = make_application()
    window = MainWindow(None)  # drawn now; the database is opened behind it
    window.show()
    watch(window, quit_on_expose=False)
    _drawn(app, window)

    from hebi_desktop.storage.engine import resolve_url
    from hebi_desktop.ui.single_instance import SingleInstance

    try:
        instance = SingleInstance(resolve_url(db))
    except UnwritableDataFolder as error:  # a read-only home folder: say which, in Chinese
        from PySide6.QtWidgets import QMessageBox

        window.opening_failed(str(error))
        QMessageBox.critical(window, f"{APP_TITLE}：无法写入数据文件夹", str(error))
        window._closing_done = True
        window.close()
        return 1
    if not instance.acquire():
        window._closing_done = True  # nothing was opened: nothing to back up
        window.close()
        return _hand_over(instance)
    reporter = install_error_hook(lambda: window)
    try:
        book = open_book(db, window, startup_password_file)
        if book is None:
            window._closing_done = True
            window.close()
            return 1
        _show_key_notices()
        from hebi_desktop.ui.dialogs.startup_password import offer_new_password

        offer_new_password(book, window)  # a forgotten start-up password, after the recovery key
        if not book.settings.is_configured:
            from hebi_desktop.ui.dialogs.first_start import FirstStartDialog

            first = FirstStartDialog(book)
            if first.exec() != QDialog.DialogCode.Accepted:
                book.close()
                window._closing_done = True
                window.close()
                return 0
            _offer_recovery_key(book)
        window.attach(book)
        if book.upgrade_backup is not None:
            window.statusBar().showMessage(
                f"数据库已升级到本版本，升级前的备份保存在：{book.upgrade_backup}", 60_000
            )
        instance.raise_requested.connect(window.bring_to_front)
        QTimer.singleShot(0, window.offer_drafts)
        first_ledger(window)  # bench/desk.py's second marker (only when asked for)
        code = app.exec()
        window.book.close()  # the window's book: a restore may have replaced it
        return code
    finally:
        reporter.uninstall()
        instance.release()
