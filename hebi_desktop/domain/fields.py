"""The vocabulary every ledger declaration is written in.

A :class:`Field` says everything the rest of the program needs about one column:
its identifier, its Chinese header (the exchange contract), its kind, whether it
is required, its choice list and range, when it applies, and how wide it is.
Forms, table columns, validation, storage and Excel columns are all generated
from these declarations, the way survey tools generate screens from a form
definition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from hebi_desktop.domain.attachments import AttachmentRules
from hebi_desktop.domain.queries import Aggregate, Measure, Watch

if TYPE_CHECKING:
    from hebi_desktop.domain.printing import PrintForms
    from hebi_desktop.domain.samples import SampleMaker

Values = Mapping[str, Any]
Example = Callable[[], dict[str, Any]]
SampleFactory = Callable[["SampleMaker", int], dict[str, Any]]

# Every record belongs to a place; storage, filters, exports and statistics rely on these
# three columns (declared once in domain/place.py as PLACE_FIELDS).
PLACE_FIELD_NAMES = ("county_code", "township_code", "village")


class Kind(StrEnum):
    """How a field's value is typed, stored, edited and written to Excel."""

    TEXT = "text"
    ID_NUMBER = "id_number"  # 18-digit resident ID, stored upper-case
    PHONE = "phone"  # mobile or landline, kept as text
    INTEGER = "integer"
    DECIMAL = "decimal"  # exact, two decimals (stored as hundredths)
    MONEY = "money"  # like DECIMAL, in 元, summed in the 合计 row
    DATE = "date"
    CHOICE = "choice"
    YES_NO = "yes_no"  # 是/否, stored as a boolean
    SCHOOL_YEAR = "school_year"  # 2024-2025
    COUNTY = "county"  # a county-level division code, shown by name
    TOWNSHIP = "township"  # a township division code, shown by name


SCALED_KINDS = frozenset({Kind.DECIMAL, Kind.MONEY})
TEXT_KINDS = frozenset({Kind.TEXT, Kind.ID_NUMBER, Kind.PHONE, Kind.SCHOOL_YEAR})

YES = "是"
NO = "否"


@dataclass(frozen=True, slots=True)
class Field:
    """One column of a ledger.

    ``applies_when`` makes a field conditional (改造方式 only when 纳入改造 is 是):
    the form disables it, and validation refuses a value where it does not apply.
    ``derive`` marks a column computed from other fields (性别 from 身份证号): it is
    shown and exported but never stored or trusted on import. ``is_name`` marks the name
    of a person or a place: a value starting with ``@ = + -`` there is almost always
    pasted junk (a formula, a list bullet) and gets a 提醒, never a refusal.
    """

    name: str
    header: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    min_exclusive: bool = False
    max_this_year: bool = False
    not_future: bool = False
    max_length: int = 100
    aliases: tuple[str, ...] = ()
    applies_when: Callable[[Values], bool] | None = None
    applies_text: str = ""
    derive: Callable[[Values], Any] | None = None
    width: int = 10
    placeholder: str = ""
    is_name: bool = False

    @property
    def derived(self) -> bool:
        return self.derive is not None

    @property
    def stored(self) -> bool:
        return self.derive is None

    def applies(self, values: Values) -> bool:
        return self.applies_when is None or bool(self.applies_when(values))

    def rule_text(self) -> str:
        """A short Chinese description of the field's rule, for tooltips and help."""
        parts: list[str] = ["必填" if self.required else "选填"]
        if self.choices:
            parts.append("可选：" + "、".join(self.choices))
        if self.minimum is not None or self.maximum is not None or self.max_this_year:
            low = (
                ""
                if self.minimum is None
                else f"{'大于' if self.min_exclusive else '不小于'}{self.minimum}"
            )
            high = (
                "不晚于今年"
                if self.max_this_year
                else ("" if self.maximum is None else f"不大于{self.maximum}")
            )
            parts.append("，".join(p for p in (low, high) if p))
        if self.not_future:
            parts.append("不晚于今天")
        if self.applies_text:
            parts.append(f"仅在{self.applies_text}时填写")
        return "；".join(parts)


class Level(StrEnum):
    """Hard checks block saving; soft checks save the record and flag it."""

    ERROR = "error"
    WARNING = "warning"


LEVEL_LABELS = {Level.ERROR: "错误", Level.WARNING: "提醒"}


@dataclass(frozen=True, slots=True)
class Issue:
    """One broken rule: which field, how serious, and the Chinese message for the clerk."""

    level: Level
    field: str
    message: str
    # What kind of problem, for code that reacts to it (the form marks ``required`` fields
    # differently): ``required``, ``invalid`` for a value that does not parse or fit, or the
    # code of the cross-field rule.
    code: str = "invalid"

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR


@dataclass(frozen=True, slots=True)
class Rule:
    """A cross-field rule. ``check`` returns the Chinese message when the rule is broken.

    ``fields`` lists the fields involved; the message is shown next to the first.
    The check only runs when every involved field parsed cleanly.
    """

    code: str
    fields: tuple[str, ...]
    check: Callable[[Values], str | None]
    level: Level = Level.ERROR


@dataclass(frozen=True, eq=False)
class Ledger:
    """The single declaration of one ledger (台账).

    Compared and hashed by identity (``eq=False``): each ledger is declared once, and the
    per-ledger caches (parsers, models, converters) key on it millions of times.
    """

    key: str
    title: str
    nav_title: str
    table_name: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...]
    natural_key: tuple[str, ...]
    main_date: str
    name_field: str
    search_fields: tuple[str, ...]
    status_fields: tuple[str, ...]
    measures: tuple[Measure, ...] = ()
    breakdown: str | None = None  # a choice field the figures are also split by
    watches: tuple[Watch, ...] = ()
    order: int = 100
    # The columns that identify a row to a reader (姓名, 身份证号): kept visible while the
    # table scrolls sideways and repeated on every printed page. Empty means the name field.
    key_columns: tuple[str, ...] = ()
    # A valid record as a clerk would enter it: the record the self-test enters and the
    # fixture tests change one value of. Required (a ledger without one cannot be tested).
    example: Example | None = None
    # Draws one realistic record for ``demo`` from a seeded maker; ``index`` counts the
    # draws. Without one, ``demo`` varies the example's place, name and ID number.
    sample: SampleFactory | None = None
    # The printed roster, public notice and payment register (domain/printing.py).
    print_forms: PrintForms | None = None
    # What may be attached to a record (photos, scans) and what evidence a record needs.
    attachments: AttachmentRules = field(default_factory=AttachmentRules)
    # The fields a second person re-enters blind to verify a record (复核录入): at least
    # every ID number and amount (and a bank or 一卡通 account, when a ledger has one).
    # Empty means exactly the ID-number and money fields.
    verify_fields: tuple[str, ...] = ()
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})
        if not self.measures:  # statistics, the overview and the 汇总 sheet need a figure
            object.__setattr__(
                self, "measures", (Measure("records", "记录（条）", Aggregate.COUNT),)
            )
        if not self.key_columns:
            object.__setattr__(self, "key_columns", (self.name_field,))
        must_verify = tuple(
            f.name for f in self.fields if f.stored and f.kind in (Kind.ID_NUMBER, Kind.MONEY)
        )
        if not self.verify_fields:
            object.__setattr__(self, "verify_fields", must_verify)
        unverified = [name for name in must_verify if name not in self.verify_fields]
        if unverified:
            raise ValueError(
                f"ledger {self.key}: verify_fields must include every ID number and amount; "
                f"missing {unverified}"
            )
        referenced = [
            *self.key_columns,
            *self.natural_key,
            self.main_date,
            self.name_field,
            *self.search_fields,
            *self.status_fields,
            *([self.breakdown] if self.breakdown else []),
            *(m.field for m in self.measures if m.field),
            *(c.field for m in self.measures for c in m.conditions),
            *(c.field for w in self.watches for c in w.conditions),
            *(c.field for e in self.attachments.evidence for c in e.when),
            *self.verify_fields,
        ]
        missing = [name for name in referenced if name not in self.by_name]
        if missing:
            raise ValueError(f"ledger {self.key}: unknown fields {missing}")
        no_place = [name for name in PLACE_FIELD_NAMES if name not in self.by_name]
        if no_place:
            raise ValueError(
                f"ledger {self.key}: every ledger must include the place fields "
                f"{', '.join(PLACE_FIELD_NAMES)} (start its fields with *PLACE_FIELDS from "
                f"hebi_desktop.domain.place); missing {no_place}"
            )
        if self.field(self.main_date).kind is not Kind.DATE:
            raise ValueError(f"ledger {self.key}: main_date {self.main_date!r} is not a date")
        if self.example is None:
            raise ValueError(
                f"ledger {self.key}: declare example=, a function returning one valid record "
                "(the self-test enters it and the tests start from it)"
            )
        from hebi_desktop.domain.printing import check_forms

        if problems := check_forms(self):
            raise ValueError("; ".join(problems))

    def field(self, name: str) -> Field:
        return self.by_name[name]

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.stored)

    @property
    def money_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind is Kind.MONEY)

    @property
    def date_fields(self) -> tuple[Field, ...]:
        """The date columns; ``main_date`` is the one filters and ``--from/--to`` use."""
        return tuple(f for f in self.fields if f.kind is Kind.DATE)

    @property
    def main_date_header(self) -> str:
        return self.by_name[self.main_date].header

    def example_record(self, **changes: Any) -> dict[str, Any]:
        """A fresh copy of the example record, with ``changes`` applied."""
        assert self.example is not None  # enforced in __post_init__
        return {**self.example(), **changes}

    def draw_sample(self, make: SampleMaker, index: int) -> dict[str, Any]:
        """One realistic record for ``demo`` (the declared sample, or a varied example)."""
        if self.sample is not None:
            return self.sample(make, index)
        from hebi_desktop.domain.samples import varied_example

        return varied_example(self, make, index)

    def key_text(self, values: Values) -> str:
        """The natural key in words, for messages that name an existing record."""
        from hebi_desktop.domain.display import display_value

        return "，".join(
            f"{self.by_name[n].header}“{display_value(self.by_name[n], values.get(n))}”"
            for n in self.natural_key
        )
