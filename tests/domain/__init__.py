"""Tests of the ledger declarations, value parsers and rules (no database)."""

from __future__ import annotations

from hebi_desktop.domain.fields import Issue, Ledger, Level
from hebi_desktop.domain.validation import Checked


def issue_on(ledger: Ledger, checked: Checked, field: str, level: Level = Level.ERROR) -> Issue:
    """The one issue of ``level`` on ``field``; its message must name the field in Chinese."""
    found = [i for i in checked.issues if i.field == field and i.level is level]
    assert len(found) == 1, f"expected one {level} on {field}, got {checked.issues}"
    issue = found[0]
    assert issue.message.startswith(ledger.field(field).header + "："), issue.message
    return issue
