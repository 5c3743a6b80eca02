"""Home visits: request, schedule, cancel, and the visitor's outcome at the door."""

from __future__ import annotations

import json
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.decisions.services import death_case_open
from certification.models import (
    OPEN_VISIT_STATUSES,
    Channel,
    DeathCaseOrigin,
    HomeVisit,
    VisitOutcome,
    VisitStatus,
    VisitTeam,
)
from certification.recording.services import certification_record
from portal.audit import audit_record
from portal.errors import Refused


def home_visit_request(
    *, pensioner, actor, requested_via: str, reason: str, reason_note: str = "", revisit_of=None
) -> tuple[HomeVisit, bool]:
    """Open a visit request; a person already waiting for a visit keeps that one. Returns (visit, created)."""
    with transaction.atomic():
        waiting = pensioner.home_visits.select_for_update().filter(status__in=OPEN_VISIT_STATUSES).first()
        if waiting is not None:
            return waiting, False
        try:
            # Nothing to lock when nobody is waiting yet: two requests at the same moment both get here,
            # and the one-open-visit constraint turns the second into "already waiting".
            with transaction.atomic():
                visit = HomeVisit.objects.create(
                    pensioner=pensioner,
                    area_code=pensioner.community_id,
                    requested_via=requested_via,
                    reason=reason,
                    reason_note=reason_note,
                    requested_by=actor,
                    revisit_of=revisit_of,
                )
        except IntegrityError:
            waiting = pensioner.home_visits.filter(status__in=OPEN_VISIT_STATUSES).first()
            if waiting is None:
                raise
            return waiting, False
        audit_record(
            actor=actor,
            action="home_visit.requested",
            target=visit,
            after={"via": requested_via, "reason": reason},
        )
    return visit, True


def certified_elsewhere_note(*, channel_label: str, certified_on: date | str) -> str:
    """The reason a visit was called off, as the visitor and the planner read it."""
    day = certified_on.isoformat() if isinstance(certified_on, date) else certified_on
    return _("Certified through another channel (%(channel)s) %(date)s") % {
        "channel": channel_label,
        "date": day,
    }


def close_visits_on_certification(sender, *, certification, actor, **kwargs) -> None:
    """Answers recording's `certification_counted`: certified by any channel, an open home visit would
    send a visitor for nothing."""
    home_visits_close_after_certification(certification=certification, actor=actor)


def home_visits_close_after_certification(*, certification, actor) -> int:
    """A person certified by any channel needs no visitor: their open visit is cancelled, with the reason
    on the visitor's and the planner's lists, so nobody makes the trip for nothing. The visit that produced
    this very certification is left to home_visit_close. Runs inside the caller's transaction."""
    if not certification.counts:
        return 0
    open_visits = HomeVisit.objects.select_for_update().filter(
        pensioner_id=certification.pensioner_id, status__in=OPEN_VISIT_STATUSES
    )
    own_visit = (certification.evidence or {}).get("visit_request")
    if certification.channel == Channel.HOME_VISIT and own_visit:
        open_visits = open_visits.exclude(pk=own_visit)
    note = certified_elsewhere_note(
        channel_label=str(Channel(certification.channel).label), certified_on=certification.certified_on
    )
    closed = 0
    for visit in open_visits:
        before = {"status": visit.status, "team": visit.team_id, "scheduled_on": visit.scheduled_on}
        visit.status, visit.outcome_note, visit.certification = VisitStatus.CANCELLED, note, certification
        visit.closed_by, visit.closed_at = actor if getattr(actor, "pk", None) else None, timezone.now()
        visit.save(update_fields=["status", "outcome_note", "certification", "closed_by", "closed_at"])
        audit_record(
            actor=actor,
            action="home_visit.cancelled",
            target=visit,
            before=before,
            after={"status": visit.status, "certification": certification.pk},
            note=note,
        )
        closed += 1
    return closed


def home_visits_close_after_certification_sql(cursor, *, certified_rows_sql: str) -> int:
    """The set-based twin of home_visits_close_after_certification, for bulk imports: one UPDATE joined
    to the certified rows, and the audit events written by the same statement.

    `certified_rows_sql` selects (pensioner_id, certification_id, channel, certified_on) for the
    certifications just recorded; each person's open visit is cancelled with the same reason text."""
    labels = {str(value): str(label) for value, label in Channel.choices}
    template = certified_elsewhere_note(channel_label="{channel}", certified_on="{date}")
    cursor.execute(
        f"""
        WITH certified AS ({certified_rows_sql}),
        labels AS (SELECT key AS channel, value AS label FROM jsonb_each_text(%s::jsonb)),
        closed AS (
            UPDATE certification_homevisit v
            SET status = %s, certification_id = c.certification_id, closed_at = now(),
                outcome_note = left(replace(replace(%s, '{{channel}}', coalesce(l.label, c.channel)),
                                            '{{date}}', to_char(c.certified_on, 'YYYY-MM-DD')), 300)
            FROM certified c LEFT JOIN labels l ON l.channel = c.channel
            WHERE v.pensioner_id = c.pensioner_id AND v.status = ANY(%s)
            RETURNING v.id, v.pensioner_id, v.area_code, v.status, v.outcome_note, c.certification_id
        )
        INSERT INTO portal_auditevent (at, actor_id, actor_username, action, object_type, object_id,
                                       object_repr, area_code, before, after, note, client_address)
        SELECT now(), NULL, '', 'home_visit.cancelled', 'certification.homevisit', closed.id::text,
               left(p.name || ' ' || %s, 200), closed.area_code, NULL,
               jsonb_build_object('status', closed.status, 'certification', closed.certification_id),
               closed.outcome_note, NULL
        FROM closed JOIN pensioners_pensioner p ON p.id = closed.pensioner_id
        """,
        [
            json.dumps(labels, ensure_ascii=False),
            VisitStatus.CANCELLED.value,
            template,
            [status.value for status in OPEN_VISIT_STATUSES],
            str(VisitStatus.CANCELLED.label),
        ],
    )
    return cursor.rowcount


def home_visit_schedule(*, visits: list[HomeVisit], team: VisitTeam, visit_date: date, actor) -> int:
    """Give open visits to a team for a day. Every visit must be open and in the team's street."""
    if visit_date < timezone.localdate():
        raise Refused(_("A visit cannot be scheduled in the past."))
    if team.retired_at is not None:
        raise Refused(_("%(team)s is retired and takes no new visits.") % {"team": team.name})
    with transaction.atomic():
        locked = list(HomeVisit.objects.select_for_update().filter(pk__in=[visit.pk for visit in visits]))
        for visit in locked:
            if visit.status not in OPEN_VISIT_STATUSES:
                raise Refused(_("%(name)s's visit is already closed.") % {"name": visit.pensioner.name})
            if not visit.area_code.startswith(team.street_id):
                raise Refused(
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
        raise Refused(_("Say why the visit is cancelled."))
    with transaction.atomic():
        visit = HomeVisit.objects.select_for_update().get(pk=visit.pk)
        if not visit.is_open:
            raise Refused(_("This visit is already closed."))
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
        raise Refused(_("A certified visit needs its certification."))
    if outcome == VisitOutcome.NOT_HOME and revisit_on is None:
        raise Refused(_("Choose the date of the revisit."))
    if outcome in (VisitOutcome.MOVED, VisitOutcome.HOSPITALISED, VisitOutcome.REFUSED) and not note.strip():
        raise Refused(_("Add a note: where, or why."))
    with transaction.atomic():
        visit = (
            HomeVisit.objects.select_for_update(of=("self",))
            .select_related("pensioner", "team")
            .get(pk=visit.pk)
        )
        if not visit.is_open:
            raise Refused(_("This visit is already closed."))
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


def home_visit_certify(
    *, visit: HomeVisit, actor, channel: str, certified_on: date, evidence: dict, acting_office, files,
    form_token=None,
):  # fmt: skip
    """Certify a person at the door: the certification and the closed visit stand or fall together.

    The page's token is taken first (inside certification_record), so the same page sent twice at once
    records once and the second gets AlreadySubmitted; a visit closed meanwhile refuses the whole record."""
    with transaction.atomic():
        certification = certification_record(
            pensioner=visit.pensioner,
            channel=channel,
            certified_on=certified_on,
            actor=actor,
            evidence=evidence,
            acting_office=acting_office,
            files=files,
            form_token=form_token,
        )
        home_visit_close(
            visit=visit, actor=actor, outcome=VisitOutcome.CERTIFIED, certification=certification
        )
    return certification


def home_visits_assign_team(*, actor, scope, pensioner_ids: list[int], team: VisitTeam) -> int:
    """Give selected people to a home-visit team: each gets an open visit request on the team's list."""
    from pensioners.models import Pensioner

    if not scope.covers_area_code(team.street_id):
        raise Refused(_("%(team)s works outside your area.") % {"team": team.name})
    if team.retired_at is not None:
        raise Refused(_("%(team)s is retired and takes no new visits.") % {"team": team.name})
    with transaction.atomic():
        people = list(scope.restrict(Pensioner.objects.filter(pk__in=pensioner_ids)))
        if len(people) != len(set(pensioner_ids)):
            raise Refused(_("Some of the selected people are outside your area; nothing was assigned."))
        outside = [person.name for person in people if not person.community_id.startswith(team.street_id)]
        if outside:
            raise Refused(
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


# ---- the teams themselves --------------------------------------------------------------------------


def _team_snapshot(team: VisitTeam) -> dict:
    return {
        "name": team.name,
        "street": team.street_id,
        "members": sorted(team.members.values_list("username", flat=True)),
        "retired": bool(team.retired_at),
    }


def _check_team_name(*, street_code: str, name: str, keep_pk=None) -> str:
    name = name.strip()
    if not name:
        raise Refused(_("Give the team a name."), field="name")
    taken = VisitTeam.objects.active().filter(street_id=street_code, name=name).exclude(pk=keep_pk)
    if taken.exists():
        raise Refused(_("This street already has a team of this name."), field="name")
    return name


def visit_team_create(*, actor, scope, street, name: str) -> VisitTeam:
    if street.level != "street" or not scope.covers_area_code(street.code):
        raise Refused(_("Choose a street in your area."), field="street")
    with transaction.atomic():
        team = VisitTeam.objects.create(
            street=street, name=_check_team_name(street_code=street.code, name=name)
        )
        audit_record(actor=actor, action="visit_team.created", target=team, after=_team_snapshot(team))
    return team


def visit_team_rename(*, actor, team: VisitTeam, name: str) -> VisitTeam:
    if team.retired_at is not None:
        raise Refused(_("%(team)s is retired.") % {"team": team.name})
    with transaction.atomic():
        before = _team_snapshot(team)
        team.name = _check_team_name(street_code=team.street_id, name=name, keep_pk=team.pk)
        team.save(update_fields=["name"])
        audit_record(
            actor=actor, action="visit_team.renamed", target=team, before=before, after=_team_snapshot(team)
        )
    return team


def visit_team_set_members(*, actor, team: VisitTeam, members) -> VisitTeam:
    """The team's members, as chosen: home-visit team accounts of the team's street only."""
    from portal.roles import Role

    if team.retired_at is not None:
        raise Refused(_("%(team)s is retired.") % {"team": team.name})
    members = list(members)
    wrong = [
        m for m in members if m.role != Role.VISIT_TEAM or m.area_id != team.street_id or not m.is_active
    ]
    if wrong:
        raise Refused(
            _("Only active home-visit team members of this street can join: %(names)s")
            % {"names": "、".join(str(m) for m in wrong[:5])},
            field="members",
        )
    with transaction.atomic():
        for member in members:
            _leave_other_teams(actor=actor, user=member, team=team)
        _change_members(actor=actor, team=team, change=lambda: team.members.set(members))
    return team


def _leave_other_teams(*, actor, user, team: VisitTeam) -> None:
    """A visitor is in one team at a time (the staff screens and the import rely on it): joining `team`
    leaves any other, each change on the record of the team it leaves."""
    for other in user.visit_teams.exclude(pk=team.pk):
        _change_members(actor=actor, team=other, change=lambda other=other: other.members.remove(user))


def _change_members(*, actor, team: VisitTeam, change) -> None:
    before = _team_snapshot(team)
    change()
    audit_record(
        actor=actor,
        action="visit_team.members_changed",
        target=team,
        before=before,
        after=_team_snapshot(team),
    )


def visit_team_join(*, actor, user, team: str) -> None:
    """The staff screens' and the staff import's way to put a visitor in a team of their street (by the
    team's id or name), registered as portal.contracts.TeamDirectory.join. Runs in the caller's
    transaction."""
    street = user.area_id or ""
    teams = VisitTeam.objects.active().filter(street_id=street)
    found = teams.filter(pk=int(team)).first() if str(team).isdigit() else teams.filter(name=team).first()
    if found is None:
        raise Refused(
            _("No home-visit team “%(team)s” in this street.") % {"team": str(team)[:60]}, field="team"
        )
    if found.members.filter(pk=user.pk).exists():
        return
    _leave_other_teams(actor=actor, user=user, team=found)
    _change_members(actor=actor, team=found, change=lambda: found.members.add(user))


def visit_team_retire(*, actor, team: VisitTeam, reason: str = "") -> VisitTeam:
    """A team that stops: its members leave it; its scheduled visits must be moved first."""
    if team.retired_at is not None:
        raise Refused(_("%(team)s is already retired.") % {"team": team.name})
    with transaction.atomic():
        locked = VisitTeam.objects.select_for_update().get(pk=team.pk)
        pending = locked.visits.filter(status=VisitStatus.SCHEDULED).count()
        if pending:
            raise Refused(
                _("%(team)s still has %(count)d scheduled visits: give them to another team first.")
                % {"team": locked.name, "count": pending}
            )
        before = _team_snapshot(locked)
        locked.retired_at = timezone.now()
        locked.save(update_fields=["retired_at"])
        locked.members.clear()
        audit_record(
            actor=actor,
            action="visit_team.retired",
            target=locked,
            before=before,
            after=_team_snapshot(locked),
            note=reason.strip()[:500],
        )
    return locked
