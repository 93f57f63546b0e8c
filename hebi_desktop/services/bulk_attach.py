"""Bulk attach: match a folder of photos, named the way villages name them, to records.

Villages name files by ID number or by 户主姓名, with a kind word and a counter
(``410622…_改造后.jpg``, ``张三-改造前(2).jpg``), often in a folder per village or per
household. Each file's name and its folders are read for an ID number, a name and a
kind word; a file matches when exactly one household does. The proposal lists what
matched, what could not be matched and what matched several households; only on
confirmation are the matched files attached, all in one transaction.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from hebi_desktop.domain.fields import Kind, Ledger
from hebi_desktop.services.attachments import NewAttachment, Progress
from hebi_desktop.services.photos import ACCEPTED_SUFFIXES
from hebi_desktop.storage.models import record_model

if TYPE_CHECKING:
    from hebi_desktop.services.book import Book

ID_PATTERN = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A record a file may belong to, as the proposal names it."""

    record_id: int
    name: str
    village: str
    id_tail: str  # the last four characters of the ID number, if the ledger has one


@dataclass(frozen=True, slots=True)
class Match:
    path: Path
    relative: str  # the path below the chosen folder, as shown
    kind: str
    candidate: Candidate
    kind_guessed: bool = False  # no kind word in the name: the ledger's default kind


@dataclass(frozen=True, slots=True)
class Ambiguous:
    relative: str
    candidates: tuple[Candidate, ...]


@dataclass
class Proposal:
    folder: Path
    matches: list[Match] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    ambiguous: list[Ambiguous] = field(default_factory=list)

    def items(self) -> list[NewAttachment]:
        return [NewAttachment(m.candidate.record_id, m.path, m.kind, "") for m in self.matches]


def _households(
    book: Book, ledger: Ledger
) -> tuple[dict[str, Candidate], dict[str, list[Candidate]]]:
    """Live records by ID number (the newest per ID) and by name (one per household)."""
    table = record_model(ledger).__table__
    c = table.c
    id_field = next((f.name for f in ledger.fields if f.kind is Kind.ID_NUMBER), None)
    columns = [c.id, c[ledger.name_field], c.village, c[ledger.main_date]]
    if id_field:
        columns.append(c[id_field])
    by_id: dict[str, tuple[object, Candidate]] = {}
    by_name: dict[str, dict[str, tuple[object, Candidate]]] = defaultdict(dict)
    with book.reading() as connection:
        rows = connection.execute(select(*columns).where(c.deleted_at.is_(None)).order_by(c.id))
        for row in rows:
            record_id, name, village, main_date = row[0], row[1] or "", row[2] or "", row[3]
            number = (row[4] or "") if id_field else ""
            candidate = Candidate(record_id, name, village, number[-4:])
            # One household per ID number; without one, per name and village.
            household = number or f"{village}/{name}"
            when = (main_date is not None, str(main_date), record_id)
            if number and (number not in by_id or by_id[number][0] < when):  # type: ignore[operator]
                by_id[number] = (when, candidate)
            if name:
                kept = by_name[name].get(household)
                if kept is None or kept[0] < when:  # type: ignore[operator]
                    by_name[name][household] = (when, candidate)
    return (
        {number: pair[1] for number, pair in by_id.items()},
        {name: [pair[1] for pair in found.values()] for name, found in by_name.items()},
    )


def _names_in(text: str, names: dict[str, list[Candidate]]) -> list[str]:
    """Household names occurring in ``text``, longest first, a name inside a longer found
    name (张三 in 张三丰) left out."""
    found = sorted((n for n in names if n and n in text), key=len, reverse=True)
    kept: list[str] = []
    for name in found:
        if not any(name in longer for longer in kept):
            kept.append(name)
    return kept


def propose(book: Book, ledger: Ledger, folder: Path) -> Proposal:
    """Read ``folder`` (and its subfolders) and match every photo, scan or PDF."""
    by_id, by_name = _households(book, ledger)
    rules = ledger.attachments
    proposal = Proposal(folder)
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in ACCEPTED_SUFFIXES and not p.name.startswith(".")
    )
    for path in files:
        relative = path.relative_to(folder).as_posix()
        parts = [*path.relative_to(folder).parent.parts, path.stem]
        text = "/".join(parts)
        kind = rules.kind_in(path.stem) or rules.kind_in(text)
        candidates: list[Candidate]
        ids = {m.group(0).upper() for m in ID_PATTERN.finditer(text)}
        if ids:
            candidates = [by_id[i] for i in sorted(ids) if i in by_id]
        else:
            names = (
                _names_in(path.stem, by_name)
                or [n for part in reversed(parts[:-1]) for n in _names_in(part, by_name)][:1]
            )
            candidates = [c for n in names for c in by_name[n]]
            villages = {part for part in parts[:-1]}
            in_village = [c for c in candidates if c.village and c.village in villages]
            if len(candidates) > 1 and in_village:
                candidates = in_village
        if not candidates:
            proposal.unmatched.append(relative)
        elif len(candidates) > 1:
            proposal.ambiguous.append(Ambiguous(relative, tuple(candidates)))
        else:
            proposal.matches.append(
                Match(path, relative, kind or rules.default_kind, candidates[0], kind is None)
            )
    return proposal


def attach_proposal(
    book: Book, ledger: Ledger, proposal: Proposal, progress: Progress | None = None
) -> int:
    """Attach every matched file, all or nothing; the number attached."""
    items = proposal.items()
    if not items:
        return 0
    return len(book.attachments(ledger).attach_many(items, progress=progress))
