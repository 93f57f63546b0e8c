"""Starting the window (a plain main window until the desk is built)."""

from __future__ import annotations

import sys

from hebi_desktop import APP_TITLE


def run_gui(db: str | None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from hebi_desktop.services.book import Book

    app = QApplication.instance() or QApplication(sys.argv)
    book = Book.open(db)
    window = QMainWindow()
    window.setWindowTitle(APP_TITLE)
    window.setCentralWidget(QLabel(f"数据库：{book.location}"))
    window.resize(900, 600)
    window.show()
    try:
        return app.exec()
    finally:
        book.close()
