"""Passwords in database addresses never reach a message or the log, wherever they sit."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from hebi_desktop.errors import ServerUnreachable, storage_error
from hebi_desktop.logging_setup import MaskingFormatter
from hebi_desktop.secrets import mask_address
from hebi_desktop.storage.engine import display_url
from tests.cli_helpers import run

SECRET, OTHER = "Geheim-pa55", "Zweites-99"


@pytest.mark.parametrize(
    "address",
    [
        f"postgresql+psycopg://clerk@10.0.0.5/ledgers?password={SECRET}",
        f"postgresql+psycopg://clerk@10.0.0.5/ledgers?sslmode=require&sslpassword={SECRET}",
        f"postgresql+psycopg://clerk:{OTHER}@10.0.0.5/ledgers?PASSWORD={SECRET}",
    ],
)
def test_every_password_of_an_address_is_masked(address: str) -> None:
    shown = display_url(address)
    assert SECRET not in shown and OTHER not in shown
    assert "10.0.0.5" in shown and "***" in shown
    assert SECRET not in mask_address(f"cannot open {address}: refused")


def test_log_lines_mask_addresses_and_conninfo() -> None:
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "cannot open %s (host=h password=%s)",
        (f"postgresql+psycopg://h/db?password={SECRET}", OTHER), None,
    )  # fmt: skip
    line = MaskingFormatter("%(message)s").format(record)
    assert SECRET not in line and OTHER not in line and "host=h" in line


def test_a_password_parameter_stays_out_of_the_error_and_the_log(data_dir: Path) -> None:
    pytest.importorskip("psycopg")
    address = f"postgresql+psycopg://clerk@127.0.0.1:1/ledgers?password={SECRET}"
    done = run("--db", address, "stats")
    assert done.returncode == 1
    assert "连不上数据库服务器" in done.stderr
    assert SECRET not in done.stderr + done.stdout
    logs = "".join(p.read_text(encoding="utf-8") for p in data_dir.rglob("*.log"))
    assert SECRET not in logs


def test_a_lost_server_connection_is_not_called_a_missing_file() -> None:
    lost = OperationalError(
        "INSERT ...", {}, Exception("consuming input failed: server closed the connection")
    )
    error = storage_error(lost)
    assert isinstance(error, ServerUnreachable)
    assert "服务器" in str(error) and "数据库文件" not in str(error)


def test_a_password_parameter_is_never_saved_as_the_desk_address() -> None:
    from hebi_desktop.errors import UserError
    from hebi_desktop.storage.desk_choice import check_address

    with pytest.raises(UserError, match="不要包含密码"):
        check_address(f"postgresql+psycopg://clerk@10.0.0.5/ledgers?password={SECRET}")
    assert check_address("postgresql+psycopg://clerk@10.0.0.5/ledgers?sslmode=require")
