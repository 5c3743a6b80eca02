"""The deadline engine (domain.md, "The period and the deadline"): worked values and properties."""

from datetime import date, timedelta

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from portal.deadlines import (
    CALENDAR_YEAR,
    CURRENT,
    DAYS_365,
    DUE_SOON,
    OVERDUE,
    deadline_after,
    deadline_sql,
    deadline_state,
    next_deadline,
)


@pytest.mark.parametrize(
    ("certified", "deadline"),
    [
        (date(2023, 10, 7), date(2024, 10, 6)),  # the article's SMS
        (date(2023, 3, 1), date(2024, 2, 29)),
        (date(2024, 2, 29), date(2025, 2, 28)),
    ],
)
def test_worked_values_of_the_365_day_rule(certified, deadline):
    assert deadline_after(certified, rule=DAYS_365) == deadline


@pytest.mark.parametrize(
    ("certified", "deadline"),
    [
        (date(2023, 10, 7), date(2024, 10, 7)),
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2023, 3, 1), date(2024, 3, 1)),
    ],
)
def test_calendar_year_rule_when_selected(certified, deadline):
    assert deadline_after(certified, rule=CALENDAR_YEAR) == deadline


def test_the_setting_chooses_the_rule(settings):
    settings.CERTIFICATION_RULE = CALENDAR_YEAR
    assert deadline_after(date(2023, 10, 7)) == date(2024, 10, 7)


def test_first_deadline_runs_from_the_first_benefit_date():
    assert next_deadline(first_benefit_date=date(2025, 12, 1), certified_dates=[]) == (
        None,
        date(2026, 12, 1),
    )


@given(st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)), min_size=1, max_size=8))
def test_the_deadline_follows_the_latest_certification_whatever_the_order(dates):
    latest, deadline = next_deadline(
        first_benefit_date=date(1999, 1, 1), certified_dates=dates, rule=DAYS_365
    )
    assert latest == max(dates)
    assert deadline == max(dates) + timedelta(days=365)


@given(
    st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)), min_size=1, max_size=8),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
)
def test_a_back_dated_certification_never_moves_the_deadline_earlier(dates, back_dated):
    before = next_deadline(first_benefit_date=None, certified_dates=dates, rule=DAYS_365)[1]
    after = next_deadline(first_benefit_date=None, certified_dates=[*dates, back_dated], rule=DAYS_365)[1]
    assert after >= before


@pytest.mark.parametrize(
    ("days_left", "state"),
    [(31, CURRENT), (30, DUE_SOON), (1, DUE_SOON), (0, DUE_SOON), (-1, OVERDUE), (-400, OVERDUE)],
)
def test_state_boundaries(days_left, state):
    today = date(2026, 11, 27)
    assert deadline_state(today + timedelta(days=days_left), today, due_soon_days=30) == state


def test_certifying_on_the_deadline_day_is_on_time():
    deadline = deadline_after(date(2023, 10, 7), rule=DAYS_365)
    assert deadline_state(deadline, deadline, due_soon_days=30) != OVERDUE


def test_the_due_soon_window_is_a_setting(settings):
    settings.DUE_SOON_DAYS = 10
    today = date(2026, 11, 27)
    assert deadline_state(today + timedelta(days=11), today) == CURRENT
    assert deadline_state(today + timedelta(days=10), today) == DUE_SOON


@pytest.mark.parametrize("rule", [DAYS_365, CALENDAR_YEAR])
@pytest.mark.parametrize("day", [date(2023, 10, 7), date(2023, 3, 1), date(2024, 2, 29), date(2024, 12, 31)])
def test_the_sql_rule_agrees_with_the_python_rule(db, rule, day):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {deadline_sql('%s::date', rule=rule)}", [day])
        assert cursor.fetchone()[0] == deadline_after(day, rule=rule)
