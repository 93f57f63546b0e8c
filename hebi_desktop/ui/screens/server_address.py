"""The settings row where a desk is pointed at the office's shared server."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from hebi_desktop.errors import UserError
from hebi_desktop.storage.desk_choice import chosen_database, save_choice
from hebi_desktop.storage.engine import display_url

PLACEHOLDER = "postgresql+psycopg://用户名@服务器/数据库名（留空：使用本机数据库文件）"


class ServerAddress(QWidget):
    """Address field and save button; takes effect at the next start of the program."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.address_edit = QLineEdit(self)
        self.address_edit.setPlaceholderText(PLACEHOLDER)
        self.address_edit.setToolTip(PLACEHOLDER)  # the box cuts it short with “…”
        saved = chosen_database()
        self.address_edit.setText(display_url(saved) if saved else "")
        self.save_button = QPushButton("保存地址", self)
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.address_edit, 1)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.status_label = QLabel("多台电脑共用一个数据库时填写；重新启动程序后生效。", self)
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)

    def save(self) -> bool:
        try:
            save_choice(self.address_edit.text())
        except UserError as error:
            self.status_label.setText(str(error))
            return False
        except OSError as error:
            self.status_label.setText(f"无法保存地址：{error.strerror or error}")
            return False
        if self.address_edit.text().strip():
            self.status_label.setText("已保存。重新启动程序后连接该服务器。")
        else:
            self.status_label.setText("已清除。重新启动程序后使用本机数据库文件。")
        return True
