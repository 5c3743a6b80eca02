"""Death cases: opened by a contact report, a home visit or a data signal; decided by a supervisor.

An open case takes the person out of the queues and the reminders (CertificationState.death_reported).
Confirming terminates payment from the month after death and works out the overpayment to recover.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.decisions import monthly_total
from certification.models import (
    Certification,
    DeathCase,
    DeathCaseStatus,
    DecisionKind,
    PaymentDecision,
)
from certification.payments import amount_for, termination
from pensioners.models import CertificationState, PaymentStatus
from portal.audit import audit_record


class DecisionRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def death_case_open(
    *,
    pensioner,
    origin: str,
    actor=None,
    reported_death_date: date | None = None,
    source: str = "",
    evidence: dict | None = None,
) -> tuple[DeathCase, bool]:
    """Open a case, or add the evidence to the one already open. Returns (case, opened)."""
    evidence_item = {**(evidence or {}), "origin": origin, "source": source}
    if reported_death_date:
        evidence_item["death_date"] = reported_death_date.isoformat()
    with transaction.atomic():
        state = CertificationState.objects.select_for_update().get(pensioner=pensioner)
        case = (
            DeathCase.objects.select_for_update()
            .filter(pensioner=pensioner, status=DeathCaseStatus.OPEN)
            .first()
        )
        if case is not None:
            case.evidence = [*case.evidence, evidence_item]
            case.save(update_fields=["evidence"])
            return case, False
        case = DeathCase.objects.create(
            pensioner=pensioner,
            area_code=pensioner.community_id,
            origin=origin,
            reported_death_date=reported_death_date,
            source=source,
            evidence=[evidence_item],
            reported_by=actor,
        )
        state.death_reported = True
        state.save(update_fields=["death_reported"])
        _flag_certifications_after(pensioner, reported_death_date)
        audit_record(actor=actor, action="death_case.opened", target=case, after=evidence_item)
    return case, True


def death_case_dismiss(*, case: DeathCase, actor, reason: str) -> DeathCase:
    reason = (reason or "").strip()
    if not reason:
        raise DecisionRefused(_("Give a reason for dismissing the case."))
    with transaction.atomic():
        state = CertificationState.objects.select_for_update().get(pensioner_id=case.pensioner_id)
        case = DeathCase.objects.select_for_update().get(pk=case.pk)
        if case.status != DeathCaseStatus.OPEN:
            raise DecisionRefused(_("This case is already decided."))
        case.status = DeathCaseStatus.DISMISSED
        case.decided_by, case.decided_at, case.decision_reason = actor, timezone.now(), reason
        case.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        state.death_reported = False
        state.save(update_fields=["death_reported"])
        audit_record(actor=actor, action="death_case.dismissed", target=case, note=reason)
    return case


def death_case_confirm(
    *, case: DeathCase, actor, died_on: date, paid_through: date, note: str = ""
) -> PaymentDecision:
    """Confirm a death: terminate payment from the month after death; months paid since are overpaid."""
    if died_on > timezone.localdate():
        raise DecisionRefused(_("The date of death cannot be in the future."))
    with transaction.atomic():
        state = CertificationState.objects.select_for_update().get(pensioner_id=case.pensioner_id)
        case = DeathCase.objects.select_for_update(of=("self",)).select_related("pensioner").get(pk=case.pk)
        if case.status != DeathCaseStatus.OPEN:
            raise DecisionRefused(_("This case is already decided."))
        pensioner = case.pensioner
        stops_from, overpaid = termination(died_on=died_on, paid_through=paid_through)
        decision = PaymentDecision.objects.create(
            pensioner=pensioner,
            kind=DecisionKind.TERMINATE,
            area_code=pensioner.community_id,
            effective_month=stops_from,
            overpaid_months=overpaid,
            overpaid_amount=amount_for(overpaid, monthly_total(pensioner)),
            decided_by=actor,
            note=note[:200],
        )
        case.status = DeathCaseStatus.CONFIRMED
        case.reported_death_date = died_on
        case.decided_by, case.decided_at, case.decision_reason = actor, timezone.now(), note
        case.save(
            update_fields=["status", "reported_death_date", "decided_by", "decided_at", "decision_reason"]
        )
        pensioner.death_date = died_on
        pensioner.save(update_fields=["death_date"])
        before = {"status": state.status}
        state.status = PaymentStatus.TERMINATED
        state.death_reported = False
        state.save(update_fields=["status", "death_reported"])
        _flag_certifications_after(pensioner, died_on)
        audit_record(
            actor=actor,
            action="death_case.confirmed",
            target=case,
            before=before,
            after={
                "status": PaymentStatus.TERMINATED,
                "died_on": died_on,
                "stops_from": stops_from,
                "overpaid_months": overpaid,
            },
            note=note,
        )
    return decision


def _flag_certifications_after(pensioner, died_on: date | None) -> int:
    """A death date earlier than a recorded certification flags that certification for investigation."""
    if died_on is None:
        return 0
    return (
        Certification.objects.filter(pensioner=pensioner, certified_on__gt=died_on)
        .effective()
        .update(
            needs_investigation=True,
            investigation_note=_("Certified after the reported date of death (%(date)s).")
            % {"date": died_on.isoformat()},
        )
    )
