"""Queue rules as pure functions: aging buckets, due buckets, snoozing, and what each contact outcome needs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

# Overdue aging buckets: (code, label, first day overdue, last day overdue or None).
AGING_BUCKETS = (
    ("1-30", _("1-30 days"), 1, 30),
    ("31-90", _("31-90 days"), 31, 90),
    ("90+", _("over 90 days"), 91, None),
)
MAX_SNOOZE_DAYS = 90
# How far back a contact attempt may be dated: late logging happens, invented history should not.
MAX_CONTACT_AGE_DAYS = 90

OVERDUE_BUCKET = "overdue"
THIS_WEEK_BUCKET = "this_week"
LATER_BUCKET = "later"


def due_buckets(*, week: int, window: int, include_overdue: bool) -> list[tuple[str, str, int | None, int]]:
    """The summary buckets of the due-soon queue and of "my queue": (code, label, fewest days left or
    None, most days left). Each label names exactly the days it counts: my queue also holds overdue
    people, and they are counted as overdue, never as "due within 7 days"."""
    buckets = []
    if include_overdue:
        buckets.append((OVERDUE_BUCKET, str(_("Overdue")), None, -1))
    buckets.append(
        (THIS_WEEK_BUCKET, str(_("Due in 0-%(last)s days") % {"last": week}), 0, week),
    )
    buckets.append(
        (
            LATER_BUCKET,
            str(_("Due in %(first)s-%(last)s days") % {"first": week + 1, "last": window}),
            week + 1,
            window,
        ),
    )
    return buckets


def deadline_range_for_days_left(fewest: int | None, most: int, today: date) -> tuple[date | None, date]:
    """(earliest deadline or None, latest deadline) of people with fewest..most days left today."""
    earliest = today + timedelta(days=fewest) if fewest is not None else None
    return earliest, today + timedelta(days=most)


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


def snooze_problems(*, snooze_until: date | None, reason: str, today: date) -> list[tuple[str, str]]:
    """What is wrong with hiding a person from the queue, each with its form field."""
    if snooze_until is None:
        return []
    problems = []
    if snooze_until <= today:
        problems.append(("snooze_until", _("Hide until a date after today.")))
    if snooze_until > today + timedelta(days=MAX_SNOOZE_DAYS):
        problems.append(("snooze_until", _("Hide for at most %(days)s days.") % {"days": MAX_SNOOZE_DAYS}))
    if not (reason or "").strip():
        problems.append(("snooze_reason", _("Say why this person is hidden from the queue.")))
    return problems


# What each contact outcome needs besides kind, time and note. A field not listed for an outcome is not
# shown on the form and is dropped if sent anyway: a death date typed before the outcome was changed to
# "not reachable" must not open a death case.
OUTCOME_FIELDS = {
    "will_certify": ("snooze_until", "snooze_reason"),
    "needs_home_visit": ("visit_reason", "snooze_until", "snooze_reason"),
    "not_reachable": (),
    "wrong_number": (),
    "moved_away": ("moved_to", "snooze_until", "snooze_reason"),
    "reported_dead": ("died_on",),
    "refused": (),
    "form_posted": ("snooze_until", "snooze_reason"),
}
OPTIONAL_OUTCOME_FIELDS = ("moved_to", "visit_reason", "died_on", "snooze_until", "snooze_reason")


def fields_for_outcome(outcome: str) -> tuple[str, ...]:
    return OUTCOME_FIELDS.get(outcome, ())


def contacted_at_problems(*, contacted_at: datetime, now: datetime) -> list[str]:
    """A contact cannot be dated in the future (a minute of clock drift allowed) nor long ago."""
    problems = []
    if contacted_at > now + timedelta(minutes=1):
        problems.append(_("The contact cannot be in the future."))
    elif contacted_at < now - timedelta(days=MAX_CONTACT_AGE_DAYS):
        problems.append(
            _("A contact more than %(days)s days ago cannot be logged.") % {"days": MAX_CONTACT_AGE_DAYS}
        )
    return problems


def contact_problems(
    *, outcome: str, contacted_at: datetime, now: datetime, today: date, contacted_on: date,
    moved_to: str = "", visit_reason: str = "", died_on: date | None = None,
    snooze_until: date | None = None, snooze_reason: str = "",
) -> list[tuple[str, str]]:  # fmt: skip
    """Everything wrong with a contact attempt, each with the form field it belongs to. The form shows
    them beside its fields and the service refuses with the same list, so the two never disagree.
    `today` and `contacted_on` are Chongqing days (the caller's timezone.localdate)."""
    problems = [
        ("contacted_at", problem) for problem in contacted_at_problems(contacted_at=contacted_at, now=now)
    ]
    if outcome == "moved_away" and not (moved_to or "").strip():
        problems.append(("moved_to", _("Say where the person moved to.")))
    if outcome == "needs_home_visit" and not visit_reason:
        problems.append(("visit_reason", _("Choose the reason for the home visit.")))
    problems += snooze_problems(snooze_until=snooze_until, reason=snooze_reason, today=today)
    if died_on is not None and died_on > today:
        problems.append(("died_on", _("The date of death cannot be in the future.")))
    elif died_on is not None and died_on > contacted_on:
        problems.append(("died_on", _("The date of death cannot be after the contact.")))
    return problems
