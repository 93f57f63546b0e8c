"""概览: headline figures, problems to act on with their counts, last backup and submission."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hebi_desktop.domain.registry import all_ledgers, get_ledger
from hebi_desktop.services import backups
from hebi_desktop.services.book import Book
from hebi_desktop.services.demo import fill_demo
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.services.stats import Figure
from hebi_desktop.ui.main_window import MainWindow
from hebi_desktop.ui.screens.overview_page import FLAGGED, OverviewPage, grouped, problems_of
from hebi_desktop.ui.widgets.navigation import OVERVIEW, ledger_page_key
from tests import samples


def wait_for_figures(qtbot, page: OverviewPage) -> None:
    """The figures are counted just after the page is drawn (the window shows first)."""
    assert page.refresh_pending or page.updated_label.text().startswith("统计")
    qtbot.waitUntil(lambda: not page.refresh_pending)
    assert page.updated_label.text().startswith("统计时间")


@pytest.fixture
def demo_book(book: Book) -> Book:
    fill_demo(book, 300, city_wide=True)
    return book


@pytest.fixture
def window(qtbot, demo_book: Book) -> MainWindow:
    shown = MainWindow(demo_book)
    qtbot.addWidget(shown)
    shown.show()
    wait_for_figures(qtbot, shown.pages[OVERVIEW])
    return shown


def test_headline_figures_as_the_city_reports_them(qtbot, demo_book: Book) -> None:
    page = OverviewPage(demo_book)
    qtbot.addWidget(page)
    page.show()
    wait_for_figures(qtbot, page)
    assert page.figure_text("housing", "households") == "300"
    assert page.figure_text("water", "repairs") == "300"
    assert page.figure_text("education", "person_times") == "300"
    investment = demo_book.stats.headline(get_ledger("water")).value("investment")
    assert page.figure_text("water", "investment") == f"{investment:,.2f}"
    assert float(page.figure_text("water", "investment").replace(",", "")) > 0
    captions = [t.caption_label.text() for t in page.boxes["water"].tiles.values()]
    assert "维修工程（处）" in captions and "完成投资（万元）" in captions


def test_each_problem_shows_its_count(qtbot, demo_book: Book) -> None:
    page = OverviewPage(demo_book)
    qtbot.addWidget(page)
    page.show()
    wait_for_figures(qtbot, page)
    for ledger in all_ledgers():
        service = demo_book.records(ledger)
        for problem in problems_of(ledger):
            expected = service.count(problem.query)
            button = page.problem_button(ledger.key, problem.key)
            assert page.counts[(ledger.key, problem.key)] == expected
            assert button.text() == f"{problem.label}：{expected} 条"
            assert button.isEnabled() == (expected > 0)
    # the demo data has houses to act on
    assert page.counts[("housing", "finished_not_closed")] > 0


def test_clicking_a_problem_opens_the_ledger_filtered(qtbot, window: MainWindow) -> None:
    overview = window.pages[OVERVIEW]
    watch = get_ledger("housing").watches[1]  # 已竣工未销号
    expected = window.book.records("housing").count(RecordQuery(conditions=watch.conditions))
    assert expected > 0

    overview.problem_button("housing", watch.key).click()

    page = window.pages[ledger_page_key("housing")]
    assert window.stack.currentWidget() is page
    assert window.current_key() == ledger_page_key("housing")
    assert page.model.row_count == expected
    assert watch.label in page.query_label.text()
    finished = {"已竣工", "已验收"}
    for row in range(page.model.row_count):
        assert page.model.display_text(row, "renovation_progress") in finished
        assert page.model.display_text(row, "closed") != "是"


def test_the_flagged_link_opens_only_flagged_records(qtbot, window: MainWindow) -> None:
    overview = window.pages[OVERVIEW]
    count = overview.counts[("housing", FLAGGED)]
    assert count > 0
    overview.problem_button("housing", FLAGGED).click()
    page = window.pages[ledger_page_key("housing")]
    assert page.model.row_count == count
    assert page.flagged_filter.isChecked()


def test_counts_follow_a_new_record(qtbot, window: MainWindow) -> None:
    overview = window.pages[OVERVIEW]
    before = overview.counts[("housing", "dangerous_not_renovated")]
    window.book.records("housing").create(
        samples.housing(
            safety_grade="D级",
            in_renovation=False,
            renovation_method=None,
            renovation_progress=None,
            completion_date=None,
            subsidy_amount=None,
        )
    )
    page = window.show_page(ledger_page_key("housing"))
    page.records_changed.emit()  # what the page says after its form saved
    window.show_page(OVERVIEW)
    wait_for_figures(qtbot, overview)
    assert overview.counts[("housing", "dangerous_not_renovated")] == before + 1
    assert overview.figure_text("housing", "households") == "301"


def test_last_backup_and_submission_are_shown(qtbot, book: Book, tmp_path) -> None:
    page = OverviewPage(book)
    qtbot.addWidget(page)
    page.show()
    wait_for_figures(qtbot, page)
    assert "还没有备份" in page.backup_label.text()
    assert page.boxes["housing"].submission_label.text() == "尚未报送"

    backups.make_backup(book, backups.MANUAL, tmp_path / "b")
    book.records("housing").create(samples.housing())
    export = pytest.importorskip("hebi_desktop.exchange.export")
    export.export_workbook(book, export.ExportRequest(ledgers=("housing",)), tmp_path / "报送.xlsx")
    page.refresh()
    assert page.backup_label.text().startswith("最近备份：")
    text = page.boxes["housing"].submission_label.text()
    assert text.startswith("最近报送：") and "1 条" in text
    assert page.boxes["water"].submission_label.text() == "尚未报送"


def test_large_figures_have_thousands_separators() -> None:
    measure = get_ledger("housing").measures[0]
    assert grouped(Figure(measure, Decimal(123456))) == "123,456"
