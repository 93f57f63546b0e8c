"""A PostgreSQL connection lost in the middle of an import: the clerk is told the server
is unreachable (not that a database file went missing), and nothing was written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from hebi_desktop.errors import ServerUnreachable
from hebi_desktop.exchange.importer import import_workbook
from hebi_desktop.services.book import Book
from hebi_desktop.services.row_writer import NewRows
from tests.exchange.test_import import housing_row, plain_sheet


def test_a_dropped_connection_during_import_says_the_server_is_unreachable(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if book.engine.dialect.name != "postgresql":
        pytest.skip("a server connection")
    source = plain_sheet(tmp_path / "名单.xlsx", housing_row(1))
    real = NewRows.insert

    def dropped(self: NewRows, connection, *args, **kwargs):  # type: ignore[no-untyped-def]
        with book.engine.connect() as other:  # the server ends our session, as a reboot would
            other.execute(
                text("SELECT pg_terminate_backend(:pid)"),
                {"pid": connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()},
            )
            other.commit()
        return real(self, connection, *args, **kwargs)

    monkeypatch.setattr(NewRows, "insert", dropped)
    with pytest.raises(ServerUnreachable) as lost:
        import_workbook(book, "housing", source)
    assert "连不上数据库服务器" in str(lost.value) and "数据库文件" not in str(lost.value)
    monkeypatch.undo()
    book.engine.dispose()
    assert book.records("housing").count() == 0
