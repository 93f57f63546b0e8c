"""The roster rules: what a ledger record claims, compared with the county's rosters.

Each rule is declared with its Chinese explanation and checks one record against the
rosters in force on the record's date (its main date; today when it has none) for the
record's area. Rules give hints for a person to look at, never refusals: a roster can be
late, and the clerk may know better. A rule about a kind of roster says nothing while no
roster of that kind covers the record (nothing to compare with).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Protocol

from hebi_desktop.domain.fields import Kind, Ledger, Values
from hebi_desktop.domain.ledgers.housing import DANGEROUS_GRADES
from hebi_desktop.domain.rosters import ROSTER_KINDS, RosterKind


@dataclass(frozen=True, slots=True)
class OnRoster:
    """A person found on a roster: how the roster is named, and the person's status."""

    roster: str  # 农村低保名单（淇县，截至2024-06-30）
    ended: bool
    status: str | None


class RosterView(Protocol):
    """One roster version as the rules see it."""

    @property
    def label(self) -> str: ...

    def find(self, id_number: str) -> OnRoster | None: ...


class RosterLookup(Protocol):
    """The rosters of a kind covering a record's place, in force on a day."""

    def covering(self, kind: str, values: Values, day: dt.date) -> Sequence[RosterView]: ...


Check = Callable[[Ledger, Values, RosterLookup], "str | None"]


@dataclass(frozen=True, slots=True)
class RosterRule:
    code: str
    label: str  # short, for lists and the report's 类别 column
    explanation: str  # why the rule exists, shown with the hint
    ledgers: tuple[str, ...]  # the ledgers it reads; empty: every ledger with an ID and money
    check: Check


def record_day(ledger: Ledger, values: Values) -> dt.date:
    day = values.get(ledger.main_date)
    return day if isinstance(day, dt.date) else dt.date.today()


@cache
def _id_fields(ledger: Ledger) -> tuple[str, ...]:
    return tuple(f.name for f in ledger.fields if f.kind is Kind.ID_NUMBER)


@cache
def _money_fields(ledger: Ledger) -> tuple[str, ...]:
    return tuple(f.name for f in ledger.money_fields)


def _person_ids(ledger: Ledger, values: Values) -> list[str]:
    """The ID numbers of the people a record is about (student, guardian, household head)."""
    return [number for name in _id_fields(ledger) if (number := values.get(name))]


def _first_found(rosters: Sequence[RosterView], ids: Sequence[str]) -> OnRoster | None:
    for roster in rosters:
        for number in ids:
            found = roster.find(number)
            if found is not None:
                return found
    return None


def _labels(rosters: Sequence[RosterView]) -> str:
    return "、".join(r.label for r in rosters)


def _claimed(
    category: object, field_kinds: Callable[[RosterKind], tuple[str, ...]]
) -> RosterKind | None:
    for kind in ROSTER_KINDS:
        if category in field_kinds(kind):
            return kind
    return None


def _category_not_on_roster(
    field: str, field_kinds: Callable[[RosterKind], tuple[str, ...]], who: str
) -> Check:
    def check(ledger: Ledger, values: Values, lookup: RosterLookup) -> str | None:
        category = values.get(field)
        kind = _claimed(category, field_kinds)
        if kind is None:
            return None
        rosters = lookup.covering(kind.key, values, record_day(ledger, values))
        if not rosters or _first_found(rosters, _person_ids(ledger, values)) is not None:
            return None
        header = ledger.field(field).header
        return f"{header}为“{category}”，但{who}不在{_labels(rosters)}中"

    return check


def _key_group_not_renovated(ledger: Ledger, values: Values, lookup: RosterLookup) -> str | None:
    if (
        values.get("safety_grade") not in DANGEROUS_GRADES
        or values.get("in_renovation") is not False
    ):
        return None
    day = record_day(ledger, values)
    ids = _person_ids(ledger, values)
    for kind in ROSTER_KINDS:
        if not kind.key_group:
            continue
        found = _first_found(lookup.covering(kind.key, values, day), ids)
        if found is not None and not found.ended:
            return f"{values['safety_grade']}房屋的户主在{found.roster}中（重点对象），但未纳入改造"
    return None


def _money(ledger: Ledger, values: Values) -> Decimal:
    total = Decimal(0)
    for name in _money_fields(ledger):
        value = values.get(name)
        if isinstance(value, Decimal | int):
            total += value
    return total


def _ended_still_paid(ledger: Ledger, values: Values, lookup: RosterLookup) -> str | None:
    amount = _money(ledger, values)
    if amount <= 0:
        return None
    ids = _person_ids(ledger, values)
    if not ids:
        return None
    day = record_day(ledger, values)
    for kind in ROSTER_KINDS:
        for roster in lookup.covering(kind.key, values, day):
            for number in ids:
                found = roster.find(number)
                if found is not None and found.ended:
                    return f"在{found.roster}中标为“{found.status}”，仍有发放金额 {amount:,.2f} 元"
    return None


ROSTER_RULES: tuple[RosterRule, ...] = (
    RosterRule(
        "housing_category",
        "户类别与比对名单不符",
        "户类别写的是低保、特困、低保边缘、监测对象或脱贫户，户主就应在该类名单上"
        "（按排查日期当时的名单）；不在名单上的，可能是户类别填错，也可能名单已退出，请核实。",
        ("housing",),
        _category_not_on_roster("household_category", lambda k: k.housing_categories, "户主"),
    ),
    RosterRule(
        "key_group_not_renovated",
        "重点对象C/D级房屋未纳入改造",
        "低保、特困、低保边缘、监测对象和脱贫户是农村危房改造的重点对象；"
        "其C级、D级房屋应纳入改造，未纳入的请核实原因。",
        ("housing",),
        _key_group_not_renovated,
    ),
    RosterRule(
        "education_category",
        "家庭类别与比对名单不符",
        "家庭类别写的是脱贫户、监测对象、低保、特困、孤儿或残疾等，学生（或其监护人）"
        "就应在该类名单上，名单列出家庭成员的也按成员核对；不在名单上的请核实资助资格。",
        ("education",),
        _category_not_on_roster("family_category", lambda k: k.education_categories, "学生"),
    ),
    RosterRule(
        "ended_still_paid",
        "名单上已死亡或注销仍在发放",
        "名单的状态列写明死亡、注销、停保等的人，不应再领取补助或资助；请核实是否应停发。",
        (),
        _ended_still_paid,
    ),
)


def rules_for(ledger: Ledger) -> tuple[RosterRule, ...]:
    """The roster rules that read ``ledger``."""
    has_ids = any(f.kind is Kind.ID_NUMBER for f in ledger.fields)
    return tuple(
        rule
        for rule in ROSTER_RULES
        if ledger.key in rule.ledgers or (not rule.ledgers and has_ids and ledger.money_fields)
    )


def roster_rule(code: str) -> RosterRule:
    for rule in ROSTER_RULES:
        if rule.code == code:
            return rule
    raise KeyError(code)
