"""The work queues (due soon, overdue, my queue): what is in them, their filters, counts and table.

"Overdue" and "due soon" are the CertificationState QuerySet verbs; the reminders job and the reports
use the same verbs, so a number on a report is the length of a queue.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models.functions import Left

from certification.queues.rules import (
    AGING_BUCKETS,
    deadline_range_for_bucket,
    deadline_range_for_days_left,
    due_buckets,
)
from portal.counting import AtLeast, capped_count, is_capped

OVERDUE_QUEUE = "overdue"
DUE_SOON_QUEUE = "due_soon"
MY_QUEUE = "mine"


def queue_rows(base, kind: str, today, *, user=None, include_snoozed: bool = False):
    """The people in a queue, from an already scoped CertificationState QuerySet."""
    if kind == OVERDUE_QUEUE:
        rows = base.overdue(today)
    elif kind == DUE_SOON_QUEUE:
        rows = base.due_within(today, settings.DUE_SOON_DAYS)
    else:  # my queue: what is assigned to me, overdue or due soon
        rows = base.workable().filter(
            assigned_to=user, next_due_on__lte=today + timedelta(days=settings.DUE_SOON_DAYS)
        )
    return rows if include_snoozed else rows.not_snoozed(today)


def overdue_bucket_counts(rows, today, *, district: str = "") -> dict[str, int]:
    """How many people are in each aging bucket, each counted up to the cap (portal.counting): a city's
    two million overdue people are "10,000+", counted in milliseconds, not read one by one.
    `district`: the six digits of the district the rows are already limited to, if they are (in_district)."""
    counts = {}
    for code, _label, _first, _last in AGING_BUCKETS:
        earliest, latest = deadline_range_for_bucket(code, today)
        counts[code] = capped_count(_deadline_between(in_district(rows, district), earliest, latest))
    return counts


def in_district(rows, district: str):
    """The rows again, also said to be in `district` (six digits; "" says nothing): the scope has
    already limited them to it or to an area inside it, so nothing changes but the index a count can use
    (pensioners' state_district_deadline)."""
    if len(district) != 6:
        return rows
    return rows.alias(district=Left("area_code", 6)).filter(district=district)


def _deadline_between(rows, earliest, latest):
    rows = rows.filter(next_due_on__lte=latest)
    return rows.filter(next_due_on__gte=earliest) if earliest else rows


def capped_total(counts) -> int:
    """The sum of counts, itself "at least" if any of them reached its cap."""
    total = sum(counts)
    return AtLeast(total) if any(is_capped(count) for count in counts) else total


def queue_due_buckets(kind: str) -> list[tuple[str, str, int | None, int]]:
    """The summary buckets of the due-soon queue and of my queue (which also holds overdue people)."""
    return due_buckets(
        week=settings.REMINDER_FINAL_DAYS_BEFORE,
        window=settings.DUE_SOON_DAYS,
        include_overdue=kind == MY_QUEUE,
    )


def due_bucket_counts(rows, today, kind: str, *, district: str = "") -> dict[str, int]:
    """How many people are in each due bucket, with the same ranges as the filter, each up to the cap."""
    counts = {}
    for code, _label, fewest, most in queue_due_buckets(kind):
        earliest, latest = deadline_range_for_days_left(fewest, most, today)
        counts[code] = capped_count(_deadline_between(in_district(rows, district), earliest, latest))
    return counts
