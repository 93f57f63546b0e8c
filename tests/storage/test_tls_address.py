"""A server reached over a network: ``sslmode=verify-full`` with a CA file is accepted as
an address, passed to the driver unchanged, and its failures are told in Chinese."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from hebi_desktop.storage.desk_choice import check_address
from hebi_desktop.storage.engine import display_url
from hebi_desktop.storage.server import connection_failure

ADDRESS = (
    "postgresql+psycopg://taizhang@db.example.gov.cn/taizhang"
    "?sslmode=verify-full&sslrootcert=C:/hebi/root.crt"
)


def test_a_verify_full_address_is_kept_whole() -> None:
    assert check_address(ADDRESS) == ADDRESS
    query = make_url(ADDRESS).query
    assert query["sslmode"] == "verify-full" and query["sslrootcert"] == "C:/hebi/root.crt"
    assert "sslmode=verify-full" in display_url(ADDRESS)


def test_the_ca_file_is_shown_as_typed_and_saved_back_unchanged() -> None:
    """A message that asks the clerk to check the CA file's path shows that path, not
    ``C%3A%2F…``; the settings field showing it saves the same address again."""
    typed = ADDRESS.replace("C:/hebi/root.crt", "D:/鹤壁 台账/root.crt") + "&sslpassword=pw9"
    shown = display_url(typed)
    assert "sslrootcert=D:/鹤壁 台账/root.crt" in shown and "pw9" not in shown
    assert make_url(shown).query["sslrootcert"] == "D:/鹤壁 台账/root.crt"
    assert make_url(check_address(display_url(ADDRESS))).query == make_url(ADDRESS).query


@pytest.mark.parametrize(
    ("libpq_says", "told"),
    [
        (
            'root certificate file "C:/hebi/root.crt" does not exist\nEither provide the file',
            "找不到 sslrootcert 指定的 CA 证书文件",
        ),
        (
            'server certificate for "other.example" does not match host name "db.example.gov.cn"',
            "冒充的服务器",
        ),
        ("SSL error: certificate verify failed", "无法确认服务器身份"),
        ("server does not support SSL, but SSL was required", "服务器没有开启 SSL"),
    ],
)
def test_certificate_failures_are_told_in_chinese(libpq_says: str, told: str) -> None:
    reason = connection_failure(Exception(libpq_says))
    assert reason is not None and told in reason
    assert "example" not in reason
