"""Reads for decisions that move money: who is a suspension candidate, why, and what keeps them out.

One query answers the list screen, the proposal and the re-check at approval, so the three can never
disagree. It is set-based over the narrow state table: overdue beyond the grace period first (the queue
index's range), then per person the failed contact kinds and each exclusion as a subquery.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from certification.decisions.rules import EXCLUSIONS
from certification.models import (
    FAILED_CONTACT_OUTCOMES,
    OPEN_VISIT_STATUSES,
    Certification,
    ContactAttempt,
    ContactOutcome,
    DecisionKind,
    DecisionStatus,
    HomeVisit,
    PaymentDecision,
    SuspensionExclusion,
)
from pensioners.models import BenefitLine, CertificationState, PaymentStatus

# Every exclusion the list shows, in the order a reason is named: the rule's six, then the two the
# portal adds (a staff member's exclusion, and a batch already waiting for approval).
STAFF_EXCLUDED = "staff_excluded"
ALREADY_PROPOSED = "already_proposed"
ALL_EXCLUSIONS = (*EXCLUSIONS, STAFF_EXCLUDED, ALREADY_PROPOSED)


class ArrayLength(Func):
    function = "cardinality"
    output_field = IntegerField()


def chase_started(deadline_field: str = "next_due_on"):
    """Contact attempts count for a deadline from the day its first reminder goes out."""
    return ExpressionWrapper(
        F(deadline_field) - timedelta(days=settings.REMINDER_FIRST_DAYS_BEFORE), output_field=DateTimeField()
    )


def flag(condition: Q):
    """A yes/no column that is never NULL (a comparison with a missing date is "no")."""
    return Coalesce(ExpressionWrapper(condition, output_field=BooleanField()), Value(False))


def monthly_total_subquery():
    """The person's monthly pension now: every benefit line still paid."""
    lines = (
        BenefitLine.objects.filter(pensioner_id=OuterRef("pensioner_id"), ended_on__isnull=True)
        .order_by()
        .values("pensioner_id")
        .annotate(total=Sum("monthly_amount"))
        .values("total")
    )
    return Coalesce(Subquery(lines), Value(0), output_field=DecimalField(max_digits=12, decimal_places=2))


def with_suspension_facts(states, *, today: date):
    """Annotate states with what the candidate rule and the exclusions need."""
    attempts_for_this_deadline = ContactAttempt.objects.filter(
        pensioner_id=OuterRef("pensioner_id"),
        contacted_at__gte=OuterRef("chase_from"),
    ).order_by()
    failed = attempts_for_this_deadline.filter(outcome__in=FAILED_CONTACT_OUTCOMES)
    failed_kinds = (
        failed.values("pensioner_id")
        .annotate(kinds=ArrayAgg("kind", distinct=True, order_by="kind"))
        .values("kinds")
    )
    last_failed = failed.values("pensioner_id").annotate(last=Max("contacted_at")).values("last")
    return (
        states.annotate(chase_from=chase_started())
        .annotate(
            failed_kinds=Coalesce(
                Subquery(failed_kinds, output_field=ArrayField(CharField())),
                Value([], output_field=ArrayField(CharField())),
            ),
            last_failed_at=Subquery(last_failed, output_field=DateTimeField()),
            monthly_total=monthly_total_subquery(),
        )
        .annotate(
            failed_kind_count=ArrayLength("failed_kinds"),
            x_open_death_case=F("death_reported"),
            x_home_visit_open=Exists(
                HomeVisit.objects.filter(
                    pensioner_id=OuterRef("pensioner_id"), status__in=OPEN_VISIT_STATUSES
                )
            ),
            x_snoozed_with_reason=flag(Q(snoozed_until__gte=today)),
            x_certified_since=Exists(
                Certification.objects.filter(
                    pensioner_id=OuterRef("pensioner_id"), certified_on__gte=OuterRef("next_due_on")
                ).effective()
            ),
            # Changed after the last failed attempt: a change, and no failed attempt since it. (Written as
            # NOT EXISTS so that filtering on it needs no per-row maximum.)
            x_contact_changed_since_failure=flag(
                Q(pensioner__contact_changed_at__isnull=False)
                & ~Q(Exists(failed.filter(contacted_at__gte=OuterRef("pensioner__contact_changed_at"))))
            ),
            x_consular_form_in_the_post=flag(
                ~Q(pensioner__abroad_country="")
                & Q(Exists(attempts_for_this_deadline.filter(outcome=ContactOutcome.FORM_POSTED)))
            ),
            x_staff_excluded=Exists(
                SuspensionExclusion.objects.filter(
                    pensioner_id=OuterRef("pensioner_id"),
                    deadline=OuterRef("next_due_on"),
                    lifted_at__isnull=True,
                )
            ),
            x_already_proposed=Exists(
                PaymentDecision.objects.filter(
                    pensioner_id=OuterRef("pensioner_id"),
                    kind=DecisionKind.SUSPEND,
                    status=DecisionStatus.PROPOSED,
                )
            ),
        )
    )


def suspension_candidates(states, *, today: date, grace_days: int | None = None, within=None):
    """People overdue longer than the grace period whose contact failed by at least two different means
    (domain.md), each with the facts behind it and every exclusion (x_<name>) that may keep them out.

    Two steps, measured at 1M pensioners (bench/bench_decisions.py): the unreachable are found first in one
    grouped statement (`within`, an Area, bounds it; without it the whole city is looked at), and the rest
    of the query is keyed by their ids as one array. Joined as a subquery instead, PostgreSQL guessed a
    few hundred people where a district has 20,000 and chose plans that took seconds."""
    grace = settings.SUSPENSION_GRACE_DAYS if grace_days is None else grace_days
    overdue_since = today - timedelta(days=grace)
    with connection.cursor() as cursor:
        cursor.execute(*unreachable_sql(overdue_since=overdue_since, within=within))
        unreachable = [pensioner_id for (pensioner_id,) in cursor.fetchall()]
    overdue = states.filter(
        InArray("pensioner_id", unreachable), status=PaymentStatus.ACTIVE, next_due_on__lt=overdue_since
    )
    return with_suspension_facts(overdue, today=today)


class InArray(Func):
    """`column = ANY(array)`: one parameter however many ids (an IN list stops at 65,535 parameters)."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()

    def __init__(self, column: str, ids: list[int]):
        super().__init__(F(column), Value(list(ids), output_field=ArrayField(BigIntegerField())))


def unreachable_sql(*, overdue_since: date, within=None) -> tuple[str, list]:
    """The overdue people whose failed contact attempts for their current deadline are of two kinds or
    more, as one grouped statement (a hashed semi-join for the list, not a subquery per person)."""
    failed = ", ".join(f"'{outcome}'" for outcome in FAILED_CONTACT_OUTCOMES)
    return (
        f"""
        SELECT a.pensioner_id
        FROM certification_contactattempt a
        JOIN pensioners_certificationstate s ON s.pensioner_id = a.pensioner_id
        WHERE s.status = '{PaymentStatus.ACTIVE}' AND s.next_due_on < %s AND s.area_code LIKE %s
          AND a.outcome IN ({failed})
          AND a.contacted_at >= s.next_due_on - %s * interval '1 day'
        GROUP BY a.pensioner_id
        HAVING count(DISTINCT a.kind) >= 2
        """,
        [
            overdue_since,
            (within.scope_prefix if within is not None else "") + "%",
            settings.REMINDER_FIRST_DAYS_BEFORE,
        ],
    )


def eligible_only(candidates):
    """Candidates with no exclusion: who a batch may propose."""
    return candidates.filter(**{f"x_{name}": False for name in ALL_EXCLUSIONS})


def excluded_only(candidates):
    any_exclusion = Q()
    for name in ALL_EXCLUSIONS:
        any_exclusion |= Q(**{f"x_{name}": True})
    return candidates.filter(any_exclusion)


def exclusions_of(row) -> list[str]:
    """The exclusions that hold for one annotated row, in the order the list names them."""
    return [name for name in ALL_EXCLUSIONS if getattr(row, f"x_{name}", False)]


def states_of(pensioner_ids) -> CertificationState:
    return CertificationState.objects.filter(pensioner_id__in=pensioner_ids)
