"""导出报送: the export form of the 导入导出 page.

The clerk ticks ledgers and narrows the place, dates and records (全量 or 增量 since the last
submission); the export runs on the page's worker and never leaves half a file behind. The
same choices drive 打印… (the print preview).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.services.book import Book
from hebi_desktop.services.desk_scope import desk_scope, query_place, scope_words
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.ui.dialogs.confirm import confirmed
from hebi_desktop.ui.icons import icon
from hebi_desktop.ui.report_saving import WORKBOOK_FILTER
from hebi_desktop.ui.screens.import_tab import (
    OK_COLOR,
    JobHost,
    set_label,
    with_suffix,
)
from hebi_desktop.ui.widgets.field_widgets import ERROR_COLOR, WARNING_COLOR
from hebi_desktop.ui.widgets.place_filter import DateRange, PlacePicker
from hebi_desktop.ui.widgets.steady_inputs import hold_steady
from hebi_desktop.ui.workers import Worker

if TYPE_CHECKING:
    from hebi_desktop.ui.dialogs.print_preview import FormPreview

LAST_EXPORT_DIR = "last_export_dir"

Exporter = Callable[..., Any]  # export_workbook(book, request, target, *, progress, cancelled)


ZIP_FILTER = "带附件的压缩包 (*.zip)"


def default_exporter() -> Exporter:
    from hebi_desktop.exchange.export import export_workbook

    return export_workbook


class ExportTab(QWidget):
    """The export form and its result line. ``exported`` after a workbook was written."""

    exported = Signal()

    def __init__(
        self, book: Book, host: JobHost, exporter: Exporter | None, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.book = book
        self._host = host
        self._exporter = exporter
        self.export_result: Any = None
        self.last_export: Path | None = None
        self._build()
        hold_steady(self)

    def update_buttons(self, idle: bool) -> None:
        self.export_button.setEnabled(idle and bool(self.chosen_ledgers()))

    def choose_only(self, ledger_key: str) -> None:
        for key, check in self.ledger_checks.items():
            check.setChecked(key == ledger_key)

    def _build(self) -> None:
        tab = self
        layout = QVBoxLayout(tab)

        which = QGroupBox("台账", tab)
        row = QHBoxLayout(which)
        self.ledger_checks: dict[str, QCheckBox] = {}
        for ledger in all_ledgers():
            check = QCheckBox(ledger.title, which)
            check.setChecked(True)
            check.toggled.connect(self._host.update_buttons)
            row.addWidget(check)
            self.ledger_checks[ledger.key] = check
        row.addStretch(1)
        layout.addWidget(which)

        filters = QGroupBox("范围", tab)
        form = QFormLayout(filters)
        self.place = PlacePicker(self.book, filters, with_county=True)
        assert self.place.county_combo is not None
        self.county_combo: QComboBox = self.place.county_combo
        self.township_combo = self.place.township_combo
        self.village_editor = self.place.village_editor
        self.village_edit: QLineEdit = self.place.village_edit
        form.addRow("地区：", self.place)
        self.scope_label = QLabel(filters)
        self.scope_label.setObjectName("exportScope")
        self.scope_label.setWordWrap(True)
        form.addRow("", self.scope_label)

        dates = QHBoxLayout()
        self.dates = DateRange(filters)
        self.date_from_editor = self.dates.date_from_editor
        self.date_to_editor = self.dates.date_to_editor
        dates.addWidget(self.dates)
        dates.addStretch(1)
        date_label = QLabel("日期：", tab)
        date_label.setToolTip(
            "按各台账的主要日期筛选："
            + "，".join(f"{lg.nav_title}按{lg.field(lg.main_date).header}" for lg in all_ledgers())
        )
        form.addRow(date_label, dates)

        scope = QVBoxLayout()
        self.full_radio = QRadioButton("全部记录（全量）", filters)
        self.incremental_radio = QRadioButton(
            "自上次报送以来新增或修改的记录（增量，每月报送用）", filters
        )
        self.full_radio.setChecked(True)
        self._scope_group = QButtonGroup(filters)
        self._scope_group.addButton(self.full_radio)
        self._scope_group.addButton(self.incremental_radio)
        self.last_submission_label = QLabel(filters)
        self.last_submission_label.setStyleSheet("color: #546e7a;")
        self.last_submission_label.setWordWrap(True)
        scope.addWidget(self.full_radio)
        scope.addWidget(self.incremental_radio)
        scope.addWidget(self.last_submission_label)
        form.addRow("记录：", scope)

        self.mask_check = QCheckBox("身份证号、电话脱敏（隐去中间几位，用于公示或外发）", filters)
        form.addRow("脱敏：", self.mask_check)
        self.record_check = QCheckBox("记入报送记录（向上级报送时勾选）", filters)
        self.record_check.setChecked(True)
        form.addRow("报送：", self.record_check)
        # A check box never wraps: the long explanation is in the tooltip, so the tab stays
        # as narrow as a scaled 1024-wide screen.
        self.files_check = QCheckBox("连同照片、扫描件等附件导出为 .zip", filters)
        self.files_check.setToolTip(
            "导出为 .zip：工作簿＋按乡镇/村/户分的文件夹＋校验清单。"
            "脱敏导出默认不带附件；确需外发照片时再勾选"
        )
        # Photos show people and houses: a masked export leaves them out unless asked again.
        self.mask_check.toggled.connect(self._mask_toggled)
        form.addRow("附件：", self.files_check)
        self.verified_check = QCheckBox("只导出已复核的记录（复核录入一致）", filters)
        form.addRow("复核：", self.verified_check)
        self.encrypt_check = QCheckBox("加密导出：设打开密码（用聊天软件或U盘发送时勾选）", filters)
        form.addRow("加密：", self.encrypt_check)
        layout.addWidget(filters)

        buttons = QHBoxLayout()
        self.export_button = QPushButton(icon("export"), "导出…", tab)
        self.export_button.setToolTip("选择保存位置并导出（Ctrl+E）")
        self.export_button.clicked.connect(self.start_export)
        buttons.addWidget(self.export_button)
        self.print_button = QPushButton("打印…", tab)
        self.print_button.setToolTip("按上面的范围打印花名册、公示名单或发放登记表（可另存为 PDF）")
        self.print_button.clicked.connect(self.open_print)
        buttons.addWidget(self.print_button)
        self.export_label = QLabel(tab)
        self.export_label.setWordWrap(True)
        self.export_label.setTextFormat(Qt.TextFormat.RichText)
        self.export_label.setOpenExternalLinks(True)
        self.export_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.export_label)  # a whole line, not a column beside the buttons
        layout.addStretch(1)
        self.show_desk_scope()
        self.place.township_changed.connect(self._describe_scope)
        self.place.village_typed.connect(self._describe_scope)
        self.dates.changed.connect(self._describe_scope)
        self.incremental_radio.toggled.connect(self._describe_scope)

    def show_desk_scope(self) -> None:
        """Put the desk's own place into the form: what leaves the desk unless changed."""
        scope = desk_scope(self.book)
        self.desk = scope
        county = self.county_combo.findData(scope.county_code) if scope.county_code else 0
        self.county_combo.setCurrentIndex(max(county, 0))
        township = self.township_combo.findData(scope.township_code) if scope.township_code else 0
        self.township_combo.setCurrentIndex(max(township, 0))
        self._describe_scope()

    def _place_query(self) -> RecordQuery:
        """The chosen place; a township implies its county (one scope key per place)."""
        township = self.place.township_code()
        return RecordQuery(
            county_code=None if township else self.place.county_code(),
            township_code=township,
            village=self.place.village(),
        )

    def outside_desk(self) -> bool:
        return not self.desk.holds(self._place_query())

    def _describe_scope(self, *_args: object) -> None:
        start, end = self.dates.lenient()
        query = dataclasses.replace(self._place_query(), date_from=start, date_to=end)
        words = scope_words(query, since_last_submission=self.incremental_radio.isChecked())
        if self.outside_desk():
            self.scope_label.setText(
                f"将导出：{words}。注意：这不是本单位的范围（本单位：{self.desk.name}），"
                "文件名和标题按所选范围写。"
            )
            self.scope_label.setStyleSheet(f"color: {WARNING_COLOR};")
        else:
            self.scope_label.setText(f"将导出：{words}")
            self.scope_label.setStyleSheet("color: #1565c0;")

    def _mask_toggled(self, masked: bool) -> None:
        if masked:
            self.files_check.setChecked(False)

    def chosen_ledgers(self) -> tuple[str, ...]:
        return tuple(key for key, check in self.ledger_checks.items() if check.isChecked())

    def export_query(self) -> RecordQuery | None:
        """The filters as a query; None (with a message) when a date does not read."""
        dates = self.dates.strict()
        if dates is None:
            return None
        date_from, date_to = dates
        return dataclasses.replace(
            self._place_query(),
            date_from=date_from,
            date_to=date_to,
            verified=True if self.verified_check.isChecked() else None,
        )

    def open_print(self) -> FormPreview | None:
        """The print preview of the chosen ledgers with the export's filters."""
        query = self.export_query()
        if query is None:
            return None
        from hebi_desktop.ui.dialogs.print_preview import open_preview

        since = self.incremental_radio.isChecked()
        return open_preview(self, self.book, self.chosen_ledgers(), query, since, all_places=True)

    def _default_export_name(self, keys: tuple[str, ...], query: RecordQuery) -> str:
        place = query_place(query)  # what the rows are, never the desk's name over others'
        what = get_ledger(keys[0]).title if len(keys) == 1 else "台账汇总"
        if self.incremental_radio.isChecked():
            what += "（增量）"
        return f"{place}{what}{dt.date.today():%Y%m%d}.xlsx"

    def start_export(self) -> Worker | None:
        """Ask for the file, then export on a worker; returns the worker (None if not)."""
        if self._host.busy:
            return None
        keys = self.chosen_ledgers()
        if not keys:
            QMessageBox.warning(self, "导出", "请至少选择一本台账。")
            return None
        query = self.export_query()
        if query is None:
            return None
        if (
            self.outside_desk()
            and self.record_check.isChecked()
            and not confirmed(
                self,
                "导出",
                f"所选范围（{query_place(query)}）不是本单位的范围（{self.desk.name}）。\n\n"
                "仍要导出并记入报送记录吗？文件名、标题和报送标识都写所选范围。",
            )
        ):
            return None
        suggested = self._host.folder(LAST_EXPORT_DIR) / self._default_export_name(keys, query)
        with_files = self.files_check.isChecked()
        if with_files:
            suggested = suggested.with_suffix(".zip")
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "导出到", str(suggested), ZIP_FILTER if with_files else WORKBOOK_FILTER
        )
        if not chosen:
            return None
        target = with_suffix(Path(chosen), ".zip" if with_files else ".xlsx")
        self._host.remember(LAST_EXPORT_DIR, target)
        from hebi_desktop.exchange.export import ExportRequest

        password: str | None = None
        if self.encrypt_check.isChecked():
            from hebi_desktop.ui.dialogs.passwords import ask_new_password

            password = ask_new_password(self)
            if password is None:
                return None

        request = ExportRequest(
            ledgers=keys,
            query=query,
            since_last_submission=self.incremental_radio.isChecked(),
            mask_ids=self.mask_check.isChecked(),
            record_submission=self.record_check.isChecked(),
            all_places=True,  # the place chosen in the form (the desk's by default) is final
            password=password,
        )
        exporter = self._exporter or default_exporter()
        if with_files:
            from hebi_desktop.exchange.export_files import export_with_files

            exporter = partial(export_with_files, include_files=True)
        book = self.book

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            return exporter(book, request, target, progress=progress, cancelled=cancelled)

        self.export_label.setText("")
        worker = self._host.start_job(job, f"正在导出到 {target.name}…")
        worker.finished.connect(self._export_finished)
        worker.failed.connect(self._export_failed)
        worker.cancelled.connect(self._export_cancelled)
        worker.start()
        return worker

    def _export_finished(self, result: Any) -> None:
        self.export_result = result
        self.last_export = Path(result.path)
        parts = [f"{get_ledger(k).nav_title} {n} 条" for k, n in result.rows.items()]
        total = sum(result.rows.values())
        folder = self.last_export.parent.as_uri()
        text = (
            f"已导出 {total} 条（{'，'.join(parts)}）到 {html.escape(self.last_export.name)}。"
            f' <a href="{folder}">打开所在文件夹</a>'
        )
        if total == 0:
            text = f"没有符合条件的记录，已导出空表 {html.escape(self.last_export.name)}。"
        if self.encrypt_check.isChecked():
            text += " 工作簿已加密：请另行电话或当面告诉接收单位密码。"
        set_label(self.export_label, text, OK_COLOR)
        self.exported.emit()

    def _export_failed(self, message: str) -> None:
        set_label(self.export_label, f"导出未完成：{html.escape(message)}", ERROR_COLOR)
        QMessageBox.warning(self, "导出失败", message)

    def _export_cancelled(self) -> None:
        set_label(self.export_label, "已取消导出，没有生成文件。", WARNING_COLOR)
