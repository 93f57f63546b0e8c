"""A record a finding or a hint points at: enough to list it and open it.

Shared by the county's cross-checks and the roster checks, so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from hebi_desktop.domain.divisions import divisions


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A record a finding points at, enough to show it in a list and open it."""

    ledger: str
    record_id: int
    township_code: str
    village: str
    name: str
    id_number: str | None

    @property
    def township_name(self) -> str:
        return divisions().name(self.township_code)
