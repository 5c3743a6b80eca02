"""GB 11643-1999 resident ID numbers: the check values of domain.md and properties over many numbers."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pensioners.rules import (
    IdNumberError,
    check_character,
    is_valid_id_number,
    normalise_id_text,
    normalise_phone,
    parse_id_number,
    upgrade_legacy_number,
)

TODAY = date(2026, 11, 27)


def test_female_born_1949_with_x_check_is_valid():
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed.gender == "F"
    assert parsed.birth_date == date(1949, 12, 31)


def test_shenzhen_number_is_valid():
    assert is_valid_id_number("440308199901101512", today=TODAY)


def test_wrong_check_character_is_rejected():
    with pytest.raises(IdNumberError, match="校验码"):
        parse_id_number("440308199901101513", today=TODAY)


def test_impossible_date_is_rejected():
    with pytest.raises(IdNumberError, match="出生日期不存在"):
        parse_id_number("440308199902301512", today=TODAY)


def test_birth_date_in_the_future_is_rejected():
    first = "50010320300101001"
    with pytest.raises(IdNumberError, match="不早于今天"):
        parse_id_number(first + check_character(first), today=TODAY)


def test_lower_case_x_is_normalised_to_upper_case():
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_full_width_digits_and_spaces_are_normalised():
    assert normalise_id_text(" １１０１０５１９４９１２３１００２ｘ　") == "11010519491231002X"
    assert is_valid_id_number("１１０１０５１９４９１２３１００２Ｘ", today=TODAY)


def test_legacy_fifteen_digit_number_is_upgraded_and_kept():
    parsed = parse_id_number("510104560101041", today=TODAY)
    assert parsed.number == "510104195601010411"[:17] + check_character("51010419560101041")
    assert parsed.legacy_number == "510104560101041"
    assert parsed.birth_date == date(1956, 1, 1)
    assert parsed.gender == "M"


def test_sample_legacy_number_upgrades_to_a_valid_eighteen_digit_number():
    assert is_valid_id_number(upgrade_legacy_number("510104560101041"), today=TODAY)


@pytest.mark.parametrize("text", ["", "12345", "5001031947021410291", "50010319470214102A", "abc"])
def test_malformed_numbers_are_rejected(text):
    assert not is_valid_id_number(text, today=TODAY)


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))
areas = st.from_regex(r"\A[1-9][0-9]{5}\Z")  # any code at all, abolished or never issued
sequences = st.integers(min_value=0, max_value=999)


def build(area: str, born: date, sequence: int) -> str:
    first = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first + check_character(first)


@given(area=areas, born=birth_dates, sequence=sequences)
def test_any_area_code_is_accepted_when_the_rest_is_right(area, born, sequence):
    parsed = parse_id_number(build(area, born, sequence), today=TODAY)
    assert parsed.birth_date == born
    assert parsed.gender == ("M" if sequence % 2 else "F")


@given(area=areas, born=birth_dates, sequence=sequences, position=st.integers(0, 16), delta=st.integers(1, 9))
def test_changing_any_single_digit_breaks_the_check(area, born, sequence, position, delta):
    number = build(area, born, sequence)
    digits = list(number)
    digits[position] = str((int(digits[position]) + delta) % 10)
    changed = "".join(digits)
    try:
        parsed = parse_id_number(changed, today=TODAY)
    except IdNumberError:
        return
    raise AssertionError(f"{changed} passed as {parsed}")


@given(
    area=areas, born=st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), sequence=sequences
)
def test_every_legacy_number_upgrades_to_a_valid_number_with_the_same_person(area, born, sequence):
    legacy = f"{area}{born:%y%m%d}{sequence:03d}"
    parsed = parse_id_number(legacy, today=TODAY)
    assert parsed.number[6:14] == f"{born:%Y%m%d}"
    assert parsed.legacy_number == legacy
    assert is_valid_id_number(parsed.number, today=TODAY)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("023-63851234", "02363851234"),
        ("138 0000 0001", "13800000001"),
        ("+1 416 555 0100", "+14165550100"),
        ("", ""),
    ],
)
def test_phone_numbers_keep_only_their_digits(typed, stored):
    assert normalise_phone(typed) == stored
