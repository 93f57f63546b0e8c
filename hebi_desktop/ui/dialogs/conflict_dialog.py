"""Two desks edited one record: the clerk's unsaved values beside the ones just saved.

When a save is refused because another desk saved the record first, nothing is
overwritten and nothing the clerk typed is thrown away: for every field where the two
differ the clerk picks "保留我的" or "采用对方的", and the form then holds the merge,
based on the fresh version, ready to be checked and saved again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.display import display_value
from hebi_desktop.domain.fields import Field, Ledger
from hebi_desktop.ui.widgets.field_widgets import WARNING_COLOR

if TYPE_CHECKING:
    from hebi_desktop.services.records import Record
    from hebi_desktop.ui.dialogs.record_form import RecordDialog

MINE = 0
THEIRS = 1


def _shown(field: Field, value: Any) -> str:
    return display_value(field, value) or "（空）"


def differing_fields(
    ledger: Ledger, mine: Mapping[str, Any], theirs: Mapping[str, Any]
) -> list[Field]:
    """The editable fields whose shown values differ (so 1500 and "1500.00" agree)."""
    return [
        f
        for f in ledger.stored_fields
        if not f.derived
        and display_value(f, mine.get(f.name)) != display_value(f, theirs.get(f.name))
    ]


class ConflictDialog(QDialog):
    """Field by field: the clerk's value, the other desk's, and which one to keep.

    A field the clerk did not touch (still as first opened) starts on "采用对方的", so
    the other desk's change is not undone by accident; a field the clerk changed starts
    on "保留我的".
    """

    def __init__(
        self,
        ledger: Ledger,
        mine: Mapping[str, Any],
        theirs: Record,
        base: Mapping[str, Any] | None,
        message: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.mine = dict(mine)
        self.theirs = theirs
        self.fields = differing_fields(ledger, mine, theirs.values)
        self.groups: dict[str, QButtonGroup] = {}
        self.setWindowTitle("记录已被其他电脑修改")
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"{message}\n\n对方（{theirs.updated_by}，{theirs.updated_at:%Y-%m-%d %H:%M}）"
            "保存的内容与您未保存的内容有以下不同。请逐项选择保留哪一个，"
            "然后点“合并到表单”，核对后再保存。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid_host = QWidget(self)
        grid = QGridLayout(grid_host)
        for column, title in enumerate(("项目", "您未保存的内容", "对方已保存的内容", "", "")):
            heading = QLabel(f"<b>{title}</b>", grid_host)
            grid.addWidget(heading, 0, column)
        base_values = dict(base or {})
        for row, f in enumerate(self.fields, start=1):
            grid.addWidget(QLabel(f.header, grid_host), row, 0)
            grid.addWidget(QLabel(_shown(f, mine.get(f.name)), grid_host), row, 1)
            grid.addWidget(QLabel(_shown(f, theirs.values.get(f.name)), grid_host), row, 2)
            group = QButtonGroup(self)
            keep = QRadioButton("保留我的", grid_host)
            take = QRadioButton("采用对方的", grid_host)
            group.addButton(keep, MINE)
            group.addButton(take, THEIRS)
            untouched = display_value(f, mine.get(f.name)) == display_value(
                f, base_values.get(f.name)
            )
            (take if untouched and base is not None else keep).setChecked(True)
            grid.addWidget(keep, row, 3)
            grid.addWidget(take, row, 4)
            self.groups[f.name] = group
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        layout.addWidget(scroll, 1)
        all_row = QHBoxLayout()
        self.all_mine_button = QPushButton("全部保留我的", self)
        self.all_theirs_button = QPushButton("全部采用对方的", self)
        self.all_mine_button.clicked.connect(lambda: self.choose_all(MINE))
        self.all_theirs_button.clicked.connect(lambda: self.choose_all(THEIRS))
        all_row.addWidget(self.all_mine_button)
        all_row.addWidget(self.all_theirs_button)
        all_row.addStretch(1)
        layout.addLayout(all_row)
        buttons = QDialogButtonBox(self)
        self.merge_button = buttons.addButton("合并到表单", QDialogButtonBox.ButtonRole.AcceptRole)
        self.drop_button = buttons.addButton("放弃我的修改", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 480)

    def choose(self, name: str, side: int) -> None:
        self.groups[name].button(side).setChecked(True)

    def choose_all(self, side: int) -> None:
        for name in self.groups:
            self.choose(name, side)

    def kept_mine(self) -> dict[str, Any]:
        """The clerk's values for the fields where "保留我的" is chosen."""
        return {
            name: self.mine.get(name)
            for name, group in self.groups.items()
            if group.checkedId() == MINE
        }


def offer_merge(
    dialog: RecordDialog, mine: Mapping[str, Any], base: Record | None, message: str
) -> None:
    """After a refused save: the form shows the fresh record; offer the clerk's values.

    The conflict dialog opens window-modal without blocking (``dialog.conflict``); on
    "合并到表单" the chosen values of the clerk go back into the form as unsaved edits.
    """
    fresh = dialog.record
    if fresh is None or dialog.read_only:
        QMessageBox.warning(dialog, "记录已被修改", f"{message}\n\n这条记录已被删除或已不存在。")
        return
    if not differing_fields(dialog.ledger, mine, fresh.values):
        QMessageBox.warning(
            dialog, "记录已被修改", f"{message}\n\n已重新载入这条记录的最新内容，请核对后再修改。"
        )
        return
    conflict = ConflictDialog(
        dialog.ledger, mine, fresh, base.values if base else None, message, dialog
    )

    def merge() -> None:
        kept = conflict.kept_mine()
        if kept:
            dialog.form.apply_values(kept, dirty=True)
            dialog._set_banner(
                "已把您保留的内容合并到对方保存的最新版本中，请核对后再保存。", WARNING_COLOR
            )
            dialog.save_draft()  # the merge is kept like any typing

    conflict.accepted.connect(merge)
    dialog.conflict = conflict  # type: ignore[attr-defined]
    conflict.open()
