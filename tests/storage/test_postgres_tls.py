"""A desk reaching its server over TLS, against a real TLS server (``.ci/postgres``).

``.ci/postgres`` starts its throw-away server with ``ssl=on`` and a certificate for
127.0.0.1 and localhost signed by a throw-away CA (``HEBI_TEST_POSTGRES_CA``), and makes
an unrelated CA (``HEBI_TEST_POSTGRES_OTHER_CA``). With ``sslmode=verify-full`` and the
right CA file a desk works, over an encrypted connection; a wrong CA file, a server name
the certificate does not carry, or a missing CA file are refused with the Chinese reason
— the words libpq really uses, not a copy of them. Without the server these skip.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hebi_desktop.cli.main import main
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import UserError
from hebi_desktop.services.book import Book
from tests.conftest import POSTGRES_URL, empty_postgres

CA = os.environ.get("HEBI_TEST_POSTGRES_CA")
OTHER_CA = os.environ.get("HEBI_TEST_POSTGRES_OTHER_CA")
ENCRYPTED = text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
# A name the server's certificate does not carry (never looked up: hostaddr is given).
IMPOSTOR_NAME = "taizhang.example.invalid"


def tls_url(ca: str | None, **query: str) -> str:
    """The test server's address with ``sslmode=verify-full`` and ``ca`` as CA file."""
    assert POSTGRES_URL is not None
    url = make_url(POSTGRES_URL)
    options = {"sslmode": "verify-full", **({"sslrootcert": ca} if ca else {}), **query}
    return url.update_query_dict(options).render_as_string(hide_password=False)


@pytest.fixture
def server(request: pytest.FixtureRequest) -> None:
    """The emptied test database on the TLS server; skips without ``.ci/postgres``."""
    if not (POSTGRES_URL and CA and OTHER_CA):
        pytest.skip("HEBI_TEST_POSTGRES_CA not set (.ci/postgres starts a TLS server)")
    empty_postgres(request.getfixturevalue("_postgres_reference_tables"))


def test_verify_full_with_the_right_ca_works_encrypted(server: None) -> None:
    ledger = get_ledger("housing")
    with Book.open(tls_url(CA)) as book:
        book.settings.set("operator", "测试员")
        book.settings.set("county_code", "410622")
        book.settings.set("township_code", "410622102")
        values = ledger.example_record()
        saved = book.records("housing").create(values)
        with book.reading() as connection:
            assert connection.scalar(ENCRYPTED) is True
        with book.writing() as connection:
            assert connection.scalar(ENCRYPTED) is True
    with Book.open(tls_url(CA)) as again:
        record = again.records("housing").get(saved.record.id)
        assert record.values[ledger.name_field] == values[ledger.name_field]


def test_the_encryption_check_tells_a_plain_connection(server: None) -> None:
    """``pg_stat_ssl`` is what proves the connections above encrypted: it can say no."""
    with Book.open(tls_url(None, sslmode="disable")) as book, book.reading() as connection:
        assert connection.scalar(ENCRYPTED) is False


def _refusal(url: str) -> str:
    with pytest.raises(UserError) as refused:
        Book.open(url)
    return str(refused.value)


def test_a_wrong_ca_file_is_refused_in_chinese(server: None) -> None:
    told = _refusal(tls_url(OTHER_CA))
    assert "服务器证书不是由 sslrootcert 指定的 CA 签发的" in told
    assert "certificate" not in told


def test_a_certificate_for_another_name_is_refused_in_chinese(server: None) -> None:
    assert POSTGRES_URL is not None
    impostor = make_url(tls_url(CA, hostaddr="127.0.0.1")).set(host=IMPOSTOR_NAME)
    told = _refusal(impostor.render_as_string(hide_password=False))
    assert "服务器证书上的名字与地址中的服务器名不一致" in told and "冒充" in told
    assert "localhost" not in told and "does not match" not in told


def test_a_missing_ca_file_is_refused_in_chinese(server: None, tmp_path: Path) -> None:
    told = _refusal(tls_url((tmp_path / "root.crt").as_posix()))
    assert "找不到 sslrootcert 指定的 CA 证书文件" in told


def test_the_command_line_refuses_a_wrong_ca_with_exit_code_1(
    server: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", tls_url(OTHER_CA), "stats"]) == 1
    err = capsys.readouterr().err
    assert "无法确认服务器身份" in err and "Traceback" not in err


@pytest.fixture
def server_without_tls() -> Iterator[str]:
    """A listener that answers the TLS request as a PostgreSQL with ``ssl = off`` does.

    The protocol's first message asks for TLS; a server without it answers the one byte
    ``N``. That byte is all ``sslmode=require`` needs to refuse, so no second server."""
    pytest.importorskip("psycopg")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer() -> None:
        try:
            peer, _ = listener.accept()
        except OSError:
            return
        with peer:
            peer.recv(8)  # length 8, code 80877103: SSLRequest
            peer.sendall(b"N")
            peer.recv(1024)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield f"postgresql+psycopg://taizhang@127.0.0.1:{port}/taizhang?sslmode=require"
    listener.close()
    thread.join(timeout=5)


def test_require_against_a_server_without_tls_is_refused_in_chinese(
    server_without_tls: str,
) -> None:
    assert "服务器没有开启 SSL" in _refusal(server_without_tls)
