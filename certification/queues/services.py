"""Contact attempts and queue assignment: the daily work on due-soon and overdue people."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certification.decisions.services import death_case_open
from certification.models import ContactAttempt, ContactOutcome, DeathCaseOrigin
from certification.queues.rules import contact_problems, fields_for_outcome
from certification.state import state_assign, state_contact_logged, state_lock
from certification.visits.services import home_visit_request
from pensioners.models import CertificationState, Pensioner
from portal.audit import audit_record
from portal.errors import Refused
from portal.roles import Capability
from portal.scoping import Scope


def contact_attempt_record(
    *,
    pensioner: Pensioner,
    actor,
    kind: str,
    outcome: str,
    note: str = "",
    moved_to: str = "",
    snooze_until: date | None = None,
    snooze_reason: str = "",
    visit_reason: str = "",
    died_on: date | None = None,
    contacted_at: datetime | None = None,
) -> ContactAttempt:
    """Log one attempt and do what its outcome means: a wrong number flags the phone, a death report
    opens a case for the supervisor, "needs a home visit" opens a visit request.

    `contacted_at` is when the call was made (default now). Details an outcome does not use are refused,
    so that a stale death date or snooze never rides along with another outcome."""
    now = timezone.now()
    contacted_at = contacted_at or now
    given = {
        "moved_to": moved_to,
        "visit_reason": visit_reason,
        "died_on": died_on,
        "snooze_until": snooze_until,
        "snooze_reason": snooze_reason,
    }
    if outcome not in ContactOutcome.values:
        raise Refused([_("Choose the outcome of the contact.")])
    irrelevant = [name for name, value in given.items() if value and name not in fields_for_outcome(outcome)]
    if irrelevant:
        raise Refused([_("Some details do not belong to the chosen outcome; nothing was saved.")])
    problems = contact_problems(
        outcome=outcome,
        contacted_at=contacted_at,
        now=now,
        today=timezone.localdate(),
        contacted_on=timezone.localdate(contacted_at),
        moved_to=moved_to,
        visit_reason=visit_reason,
        died_on=died_on,
        snooze_until=snooze_until,
        snooze_reason=snooze_reason,
    )
    if problems:
        raise Refused([problem for _field, problem in problems])
    with transaction.atomic():
        state = state_lock(pensioner_id=pensioner.pk)
        attempt = ContactAttempt.objects.create(
            pensioner=pensioner,
            area_code=pensioner.community_id,
            kind=kind,
            outcome=outcome,
            note=note,
            moved_to=moved_to,
            snooze_until=snooze_until,
            snooze_reason=snooze_reason,
            made_by=actor,
            contacted_at=contacted_at,
        )
        # "Last contact" is the latest call by when it happened: logging an older call later must not
        # hide a newer one.
        latest = ContactAttempt.objects.filter(pensioner=pensioner).order_by("-contacted_at", "-id").first()
        state_contact_logged(
            state=state, outcome=latest.outcome, contacted_at=latest.contacted_at, snooze_until=snooze_until
        )
        audit_record(
            actor=actor,
            action="contact.recorded",
            target=attempt,
            after={
                "kind": kind,
                "outcome": outcome,
                "contacted_at": timezone.localtime(contacted_at).isoformat(timespec="minutes"),
                "snooze_until": snooze_until,
                "note": note,
            },
        )
        if outcome == ContactOutcome.WRONG_NUMBER and not pensioner.phone_known_wrong:
            Pensioner.objects.filter(pk=pensioner.pk).update(phone_known_wrong=True)
            audit_record(
                actor=actor,
                action="pensioner.changed",
                target=pensioner,
                before={"phone_known_wrong": False},
                after={"phone_known_wrong": True},
            )
        if outcome == ContactOutcome.REPORTED_DEAD:
            death_case_open(
                pensioner=pensioner,
                origin=DeathCaseOrigin.CONTACT,
                actor=actor,
                reported_death_date=died_on,
                source=attempt.get_kind_display(),
                evidence={"note": note, "contact_attempt": attempt.pk},
            )
        if outcome == ContactOutcome.NEEDS_HOME_VISIT:
            home_visit_request(
                pensioner=pensioner, actor=actor, requested_via="staff", reason=visit_reason, reason_note=note
            )
    return attempt


def queue_assign(*, actor, scope, pensioner_ids: list[int], assignee=None) -> int:
    """Give people to a worker (or take them back with assignee=None). Refused whole if anyone, or the
    worker, is outside the actor's area, or if the worker's own area does not hold everyone: "my queue"
    shows a worker only the people of her area, so anyone else given to her would drop out of sight
    (shown to others as assigned, never to her). Nothing is saved when refused."""
    if not pensioner_ids:
        raise Refused([_("Select at least one person.")])
    assignee_scope = Scope(assignee) if assignee is not None else None
    if assignee is not None and not scope.covers_area_code(assignee.area_id or ""):
        raise Refused([_("%(name)s works outside your area.") % {"name": assignee}])
    if assignee_scope is not None and not assignee_scope.can(Capability.WORK_QUEUES):
        raise Refused([_("%(name)s does not work the queues.") % {"name": assignee}])
    with transaction.atomic():
        states = list(
            scope.restrict(CertificationState.objects.filter(pensioner_id__in=pensioner_ids))
            .select_related("pensioner")
            .select_for_update(of=("self",))
        )
        if len(states) != len(set(pensioner_ids)):
            raise Refused([_("Some of the selected people are outside your area; nothing was assigned.")])
        if assignee_scope is not None:
            outside = [state for state in states if not assignee_scope.covers_area_code(state.area_code)]
            if outside:
                names = "、".join(state.pensioner.name for state in outside[:5])
                if len(outside) > 5:
                    names += "…"
                raise Refused(
                    [
                        ngettext(
                            "%(count)s of the selected people lives outside %(area)s, the area of "
                            "%(name)s (%(names)s); nothing was assigned. Give them to a worker of "
                            "their own community.",
                            "%(count)s of the selected people live outside %(area)s, the area of "
                            "%(name)s (%(names)s); nothing was assigned. Give them to a worker of "
                            "their own community.",
                            len(outside),
                        )
                        % {
                            "count": len(outside),
                            "area": assignee_scope.area.name,
                            "name": assignee,
                            "names": names,
                        }
                    ]
                )
        state_assign(states=states, assignee=assignee)
        audit_record(
            actor=actor,
            action="queue.assigned",
            area_code=scope.area.code,
            after={"assignee": assignee.pk if assignee else None, "pensioners": sorted(pensioner_ids)},
        )
    return len(states)
