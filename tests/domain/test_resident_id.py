"""Resident ID numbers (GB 11643): normalising, the check digit, birth date and area code."""

from __future__ import annotations

import datetime as dt

import pytest

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.resident_id import IdNumberError


def check_digit(body: str) -> str:
    """GB 11643 check digit, computed here independently of the code under test."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    return "10X98765432"[total % 11]


def number(area: str = "410622", born: str = "19800101", sequence: str = "003") -> str:
    body = area + born + sequence
    return body + check_digit(body)


def with_x() -> str:
    """A valid number whose check digit is X."""
    for sequence in range(1000):
        candidate = number(sequence=f"{sequence:03d}")
        if candidate.endswith("X"):
            return candidate
    raise AssertionError("no X number")


def test_valid_number_is_returned_unchanged() -> None:
    value = number()
    assert resident_id.validate(value) == value
    assert resident_id.is_valid(value)


@pytest.mark.parametrize(
    "typed",
    [
        "{n}",
        "{low}",
        "  {low}  ",
        "\t{low}\n",
        "{full}",
        "{n6} {n8} {n4}",
        "{n6}\u3000{n8}\u3000{low4}",
    ],
)
def test_lower_case_x_spaces_and_full_width_are_accepted_and_stored_upper_case(
    typed: str,
) -> None:
    n = with_x()
    full = "".join(chr(ord(c) + 0xFEE0) for c in n[:17]) + "ｘ"
    raw = typed.format(
        n=n,
        low=n.lower(),
        full=full,
        n6=n[:6],
        n8=n[6:14],
        n4=n[14:],
        low4=n[14:].lower(),
    )
    assert resident_id.validate(raw) == n


def test_wrong_check_digit_names_the_expected_digit() -> None:
    good = number()
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    with pytest.raises(IdNumberError, match=f"校验位错误.*第18位应为{good[17]}"):
        resident_id.validate(wrong)
    assert not resident_id.is_valid(wrong)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("41062219800101", "应为18位，实际为14位"),
        ("4106221980010100311", "应为18位，实际为19位"),
        ("41062219800101A03X", "前17位须为数字"),
        ("41062219800101003Y", "最后一位为数字或X"),
        ("", "应为18位，实际为0位"),
    ],
)
def test_malformed_numbers_are_refused_with_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(IdNumberError, match=reason):
        resident_id.validate(raw)


def test_impossible_birth_date_is_refused_even_with_a_correct_check_digit() -> None:
    with pytest.raises(IdNumberError, match="第7至14位不是有效的出生日期"):
        resident_id.validate(number(born="19800230"))


def test_birth_in_the_future_or_before_1900_is_refused() -> None:
    with pytest.raises(IdNumberError, match="出生日期不合理"):
        resident_id.validate(number(born="20300101"), today=dt.date(2026, 1, 1))
    with pytest.raises(IdNumberError, match="出生日期不合理"):
        resident_id.validate(number(born="18991231"))
    # born today is still a valid number
    assert resident_id.validate(number(born="20260101"), today=dt.date(2026, 1, 1))


def test_unknown_area_code_is_refused() -> None:
    with pytest.raises(IdNumberError, match="前6位地区码“999999”不存在"):
        resident_id.validate(number(area="999999"))


def test_area_code_younger_than_the_person_is_accepted() -> None:
    # 淇县's code 410622 dates from 1986; a farmer born in 1950 there still carries it.
    assert resident_id.is_valid(number(area="410622", born="19500315"))


def test_gender_birth_date_and_age() -> None:
    man = number(born="19560308", sequence="031")  # 17th digit 1: odd
    woman = number(born="19560308", sequence="032")
    assert resident_id.gender(man) == "男"
    assert resident_id.gender(woman) == "女"
    assert resident_id.gender("4106") is None
    assert resident_id.birth_date(man) == dt.date(1956, 3, 8)
    assert resident_id.birth_date("41062219561308003X") is None
    assert resident_id.age_on(man, dt.date(2024, 3, 7)) == 67  # the day before the birthday
    assert resident_id.age_on(man, dt.date(2024, 3, 8)) == 68
    assert resident_id.age_on("bad", dt.date(2024, 3, 8)) is None


def test_mask_keeps_area_code_and_last_four() -> None:
    n = with_x()
    assert resident_id.mask(n) == n[:6] + "********" + n[-4:]
    assert resident_id.mask("12345") == "*****"


def test_make_builds_valid_numbers() -> None:
    made = resident_id.make("410621", dt.date(2012, 9, 15), 1042)
    assert made[:17] == "41062120120915042"
    assert made[17] == check_digit(made[:17])
    assert resident_id.is_valid(made)
