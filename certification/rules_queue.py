"""Queue rules as pure functions: aging buckets and snoozing."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

# Overdue aging buckets: (code, label, first day overdue, last day overdue or None).
AGING_BUCKETS = (
    ("1-30", _("1-30 days"), 1, 30),
    ("31-90", _("31-90 days"), 31, 90),
    ("90+", _("over 90 days"), 91, None),
)
MAX_SNOOZE_DAYS = 90


def aging_bucket(days_overdue: int) -> str | None:
    for code, _label, first, last in AGING_BUCKETS:
        if days_overdue >= first and (last is None or days_overdue <= last):
            return code
    return None


def deadline_range_for_bucket(code: str, today: date) -> tuple[date | None, date]:
    """(earliest deadline or None, latest deadline) of people in an aging bucket today."""
    for bucket, _label, first, last in AGING_BUCKETS:
        if bucket == code:
            earliest = today - timedelta(days=last) if last is not None else None
            return earliest, today - timedelta(days=first)
    raise ValueError(code)


def snooze_problems(*, snooze_until: date | None, reason: str, today: date) -> list[str]:
    if snooze_until is None:
        return []
    problems = []
    if snooze_until <= today:
        problems.append(_("Hide until a date after today."))
    if snooze_until > today + timedelta(days=MAX_SNOOZE_DAYS):
        problems.append(_("Hide for at most %(days)s days.") % {"days": MAX_SNOOZE_DAYS})
    if not (reason or "").strip():
        problems.append(_("Say why this person is hidden from the queue."))
    return problems
