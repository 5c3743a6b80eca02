"""Payment months: pure arithmetic for suspension, resumption and termination (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


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


def monthly_total_in(month: date, *, lines: list[tuple[date, date | None, Decimal]]) -> Decimal:
    """What the benefit lines paid together in `month`: every line that had started by that month and not
    ended before it. A raise recorded as a new line while someone was suspended is back-paid raised."""
    first = first_of_month(month)
    total = Decimal("0")
    for started, ended, amount in lines:
        if first_of_month(started) <= first and (ended is None or first_of_month(ended) >= first):
            total += amount or Decimal("0")
    return total


def back_pay_for(months: list[date], *, lines: list[tuple[date, date | None, Decimal]]) -> Decimal:
    return sum((monthly_total_in(month, lines=lines) for month in months), Decimal("0")).quantize(
        Decimal("0.01")
    )


MAKER_MAY_NOT_APPROVE = "maker_may_not_approve"


def checker_problem(*, maker_id: int, checker_id: int) -> str | None:
    """Maker-checker: the person who proposed a decision that moves money never approves it."""
    return MAKER_MAY_NOT_APPROVE if maker_id == checker_id else None


def extension_problems(*, due_from: date, due_until: date, days: int, max_days: int) -> list[str]:
    problems = []
    if due_until < due_from:
        problems.append(_("The window ends before it starts."))
    if not 1 <= days <= max_days:
        problems.append(_("Extend by 1 to %(max)d days.") % {"max": max_days})
    if (due_until - due_from).days > 366:
        problems.append(_("The window may span at most a year."))
    return problems


# Why a batch drops someone at approval (the rule re-checked), beside the exclusions' own names.
DROP_STATUS_CHANGED = "status_changed"
DROP_DEADLINE_MOVED = "deadline_moved"
DROP_WITHIN_GRACE = "within_grace"
DROP_CONTACT_RULE = "contact_rule"
DROP_CERTIFICATION_VOIDED = "certification_voided"
DROP_DEATH_REPORTED = "death_reported"


def suspension_drop_reason(
    *,
    status: str,
    next_due_on: date,
    proposed_deadline: date | None,
    today: date,
    grace_days: int,
    failed_kind_count: int,
    exclusions: list[str],
) -> str:
    """Why a proposed suspension no longer holds at approval ("" when it still does). The checks run in
    this order, so the reason named is the first that applies."""
    if status != "active":
        return DROP_STATUS_CHANGED
    if proposed_deadline is not None and next_due_on != proposed_deadline:
        return DROP_DEADLINE_MOVED  # certified since, or the deadline was extended
    if (today - next_due_on).days <= grace_days:
        return DROP_WITHIN_GRACE
    if failed_kind_count < 2:
        return DROP_CONTACT_RULE
    return exclusions[0] if exclusions else ""


def resumption_drop_reason(*, status: str, death_reported: bool, certification_voided: bool) -> str:
    """Why a proposed resumption no longer holds at approval ("" when it still does)."""
    if certification_voided:
        return DROP_CERTIFICATION_VOIDED
    if death_reported:
        return DROP_DEATH_REPORTED
    if status not in ("suspended", "stopped"):
        return DROP_STATUS_CHANGED
    return ""


def stop_drop_reason(*, status: str, death_reported: bool) -> str:
    if death_reported:
        return DROP_DEATH_REPORTED
    if status not in ("active", "suspended"):
        return DROP_STATUS_CHANGED
    return ""


def resumption_terms(
    *, ended_from: date, ends_kind: str, certified_on: date, decided_on: date
) -> tuple[date, list[date]]:
    """(month payment resumes, months paid back) when a resumption is decided on `decided_on`.

    Payment resumes from the month after the certification, or after the approval when that comes in a
    later month (the months waiting for approval were not paid either). Every month withheld is paid back
    after a suspension (人社部发〔2015〕32号 Art. 49); none after an imprisonment stop.
    """
    resumes_from = next_month(max(certified_on, decided_on))
    months = back_pay_months(
        suspended_from=ended_from, resumes_from=resumes_from, with_back_pay=ends_kind == "suspend"
    )
    return resumes_from, months


# What staff read for each exclusion and each reason a batch dropped someone.
EXCLUSION_LABELS = {
    "open_death_case": gettext_lazy("open death case"),
    "home_visit_open": gettext_lazy("home visit requested or scheduled"),
    "snoozed_with_reason": gettext_lazy("hospitalised or snoozed with a reason"),
    "certified_since": gettext_lazy("certified since"),
    "contact_changed_since_failure": gettext_lazy("contact details changed since the last failed attempt"),
    "consular_form_in_the_post": gettext_lazy("abroad, consular form in the post"),
    "staff_excluded": gettext_lazy("excluded by staff"),
    "already_proposed": gettext_lazy("already in a batch awaiting approval"),
}
DROP_LABELS = {
    **EXCLUSION_LABELS,
    DROP_STATUS_CHANGED: gettext_lazy("payment status changed"),
    DROP_DEADLINE_MOVED: gettext_lazy("deadline moved (certified or extended since)"),
    DROP_WITHIN_GRACE: gettext_lazy("no longer overdue beyond the grace period"),
    DROP_CONTACT_RULE: gettext_lazy("fewer than two kinds of failed contact"),
    DROP_CERTIFICATION_VOIDED: gettext_lazy("the certification was voided"),
    DROP_DEATH_REPORTED: gettext_lazy("death reported"),
}
