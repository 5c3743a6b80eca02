"""Payment months: pure arithmetic for suspension, resumption and termination (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """Whole months from `first`'s month to `last`'s month, both included (0 if last is before first)."""
    count = (last.year - first.year) * 12 + (last.month - first.month) + 1
    return max(0, count)


def resumption(*, suspended_from: date, certified_on: date) -> tuple[date, int]:
    """(month payment resumes, months of back pay) after a suspended person certifies.

    Payment resumes from the month after the certification, with back pay for every suspended month
    (人社部发〔2015〕32号 Art. 49): from the first unpaid month through the month of certification.
    """
    return next_month(certified_on), months_between(
        first_of_month(suspended_from), first_of_month(certified_on)
    )


def termination(*, died_on: date, paid_through: date) -> tuple[date, int]:
    """(month payment stops, months overpaid) after a confirmed death.

    Payment stops from the month after the month of death; months paid after that are an overpayment
    to recover (《社会保险经办条例》 Art. 46).
    """
    stops_from = next_month(died_on)
    return stops_from, months_between(
        stops_from, first_of_month(paid_through)
    ) if paid_through >= stops_from else 0


def amount_for(months: int, monthly_total: Decimal) -> Decimal:
    return (monthly_total * months).quantize(Decimal("0.01"))


# ---- suspension and resumption (issue 15): the months and the money -----------------------------------


def suspension_starts(approved_on: date) -> date:
    """Payment is suspended from the next payment month after the approval (this month is already paid)."""
    return next_month(approved_on)


def months_from(first: date, *, until_before: date) -> list[date]:
    """The first days of every month from `first`'s month up to, not including, `until_before`'s month."""
    months = []
    month = first_of_month(first)
    stop = first_of_month(until_before)
    while month < stop:
        months.append(month)
        month = next_month(month)
    return months


def back_pay_months(*, suspended_from: date, resumes_from: date, with_back_pay: bool = True) -> list[date]:
    """The months withheld while suspended, paid back on resumption (人社部发〔2015〕32号 Art. 49).

    Suspended from April and resumed from July: April, May and June. A resumption that takes effect in or
    before the month the suspension would have started withheld nothing. An imprisonment stop resumes
    without back pay (`with_back_pay=False`): none.
    """
    if not with_back_pay:
        return []
    return months_from(suspended_from, until_before=resumes_from)


def monthly_amount_in(month: date, *, amounts: list[tuple[date, Decimal]]) -> Decimal:
    """The monthly amount due in `month`: the latest change effective on or before it. `amounts` are
    (effective month, amount) pairs; an amount raised while someone was suspended is back-paid raised."""
    due = None
    for effective, amount in sorted(amounts):
        if first_of_month(effective) <= first_of_month(month):
            due = amount
    if due is None:
        raise ValueError(f"no monthly amount is known for {month:%Y-%m}")
    return due


def back_pay_amount(months: list[date], *, amounts: list[tuple[date, Decimal]]) -> Decimal:
    total = sum((monthly_amount_in(month, amounts=amounts) for month in months), Decimal("0"))
    return total.quantize(Decimal("0.01"))


def suspension_candidate_reasons(
    *, next_due_on: date, today: date, grace_days: int, failed_contact_kinds: set[str]
) -> list[str] | None:
    """Why someone is a suspension candidate (domain.md: overdue longer than the grace period AND at least
    two failed contact attempts of different kinds), or None when they are not."""
    overdue_days = (today - next_due_on).days
    if overdue_days <= grace_days or len(failed_contact_kinds) < 2:
        return None
    return [
        _("overdue %(days)d days (grace period %(grace)d)") % {"days": overdue_days, "grace": grace_days},
        _("contact failed by %(kinds)s") % {"kinds": "、".join(sorted(failed_contact_kinds))},
    ]


EXCLUSIONS = (
    "open_death_case",
    "home_visit_open",
    "snoozed_with_reason",
    "certified_since",
    "contact_changed_since_failure",
    "consular_form_in_the_post",
)


def exclusion_reasons(**facts: bool) -> list[str]:
    """Which of the exclusions (issue 15) hold for a candidate: any one keeps them out of a batch."""
    unknown = set(facts) - set(EXCLUSIONS)
    if unknown:
        raise ValueError(f"unknown exclusions: {sorted(unknown)}")
    return [name for name in EXCLUSIONS if facts.get(name)]
