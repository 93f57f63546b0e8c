"""What a ledger prints on paper: the roster, the public notice and the payment register.

A ledger declares its forms next to its fields (``Ledger.print_forms``) so that a clerk
never has to decide which columns may be posted on a village notice board: the notice
shows only the fields declared public, ID numbers masked or left out as declared, and
:func:`check_forms` refuses a declaration that would post a phone number, an address, a
birth date or a bank card. No Qt here; the renderer lives in :mod:`hebi_desktop.printing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hebi_desktop.domain.fields import Ledger


class Form(StrEnum):
    """The printed forms; the values are the CLI's ``--form`` words."""

    ROSTER = "roster"
    NOTICE = "notice"
    REGISTER = "register"
    ARCHIVE = "archive"  # 一户一档: each record's fields, then its photos


FORM_TITLES = {
    Form.ROSTER: "台账花名册",
    Form.NOTICE: "公示名单",
    Form.REGISTER: "发放登记表",
    Form.ARCHIVE: "一户一档",
}


class IdPolicy(StrEnum):
    """How a public notice shows ID numbers: masked (410622********123X) or not at all."""

    MASKED = "masked"
    OMITTED = "omitted"


@dataclass(frozen=True, slots=True)
class Column:
    """One printed column: a field, how wide (in half-width characters), a header override.

    ``width`` 0 takes the width from the field's kind and declaration.
    """

    field: str
    width: int = 0
    header: str = ""


ColumnSpec = str | Column


def column(spec: ColumnSpec) -> Column:
    return spec if isinstance(spec, Column) else Column(spec)


@dataclass(frozen=True, slots=True)
class Register:
    """A payment register (发放登记表/签领表): who receives how much for what.

    ``only_paid`` leaves out records without an amount (a housing check with no subsidy
    is not a payment). ``card`` names the 一卡通/社保卡 number field, when a ledger has one.
    """

    amount: str
    item: str
    title: str = "资金发放登记表"
    recipient_header: str = "领取人"
    item_header: str = ""
    extra: tuple[ColumnSpec, ...] = ()
    card: str | None = None
    only_paid: bool = True


@dataclass(frozen=True, slots=True)
class PrintForms:
    """A ledger's printed forms.

    ``roster`` lists the columns of the 花名册 in order (序号 is added). ``notice`` lists
    the fields that may be posted publicly; ``notice_ids`` says whether the ID number is
    shown masked (placed after the name) or omitted. ``register`` is set for ledgers that
    record payments.
    """

    roster: tuple[ColumnSpec, ...]
    notice: tuple[ColumnSpec, ...]
    notice_ids: IdPolicy = IdPolicy.MASKED
    notice_title: str = ""
    register: Register | None = None
    count_unit: str = "条"  # what one row is counted as in 合计: 条, 处, 人次

    def columns(self, form: Form) -> tuple[Column, ...]:
        if form is Form.ROSTER:
            return tuple(column(c) for c in self.roster)
        if form is Form.NOTICE:
            return tuple(column(c) for c in self.notice)
        raise ValueError(form)

    def has(self, form: Form) -> bool:
        """The roster, notice and archive always; the register when declared."""
        return form is not Form.REGISTER or self.register is not None


# Headers that never go on a notice board, whatever a declaration says.
PRIVATE_WORDS = ("地址", "住址", "出生", "电话", "手机", "银行", "卡号", "一卡通", "社保卡")


def check_forms(ledger: Ledger) -> list[str]:
    """What is wrong with a ledger's print declaration (empty when it is sound)."""
    from hebi_desktop.domain.fields import Kind

    forms = ledger.print_forms
    if forms is None:
        return []
    problems: list[str] = []
    specs: list[ColumnSpec] = [*forms.roster, *forms.notice]
    if forms.register is not None:
        specs.extend(forms.register.extra)
        names = [forms.register.amount, forms.register.item, forms.register.card]
        specs.extend(n for n in names if n)
    for spec in specs:
        if column(spec).field not in ledger.by_name:
            problems.append(f"{ledger.key}: unknown print field {column(spec).field}")
    for spec in forms.notice:
        field = ledger.by_name.get(column(spec).field)
        if field is None:
            continue
        if field.kind in (Kind.PHONE, Kind.ID_NUMBER):
            problems.append(f"{ledger.key}: {field.name} may not be listed on a notice")
        if any(word in field.header for word in PRIVATE_WORDS):
            problems.append(f"{ledger.key}: {field.name} ({field.header}) is private")
    if forms.register is not None:
        amount = ledger.by_name.get(forms.register.amount)
        if amount is not None and amount.kind is not Kind.MONEY:
            problems.append(f"{ledger.key}: register amount {amount.name} is not money")
    return problems
