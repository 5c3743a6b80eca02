"""Payment months: pure arithmetic for suspension, resumption and termination (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


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
