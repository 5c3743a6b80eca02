"""The certification deadline: pure functions, shared by the registry (first deadlines) and certification.

`deadline = latest successful certification + 365 days` (certifying on the deadline day is on time).
The alternative rule, chosen by the CERTIFICATION_RULE setting, is one calendar year (29 Feb -> 28 Feb).
State is computed from the stored deadline and today; nothing flips a flag when a day passes.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings

DAYS_365 = "days_365"
CALENDAR_YEAR = "calendar_year"

CURRENT = "current"
DUE_SOON = "due_soon"
OVERDUE = "overdue"


def deadline_after(certified_on: date, *, rule: str | None = None) -> date:
    """The last day on which the next certification is still on time."""
    rule = rule or settings.CERTIFICATION_RULE
    if rule == DAYS_365:
        return certified_on + timedelta(days=365)
    if rule == CALENDAR_YEAR:
        try:
            return certified_on.replace(year=certified_on.year + 1)
        except ValueError:  # 29 February in a leap year
            return certified_on.replace(year=certified_on.year + 1, day=28)
    raise ValueError(f"unknown certification rule {rule!r}")


def deadline_sql(column: str, *, rule: str | None = None) -> str:
    """The same rule as a PostgreSQL expression, for set-based updates over millions of rows.

    PostgreSQL's `date + interval '1 year'` clamps 29 Feb to 28 Feb exactly like `deadline_after`.
    """
    rule = rule or settings.CERTIFICATION_RULE
    if rule == DAYS_365:
        return f"({column} + 365)"
    if rule == CALENDAR_YEAR:
        return f"(({column} + interval '1 year')::date)"
    raise ValueError(f"unknown certification rule {rule!r}")


def first_deadline(first_benefit_date: date, *, rule: str | None = None) -> date:
    """A new pensioner is in scope from the first payment; the first period runs from that date."""
    return deadline_after(first_benefit_date, rule=rule)


def next_deadline(
    *, first_benefit_date: date | None, certified_dates, rule: str | None = None
) -> tuple[date | None, date | None]:
    """(latest certification, deadline) from every successful certification date known.

    Back-dated or repeated dates never move the deadline earlier: only the latest counts.
    """
    dates = [day for day in certified_dates if day is not None]
    latest = max(dates) if dates else None
    if latest is not None:
        return latest, deadline_after(latest, rule=rule)
    if first_benefit_date is not None:
        return None, first_deadline(first_benefit_date, rule=rule)
    return None, None


def deadline_state(deadline: date, today: date, *, due_soon_days: int | None = None) -> str:
    """current (more than N days left), due_soon (0..N days left, inclusive), overdue (after the deadline)."""
    window = settings.DUE_SOON_DAYS if due_soon_days is None else due_soon_days
    days_left = (deadline - today).days
    if days_left < 0:
        return OVERDUE
    if days_left <= window:
        return DUE_SOON
    return CURRENT


def days_overdue(deadline: date, today: date) -> int:
    return max(0, (today - deadline).days)


def due_soon_until(today: date) -> date:
    """The last deadline that is still "due soon" today."""
    return today + timedelta(days=settings.DUE_SOON_DAYS)
