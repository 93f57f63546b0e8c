"""A desk remembers its server address (never a password) in its own data folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hebi_desktop.errors import UserError
from hebi_desktop.storage.desk_choice import choice_file, chosen_database, save_choice
from hebi_desktop.storage.engine import resolve_url

ADDRESS = "postgresql+psycopg://taizhang@192.168.1.10/taizhang?sslmode=require"


def test_a_saved_address_is_opened_when_nothing_else_is_given(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert resolve_url(None).endswith("hebi-desktop.sqlite")
    save_choice(ADDRESS)
    assert chosen_database() == ADDRESS
    assert resolve_url(None) == ADDRESS
    monkeypatch.setenv("HEBI_DESKTOP_DB", str(data_dir / "other.sqlite"))
    assert resolve_url(None).endswith("other.sqlite")  # the variable still wins
    save_choice("  ")
    assert not choice_file().exists()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("postgresql+psycopg://taizhang:Geheim@192.168.1.10/taizhang", "不要包含密码"),
        ("mysql://taizhang@192.168.1.10/taizhang", "postgresql+psycopg://"),
        ("192.168.1.10", "格式"),
        ("postgresql+psycopg://taizhang@/taizhang", "缺少服务器"),
    ],
)
def test_a_bad_address_is_refused_and_nothing_saved(address: str, message: str) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        save_choice(address)
    assert chosen_database() is None
