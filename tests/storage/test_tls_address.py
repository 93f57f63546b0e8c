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
