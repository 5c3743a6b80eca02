"""Home visits: request, schedule, cancel, and the visitor's outcome at the door."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.death_cases import death_case_open
from certification.models import (
    OPEN_VISIT_STATUSES,
    DeathCaseOrigin,
    HomeVisit,
    VisitOutcome,
    VisitStatus,
    VisitTeam,
)
from portal.audit import audit_record


class VisitRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def home_visit_request(
    *, pensioner, actor, requested_via: str, reason: str, reason_note: str = "", revisit_of=None
) -> tuple[HomeVisit, bool]:
    """Open a visit request; a person already waiting for a visit keeps that one. Returns (visit, created)."""
    with transaction.atomic():
        waiting = pensioner.home_visits.select_for_update().filter(status__in=OPEN_VISIT_STATUSES).first()
        if waiting is not None:
            return waiting, False
        visit = HomeVisit.objects.create(
            pensioner=pensioner,
            area_code=pensioner.community_id,
            requested_via=requested_via,
            reason=reason,
            reason_note=reason_note,
            requested_by=actor,
            revisit_of=revisit_of,
        )
        audit_record(
            actor=actor,
            action="home_visit.requested",
            target=visit,
            after={"via": requested_via, "reason": reason},
        )
    return visit, True


def home_visit_schedule(*, visits: list[HomeVisit], team: VisitTeam, visit_date: date, actor) -> int:
    """Give open visits to a team for a day. Every visit must be open and in the team's street."""
    if visit_date < timezone.localdate():
        raise VisitRefused(_("A visit cannot be scheduled in the past."))
    with transaction.atomic():
        locked = list(HomeVisit.objects.select_for_update().filter(pk__in=[visit.pk for visit in visits]))
        for visit in locked:
            if visit.status not in OPEN_VISIT_STATUSES:
                raise VisitRefused(_("%(name)s's visit is already closed.") % {"name": visit.pensioner.name})
            if not visit.area_code.startswith(team.street_id):
                raise VisitRefused(
                    _("%(name)s lives outside %(team)s's street.")
                    % {"name": visit.pensioner.name, "team": team.name}
                )
        for visit in locked:
            before = {"team": visit.team_id, "scheduled_on": visit.scheduled_on}
            visit.team, visit.scheduled_on, visit.status = team, visit_date, VisitStatus.SCHEDULED
            visit.save(update_fields=["team", "scheduled_on", "status"])
            audit_record(
                actor=actor,
                action="home_visit.scheduled",
                target=visit,
                before=before,
                after={"team": team.pk, "scheduled_on": visit_date},
            )
    return len(locked)


def home_visit_cancel(*, visit: HomeVisit, actor, reason: str) -> HomeVisit:
    if not (reason or "").strip():
        raise VisitRefused(_("Say why the visit is cancelled."))
    with transaction.atomic():
        visit = HomeVisit.objects.select_for_update().get(pk=visit.pk)
        if not visit.is_open:
            raise VisitRefused(_("This visit is already closed."))
        visit.status, visit.outcome_note = VisitStatus.CANCELLED, reason
        visit.closed_by, visit.closed_at = actor, timezone.now()
        visit.save(update_fields=["status", "outcome_note", "closed_by", "closed_at"])
        audit_record(actor=actor, action="home_visit.cancelled", target=visit, note=reason)
    return visit


def home_visit_close(
    *,
    visit: HomeVisit,
    actor,
    outcome: str,
    note: str = "",
    certification=None,
    revisit_on: date | None = None,
    died_on: date | None = None,
) -> HomeVisit:
    """Record what happened at the door. "Certified" comes with the certification the visit produced;
    "not at home" schedules a revisit for the same team; "died" opens a death case."""
    if outcome == VisitOutcome.CERTIFIED and certification is None:
        raise VisitRefused(_("A certified visit needs its certification."))
    if outcome == VisitOutcome.NOT_HOME and revisit_on is None:
        raise VisitRefused(_("Choose the date of the revisit."))
    if outcome in (VisitOutcome.MOVED, VisitOutcome.HOSPITALISED, VisitOutcome.REFUSED) and not note.strip():
        raise VisitRefused(_("Add a note: where, or why."))
    with transaction.atomic():
        visit = (
            HomeVisit.objects.select_for_update(of=("self",))
            .select_related("pensioner", "team")
            .get(pk=visit.pk)
        )
        if not visit.is_open:
            raise VisitRefused(_("This visit is already closed."))
        visit.status, visit.outcome, visit.outcome_note = VisitStatus.VISITED, outcome, note
        visit.certification = certification
        visit.closed_by, visit.closed_at = actor, timezone.now()
        visit.save(
            update_fields=["status", "outcome", "outcome_note", "certification", "closed_by", "closed_at"]
        )
        audit_record(
            actor=actor, action="home_visit.visited", target=visit, after={"outcome": outcome, "note": note}
        )
        if outcome == VisitOutcome.NOT_HOME:
            revisit, _created = home_visit_request(
                pensioner=visit.pensioner,
                actor=actor,
                requested_via=visit.requested_via,
                reason=visit.reason,
                reason_note=visit.reason_note,
                revisit_of=visit,
            )
            home_visit_schedule(visits=[revisit], team=visit.team, visit_date=revisit_on, actor=actor)
        if outcome == VisitOutcome.DIED:
            death_case_open(
                pensioner=visit.pensioner,
                origin=DeathCaseOrigin.VISIT,
                actor=actor,
                reported_death_date=died_on,
                source=str(visit.team or ""),
                evidence={"note": note, "visit": visit.pk},
            )
    return visit


def home_visits_assign_team(*, actor, scope, pensioner_ids: list[int], team: VisitTeam) -> int:
    """Give selected people to a home-visit team: each gets an open visit request on the team's list."""
    from pensioners.models import Pensioner

    if not scope.covers_area_code(team.street_id):
        raise VisitRefused(_("%(team)s works outside your area.") % {"team": team.name})
    with transaction.atomic():
        people = list(scope.restrict(Pensioner.objects.filter(pk__in=pensioner_ids)))
        if len(people) != len(set(pensioner_ids)):
            raise VisitRefused(_("Some of the selected people are outside your area; nothing was assigned."))
        outside = [person.name for person in people if not person.community_id.startswith(team.street_id)]
        if outside:
            raise VisitRefused(
                _("%(names)s live outside %(team)s's street; nothing was assigned.")
                % {"names": "、".join(outside[:5]), "team": team.name}
            )
        for person in people:
            visit, _created = home_visit_request(
                pensioner=person,
                actor=actor,
                requested_via="staff",
                reason="age" if person.needs_home_service else "other",
                reason_note=person.home_service_reason,
            )
            if visit.team_id != team.pk:
                HomeVisit.objects.filter(pk=visit.pk).update(team=team)
                audit_record(actor=actor, action="home_visit.assigned", target=visit, after={"team": team.pk})
    return len(people)
