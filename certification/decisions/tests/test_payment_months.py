"""The months and the money of suspension and resumption, as pure rules (issue 15)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certification.decisions.rules import (
    MAKER_MAY_NOT_APPROVE,
    back_pay_amount,
    back_pay_for,
    back_pay_months,
    checker_problem,
    exclusion_reasons,
    monthly_amount_in,
    monthly_total_in,
    months_from,
    resumption_drop_reason,
    resumption_terms,
    stop_drop_reason,
    suspension_candidate_reasons,
    suspension_drop_reason,
    suspension_starts,
)


@pytest.mark.parametrize(
    ("approved_on", "starts"),
    [
        (date(2026, 3, 10), date(2026, 4, 1)),
        (date(2026, 3, 31), date(2026, 4, 1)),
        (date(2026, 12, 15), date(2027, 1, 1)),  # year end
        (date(2028, 2, 29), date(2028, 3, 1)),  # leap day
    ],
)
def test_a_suspension_starts_in_the_next_payment_month(approved_on, starts):
    assert suspension_starts(approved_on) == starts


def test_back_pay_is_every_suspended_month():
    months = back_pay_months(suspended_from=date(2026, 4, 1), resumes_from=date(2026, 7, 1))
    assert months == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]


def test_back_pay_runs_across_the_year_end():
    months = back_pay_months(suspended_from=date(2026, 11, 1), resumes_from=date(2027, 2, 1))
    assert months == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]


def test_suspended_and_resumed_in_the_same_month_withholds_nothing():
    # approved on 10 March (suspended from April), certified on 20 March (resumes from April)
    assert back_pay_months(suspended_from=date(2026, 4, 1), resumes_from=date(2026, 4, 1)) == []


def test_an_imprisonment_stop_resumes_without_back_pay():
    assert (
        back_pay_months(suspended_from=date(2026, 1, 1), resumes_from=date(2026, 9, 1), with_back_pay=False)
        == []
    )


def test_an_amount_raised_during_the_suspension_is_back_paid_raised():
    amounts = [(date(2020, 1, 1), Decimal("3000.00")), (date(2026, 1, 1), Decimal("3150.50"))]
    months = back_pay_months(suspended_from=date(2025, 11, 1), resumes_from=date(2026, 3, 1))
    # Nov, Dec at 3000; Jan, Feb at 3150.50
    assert back_pay_amount(months, amounts=amounts) == Decimal("12301.00")


def test_a_month_before_any_known_amount_is_an_error_not_zero():
    with pytest.raises(ValueError):
        monthly_amount_in(date(2019, 12, 1), amounts=[(date(2020, 1, 1), Decimal("1"))])


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    length=st.integers(min_value=0, max_value=60),
)
def test_the_months_are_consecutive_first_days_and_as_many_as_apart(start, length):
    until = date(start.year + (start.month - 1 + length) // 12, (start.month - 1 + length) % 12 + 1, 1)
    months = months_from(start, until_before=until)
    assert len(months) == length
    assert all(month.day == 1 for month in months)
    assert all(
        (later.year * 12 + later.month) - (earlier.year * 12 + earlier.month) == 1
        for earlier, later in zip(months, months[1:], strict=False)
    )


@pytest.mark.parametrize(
    ("overdue_days", "kinds", "candidate"),
    [
        (91, {"phone_call", "home_visit"}, True),
        (90, {"phone_call", "home_visit"}, False),  # the grace period itself is not "longer than"
        (200, {"phone_call"}, False),  # one kind only, however often
        (200, set(), False),
    ],
)
def test_the_candidate_rule(overdue_days, kinds, candidate):
    today = date(2026, 12, 1)
    reasons = suspension_candidate_reasons(
        next_due_on=today - timedelta(days=overdue_days),
        today=today,
        grace_days=90,
        failed_contact_kinds=kinds,
    )
    assert (reasons is not None) is candidate


def test_each_exclusion_is_named_and_an_unknown_one_is_an_error():
    assert exclusion_reasons(open_death_case=True, certified_since=False) == ["open_death_case"]
    assert exclusion_reasons() == []
    with pytest.raises(ValueError):
        exclusion_reasons(on_holiday=True)


# ---- resumption terms, benefit lines, drops and maker-checker (pure) --------------------------------


@pytest.mark.parametrize(
    "certified_on, decided_on, resumes_from, months",
    [
        # certified and approved in March: January-March back, paid again from April
        (date(2027, 3, 20), date(2027, 3, 25), date(2027, 4, 1), 3),
        # approval in a later month: the months waiting for it were withheld too
        (date(2027, 3, 20), date(2027, 5, 2), date(2027, 6, 1), 5),
        # certified in the very month before the suspension took effect: nothing withheld
        (date(2026, 12, 28), date(2026, 12, 30), date(2027, 1, 1), 0),
        # across a year end
        (date(2028, 1, 5), date(2028, 1, 6), date(2028, 2, 1), 13),
        # a leap day
        (date(2028, 2, 29), date(2028, 2, 29), date(2028, 3, 1), 14),
    ],
)
def test_resumption_terms_after_a_suspension_from_january_2027(
    certified_on, decided_on, resumes_from, months
):
    starts, withheld = resumption_terms(
        ended_from=date(2027, 1, 1), ends_kind="suspend", certified_on=certified_on, decided_on=decided_on
    )
    assert (starts, len(withheld)) == (resumes_from, months)
    assert all(month.day == 1 for month in withheld)


def test_resumption_terms_after_a_stop_pay_nothing_back():
    starts, withheld = resumption_terms(
        ended_from=date(2027, 1, 1),
        ends_kind="stop",
        certified_on=date(2027, 9, 1),
        decided_on=date(2027, 9, 2),
    )
    assert (starts, withheld) == (date(2027, 10, 1), [])


def test_monthly_total_follows_the_lines_paid_in_each_month():
    lines = [
        (date(2010, 1, 1), date(2027, 1, 31), Decimal("2000")),  # ended in January
        (date(2027, 2, 1), None, Decimal("2100")),  # the raise from February
        (date(2015, 6, 15), None, Decimal("300")),  # a second scheme
    ]
    assert monthly_total_in(date(2027, 1, 1), lines=lines) == Decimal("2300")
    assert monthly_total_in(date(2027, 2, 1), lines=lines) == Decimal("2400")
    assert monthly_total_in(date(2009, 12, 1), lines=lines) == Decimal("0")
    months = [date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)]
    assert back_pay_for(months, lines=lines) == Decimal("7100.00")


def test_the_maker_is_never_the_checker():
    assert checker_problem(maker_id=7, checker_id=7) == MAKER_MAY_NOT_APPROVE
    assert checker_problem(maker_id=7, checker_id=8) is None


@pytest.mark.parametrize(
    "status, due, proposed, failed, exclusions, reason",
    [
        ("active", date(2026, 6, 1), date(2026, 6, 1), 2, [], ""),
        ("suspended", date(2026, 6, 1), date(2026, 6, 1), 2, [], "status_changed"),
        ("active", date(2027, 8, 1), date(2026, 6, 1), 2, [], "deadline_moved"),
        ("active", date(2026, 6, 1), date(2026, 6, 1), 1, [], "contact_rule"),
        ("active", date(2026, 6, 1), date(2026, 6, 1), 2, ["open_death_case"], "open_death_case"),
        ("active", date(2026, 10, 1), date(2026, 10, 1), 2, [], "within_grace"),
    ],
)
def test_why_a_suspension_is_dropped_at_approval(status, due, proposed, failed, exclusions, reason):
    assert (
        suspension_drop_reason(
            status=status,
            next_due_on=due,
            proposed_deadline=proposed,
            today=date(2026, 12, 1),
            grace_days=90,
            failed_kind_count=failed,
            exclusions=exclusions,
        )
        == reason
    )


def test_why_a_resumption_or_a_stop_is_dropped():
    assert resumption_drop_reason(status="suspended", death_reported=False, certification_voided=False) == ""
    assert resumption_drop_reason(status="stopped", death_reported=False, certification_voided=False) == ""
    assert resumption_drop_reason(status="suspended", death_reported=False, certification_voided=True) == (
        "certification_voided"
    )
    assert resumption_drop_reason(status="active", death_reported=False, certification_voided=False) == (
        "status_changed"
    )
    assert stop_drop_reason(status="terminated", death_reported=False) == "status_changed"
    assert stop_drop_reason(status="active", death_reported=True) == "death_reported"
