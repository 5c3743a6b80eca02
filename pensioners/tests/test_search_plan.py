"""What the one search box makes of what staff type (pure, no database)."""

from datetime import date

import pytest

from pensioners.search import (
    DIGITS_SUFFIX,
    ID_FULL,
    ID_SUFFIX,
    INITIALS,
    NAME,
    NOTHING,
    PHONE_FULL,
    PINYIN,
    UNRECOGNISED,
    plan_search,
    reads_as_pinyin,
)

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("typed", "kinds", "value"),
    [
        ("", (NOTHING,), ""),
        ("500103194702141029", (ID_FULL,), "500103194702141029"),
        ("11010519491231002x", (ID_FULL,), "11010519491231002X"),
        (" 1101 0519 4912 3100 2X ", (ID_FULL,), "11010519491231002X"),
        ("510104560101041", (ID_FULL,), None),  # legacy: looked up by its upgraded number
        ("13800000001", (PHONE_FULL,), "13800000001"),
        ("023-63851234", (PHONE_FULL,), "02363851234"),
        ("1029", (DIGITS_SUFFIX,), "1029"),
        ("41029", (ID_SUFFIX,), "41029"),
        ("141029", (ID_SUFFIX,), "141029"),
        ("002x", (ID_SUFFIX,), "002X"),
        ("马桂英", (NAME,), "马桂英"),
        ("马", (NAME,), "马"),
        ("欧阳", (NAME,), "欧阳"),
        ("wangjianguo", (PINYIN,), "wangjianguo"),
        ("WangJian", (PINYIN,), "wangjian"),
        ("wjg", (INITIALS,), "wjg"),
        ("li", (PINYIN, INITIALS), "li"),
        ("!!", (UNRECOGNISED,), "!!"),
    ],
)
def test_each_shape_of_query_gets_its_reading(typed, kinds, value):
    plan = plan_search(typed, today=TODAY)
    assert plan.kinds == kinds
    if value is not None:
        assert plan.value == value


def test_legacy_number_carries_both_numbers():
    plan = plan_search("510104560101041", today=TODAY)
    assert plan.value.startswith("51010419560101041")
    assert plan.extra_values["legacy"] == "510104560101041"


def test_an_impossible_id_number_is_still_looked_up_but_explained():
    plan = plan_search("440308199901101513", today=TODAY)
    assert plan.kinds == (ID_FULL,)
    assert "校验码" in plan.hint


@pytest.mark.parametrize(
    ("letters", "expected"),
    [("wang", True), ("wangj", True), ("xiaoming", True), ("wjg", False), ("ly", False), ("zh", True)],
)
def test_pinyin_reading(letters, expected):
    assert reads_as_pinyin(letters) is expected
