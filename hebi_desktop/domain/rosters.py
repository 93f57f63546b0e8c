"""The county's reference rosters (比对名单), declared once like the ledgers.

A roster is a list of people the civil-affairs, rural-revitalisation or disabled persons'
bureau keeps (低保, 特困, 脱贫人口...). Ledgers claim a household belongs to one of these
groups (户类别, 家庭类别); the roster checks compare the claim with the roster. Each
:class:`RosterKind` says which ledger categories claim it, so the checks and the import
are generated from this one table, and a new kind is one more entry here.

The roster's own columns are declared as :class:`Field` s, so the record import's header
matching (aliases, full-width brackets, two-row headers) reads a roster sheet too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from hebi_desktop.domain.fields import Field, Kind


@dataclass(frozen=True, slots=True)
class RosterKind:
    """One kind of roster and what the ledgers' category fields call it."""

    key: str  # as typed on the command line: dibao
    name: str  # 农村低保
    aliases: tuple[str, ...] = ()
    # 户类别 values of the housing ledger that claim the household is on this roster
    housing_categories: tuple[str, ...] = ()
    # 家庭类别 values of the education ledger that claim the family is on this roster
    education_categories: tuple[str, ...] = ()
    # 重点对象: a C/D house of a household on this roster must be taken into renovation
    key_group: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.key, self.name, *self.aliases)


ROSTER_KINDS: tuple[RosterKind, ...] = (
    RosterKind(
        "dibao",
        "农村低保",
        ("低保", "农村低保户", "农村最低生活保障"),
        housing_categories=("农村低保户",),
        education_categories=("农村低保户",),
        key_group=True,
    ),
    RosterKind(
        "tekun",
        "特困供养",
        ("特困", "特困人员", "农村特困供养", "农村分散供养特困人员"),
        housing_categories=("农村分散供养特困人员",),
        education_categories=("农村特困供养",),
        key_group=True,
    ),
    RosterKind(
        "dibao-edge",
        "低保边缘",
        ("低保边缘家庭",),
        housing_categories=("低保边缘家庭",),
        key_group=True,
    ),
    RosterKind(
        "monitored",
        "防止返贫监测对象",
        ("监测对象", "防返贫监测对象"),
        housing_categories=("防止返贫监测对象",),
        education_categories=("防止返贫监测对象",),
        key_group=True,
    ),
    RosterKind(
        "tuopin",
        "脱贫户",
        ("脱贫人口", "脱贫户（脱贫人口）"),
        housing_categories=("脱贫户",),
        education_categories=("脱贫户",),
        key_group=True,
    ),
    RosterKind("disabled", "残疾人", ("残疾", "残疾人员"), education_categories=("残疾学生",)),
    RosterKind(
        "orphan",
        "孤儿/事实无人抚养儿童",
        ("孤儿", "事实无人抚养儿童", "孤儿和事实无人抚养儿童"),
        education_categories=("孤儿", "事实无人抚养儿童"),
    ),
)

_BY_NAME = {name: kind for kind in ROSTER_KINDS for name in kind.names}


class UnknownRosterKind(KeyError):
    def __str__(self) -> str:
        listed = "、".join(f"{k.key}（{k.name}）" for k in ROSTER_KINDS)
        return f"没有名为“{self.args[0]}”的名单类别（可选：{listed}）"


def roster_kind(name: str) -> RosterKind:
    """The kind named by its key or any of its Chinese names."""
    found = _BY_NAME.get(name.strip())
    if found is None:
        raise UnknownRosterKind(name)
    return found


# A person whose status says one of these no longer belongs on the roster.
ENDED_WORDS = ("死亡", "去世", "身故", "注销", "停保", "退出", "取消", "终止", "停发", "销户")
HEAD_RELATIONS = frozenset({"户主", "本人", "本人（户主）", "户主本人"})


def is_ended(status: str | None) -> bool:
    """死亡、注销… in a roster's status column: the person should receive nothing."""
    return bool(status) and any(word in str(status) for word in ENDED_WORDS)


def is_head(relation: str | None) -> bool:
    return bool(relation) and str(relation).strip() in HEAD_RELATIONS


ROSTER_FIELDS: tuple[Field, ...] = (
    Field(
        "id_number",
        "身份证号",
        Kind.ID_NUMBER,
        required=True,
        aliases=(
            "身份证号码",
            "公民身份号码",
            "证件号码",
            "成员身份证号",
            "成员身份证号码",
            "人员身份证号",
            "身份证",
        ),
    ),
    Field(
        "name",
        "姓名",
        Kind.TEXT,
        required=True,
        max_length=40,
        aliases=("成员姓名", "人员姓名", "保障对象姓名", "救助对象姓名"),
    ),
    Field("head_name", "户主姓名", Kind.TEXT, max_length=40, aliases=("户主",)),
    Field(
        "head_id_number",
        "户主身份证号",
        Kind.ID_NUMBER,
        aliases=("户主身份证号码", "户主公民身份号码", "户主证件号码"),
    ),
    Field(
        "relation",
        "与户主关系",
        Kind.TEXT,
        max_length=20,
        aliases=("关系", "家庭关系", "与户主的关系"),
    ),
    Field(
        "status",
        "人员状态",
        Kind.TEXT,
        max_length=40,
        aliases=("状态", "保障状态", "救助状态", "享受状态", "人员状况", "是否死亡或注销"),
    ),
)


class RosterForm:
    """A roster sheet's columns, shaped like a ledger for the header matcher."""

    title = "比对名单"
    nav_title = "名单"
    fields: tuple[Field, ...] = ROSTER_FIELDS
    stored_fields: tuple[Field, ...] = ROSTER_FIELDS
    by_name: ClassVar[dict[str, Field]] = {f.name: f for f in ROSTER_FIELDS}

    def field(self, name: str) -> Field:
        return self.by_name[name]


ROSTER_FORM = RosterForm()
