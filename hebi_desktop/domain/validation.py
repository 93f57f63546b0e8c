"""Checking a whole record against its ledger: field rules, then cross-field rules.

Two levels, as in survey data-entry systems: an error blocks saving; a warning
is saved, and the record is flagged so it shows up in the list of things to
look at. The same :class:`Validator` serves the form (on every keystroke), the
command line and the importer (100,000 rows), so it is built once per ledger
and keeps its per-field parsers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any

from hebi_desktop.domain.fields import Issue, Kind, Ledger, Level
from hebi_desktop.domain.values import Parser, ValueProblem, make_parser, stored_parser

# ``Issue.code`` of the problems the validator itself finds (rules carry their own codes).
REQUIRED = "required"
NOT_APPLICABLE = "not_applicable"


@dataclass(slots=True)
class Checked:
    """Typed values of every stored field and the issues found."""

    values: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level is Level.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level is Level.WARNING]

    @property
    def ok(self) -> bool:
        return not any(i.level is Level.ERROR for i in self.issues)

    def messages_for(self, field_name: str) -> list[Issue]:
        return [i for i in self.issues if i.field == field_name]


# Fields whose values differ on every row (a memory of them would only grow), and how many
# values per field and type a batch validator remembers.
UNIQUE_KINDS = frozenset({Kind.ID_NUMBER, Kind.PHONE})
MEMO_LIMIT = 4096


# A name (of a person, a village, a project) starting with one of these was pasted, not
# typed: spreadsheet programs read such text as a formula.
PASTED_JUNK_STARTS = frozenset("@=+-")
PASTED_JUNK = "pasted_junk"


class Validator:
    """Validates records of one ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._fields = ledger.stored_fields
        self._parsers: list[tuple[str, str, Parser]] = [
            (f.name, f.header, make_parser(f)) for f in self._fields
        ]
        self._stored_parsers: list[tuple[str, str, Parser]] = [
            (f.name, f.header, stored_parser(f)) for f in self._fields
        ]
        self._conditional = [
            (f, f.applies_when) for f in self._fields if f.applies_when is not None
        ]
        # Precomputed once: the importer runs check() 100,000 times.
        self._required = [(f.name, f.header) for f in self._fields if f.required]
        # all required values at once: one C call tells the usual row (none missing) apart
        self._required_values = _values_of([n for n, _h in self._required])
        self._rules = [(rule, frozenset(rule.fields)) for rule in ledger.rules]
        # the ledger's name field is a name even where a declaration forgot to say so
        self._names = [
            (f.name, f.header) for f in self._fields if f.is_name or f.name == ledger.name_field
        ]

    def check(self, raw: Mapping[str, Any]) -> Checked:
        return self._check(raw, self._parsers)

    def check_stored(self, stored: Mapping[str, Any]) -> Checked:
        """:meth:`check` for values read back from the database (``hebi-desktop check``).

        Typed values skip the parsing their type makes needless; every rule still runs and
        the issues are the same as :meth:`check` would find.
        """
        return self._check(stored, self._stored_parsers)

    def _check(self, raw: Mapping[str, Any], parsers: list[tuple[str, str, Parser]]) -> Checked:
        values: dict[str, Any] = {}
        issues: list[Issue] = []
        bad: set[str] = set()
        get = raw.get
        for name, header, parse in parsers:
            value = get(name)
            if value is None or (type(value) is str and not value.strip()):
                values[name] = None
                continue
            try:
                values[name] = parse(value)
            except ValueProblem as problem:
                values[name] = None
                bad.add(name)
                issues.append(Issue(Level.ERROR, name, f"{header}：{problem}"))
        return self._across(values, issues, bad)

    def _across(self, values: dict[str, Any], issues: list[Issue], bad: set[str]) -> Checked:
        """The checks after each field's own: applicability, required, rules, names."""
        conditional_off: set[str] = set()
        for f, applies in self._conditional:
            if not applies(values):
                conditional_off.add(f.name)
                if values[f.name] is not None:
                    issues.append(
                        Issue(
                            Level.ERROR,
                            f.name,
                            f"{f.header}：仅在{f.applies_text}时填写，现在应为空",
                            NOT_APPLICABLE,
                        )
                    )
                    bad.add(f.name)
        missing = None in self._required_values(values)
        for name, header in self._required if missing else ():
            if values[name] is None and name not in bad and name not in conditional_off:
                issues.append(Issue(Level.ERROR, name, f"{header}：必填，不能为空", REQUIRED))
                bad.add(name)
        for rule, involved in self._rules:
            if bad and not bad.isdisjoint(involved):
                continue
            message = rule.check(values)
            if message:
                issues.append(Issue(rule.level, rule.fields[0], message, rule.code))
        for name, header in self._names:
            value = values[name]
            if value and value[0] in PASTED_JUNK_STARTS:
                issues.append(
                    Issue(
                        Level.WARNING,
                        name,
                        f"{header}：以“{value[0]}”开头，常是从表格或网页粘贴来的公式或杂字，请核实",
                        PASTED_JUNK,
                    )
                )
        return Checked(values, issues)

    def cell_checker(self, columns: Sequence[SheetColumn]) -> CellChecker:
        """A checker of spreadsheet rows laid out in ``columns``, for one import or one
        collected file (see :class:`CellChecker`)."""
        return CellChecker(self, columns)


# Where a field sits in a sheet's rows: (cell index, field name, cleaning before parsing or
# None). The cleaning is the importer's (full-width letters, 万元); it must give the same
# result for the same cell every time.
SheetColumn = tuple[int, str, Callable[[Any], Any] | None]
_Memo = dict[Any, Any]  # a text cell, or (type, cell) → what it came to
_UNSEEN = object()


class CellChecker:
    """:meth:`Validator.check` of spreadsheet rows given as their cells, as a sheet holds them.

    A sheet repeats its townships, villages, choices and dates on every row, so each column
    remembers what a cell (of the same type) came to after cleaning and parsing: one lookup
    instead of building a mapping, cleaning, then parsing, for 100,000 rows. Only what parses
    is remembered, never a problem; each column at most ``MEMO_LIMIT`` cells, none for ID
    numbers and phones (they differ on every row). The issues and values are those
    :meth:`Validator.check` finds for the cleaned mapping of the same row; a test compares
    them.
    """

    def __init__(self, validator: Validator, columns: Sequence[SheetColumn]) -> None:
        self._validator = validator
        where = {name: (index, clean) for index, name, clean in columns}
        self.width = max((index for index, _n, _c in columns), default=-1) + 1
        # every field's value starts as None (in the validator's order); only the fields
        # the sheet has a column for are looked at, in that same order
        self._blank: dict[str, Any] = {name: None for name, _h, _p in validator._parsers}
        self._plan: list[tuple[int, str, str, Callable[[Any], Any] | None, Parser, _Memo | None]]
        self._plan = []
        for (name, header, parse), f in zip(validator._parsers, validator._fields, strict=True):
            if name not in where:
                continue
            index, clean = where[name]
            memo: _Memo | None = None if f.kind in UNIQUE_KINDS else {}
            self._plan.append((index, name, header, clean, parse, memo))
        self._present = sorted(index for index, _n, _c in columns)

    def check(self, cells: Sequence[Any]) -> Checked | None:
        """The checked row; None for a row without a value, or only spaces, in its columns."""
        if len(cells) < self.width:
            cells = [*cells, *([None] * (self.width - len(cells)))]
        values = self._blank.copy()
        issues: list[Issue] = []
        bad: set[str] = set()
        filled = False
        for index, name, header, clean, parse, memo in self._plan:
            cell = cells[index]
            if cell is None or cell == "":
                continue
            filled = True
            if memo is not None:
                # text cells are remembered by themselves; others with their type, since
                # 1, 1.0 and True are equal keys but not the same cell
                key = cell if type(cell) is str else (type(cell), cell)
                seen = memo.get(key, _UNSEEN)
                if seen is not _UNSEEN:
                    values[name] = seen
                    continue
            value = cell if clean is None else clean(cell)
            if value is None or (type(value) is str and not value.strip()):
                parsed = None
            else:
                try:
                    parsed = parse(value)
                except ValueProblem as problem:
                    bad.add(name)
                    issues.append(Issue(Level.ERROR, name, f"{header}：{problem}"))
                    continue
            values[name] = parsed
            if memo is not None and len(memo) < MEMO_LIMIT:
                memo[key] = parsed
        if not filled:
            return None
        checked = self._validator._across(values, issues, bad)
        if not checked.ok and self._only_spaces(cells):
            return None  # a row of spaces is an empty row
        return checked

    def _only_spaces(self, cells: Sequence[Any]) -> bool:
        for index in self._present:
            cell = cells[index]
            if cell is None or cell == "":
                continue
            if type(cell) is not str or cell.strip():
                return False
        return True


def _values_of(names: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A function giving the values of ``names`` as a tuple, however many names."""
    if len(names) > 1:
        return itemgetter(*names)
    return lambda values: tuple(values[name] for name in names)


@cache
def validator_for(ledger: Ledger) -> Validator:
    return Validator(ledger)


def check_record(ledger: Ledger, raw: Mapping[str, Any]) -> Checked:
    return validator_for(ledger).check(raw)
