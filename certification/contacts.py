"""Contact attempts and queue assignment: the daily work on due-soon and overdue people."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.death_cases import death_case_open
from certification.models import ContactAttempt, ContactOutcome, DeathCaseOrigin
from certification.rules_queue import snooze_problems
from certification.visits import home_visit_request
from pensioners.models import CertificationState, Pensioner
from portal.audit import audit_record


class WorkRefused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = [str(problem) for problem in problems]


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
) -> ContactAttempt:
    """Log one attempt and do what its outcome means: a wrong number flags the phone, a death report
    opens a case for the supervisor, "needs a home visit" opens a visit request."""
    problems = snooze_problems(snooze_until=snooze_until, reason=snooze_reason, today=timezone.localdate())
    if outcome == ContactOutcome.MOVED_AWAY and not moved_to.strip():
        problems.append(_("Say where the person moved to."))
    if outcome == ContactOutcome.NEEDS_HOME_VISIT and not visit_reason:
        problems.append(_("Choose the reason for the home visit."))
    if problems:
        raise WorkRefused(problems)
    with transaction.atomic():
        state = CertificationState.objects.select_for_update().get(pensioner=pensioner)
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
        )
        state.last_contact_outcome, state.last_contact_on = outcome, timezone.localdate()
        if snooze_until is not None:
            state.snoozed_until = snooze_until
        state.save(update_fields=["last_contact_outcome", "last_contact_on", "snoozed_until"])
        audit_record(
            actor=actor,
            action="contact.recorded",
            target=attempt,
            after={"kind": kind, "outcome": outcome, "snooze_until": snooze_until, "note": note},
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
    worker, is outside the actor's area: nothing is saved then."""
    if not pensioner_ids:
        raise WorkRefused([_("Select at least one person.")])
    if assignee is not None and not scope.covers_area_code(assignee.area_id or ""):
        raise WorkRefused([_("%(name)s works outside your area.") % {"name": assignee}])
    with transaction.atomic():
        states = list(
            scope.restrict(
                CertificationState.objects.filter(pensioner_id__in=pensioner_ids)
            ).select_for_update()
        )
        if len(states) != len(set(pensioner_ids)):
            raise WorkRefused([_("Some of the selected people are outside your area; nothing was assigned.")])
        CertificationState.objects.filter(pk__in=[state.pk for state in states]).update(assigned_to=assignee)
        audit_record(
            actor=actor,
            action="queue.assigned",
            area_code=scope.area.code,
            after={"assignee": assignee.pk if assignee else None, "pensioners": sorted(pensioner_ids)},
        )
    return len(states)
