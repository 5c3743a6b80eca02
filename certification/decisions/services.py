"""Decisions that move money: payment decisions and death cases.

Payment decisions: resumption after a suspended person certifies (suspension joins here).
Death cases: opened by a contact report, a home visit or a data signal; decided by a supervisor.
An open case takes the person out of the queues and the reminders (CertificationState.death_reported).
Confirming terminates payment from the month after death and works out the overpayment to recover.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.decisions.rules import amount_for, resumption, termination
from certification.models import (
    Certification,
    DeathCase,
    DeathCaseStatus,
    DecisionKind,
    PaymentDecision,
)
from certification.state import (
    state_death_reported,
    state_lock,
    state_payment_status,
    state_terminated,
)
from pensioners.models import CertificationState, PaymentStatus
from portal.audit import audit_record
from portal.errors import Refused


def monthly_total(pensioner) -> Decimal:
    total = pensioner.benefit_lines.filter(ended_on__isnull=True).aggregate(total=Sum("monthly_amount"))[
        "total"
    ]
    return total or Decimal("0")


def payment_resume(*, state: CertificationState, certification: Certification) -> PaymentDecision | None:
    """A successful certification of a suspended person resumes payment with back pay.

    Runs inside the certification's transaction, with the state row locked.
    """
    if state.status != PaymentStatus.SUSPENDED:
        return None
    suspension = (
        PaymentDecision.objects.filter(pensioner_id=state.pensioner_id, kind=DecisionKind.SUSPEND)
        .order_by("-decided_at", "-id")
        .first()
    )
    if suspension is None:
        return None
    resumes_from, months = resumption(
        suspended_from=suspension.effective_month, certified_on=certification.certified_on
    )
    pensioner = certification.pensioner
    decision = PaymentDecision.objects.create(
        pensioner=pensioner,
        kind=DecisionKind.RESUME,
        area_code=pensioner.community_id,
        effective_month=resumes_from,
        back_pay_months=months,
        back_pay_amount=amount_for(months, monthly_total(pensioner)),
        certification=certification,
        decided_by=certification.recorded_by,
        note=certification.receipt_number,
    )
    state_payment_status(state=state, status=PaymentStatus.ACTIVE)
    audit_record(
        actor=certification.recorded_by,
        action="payment.resumed",
        target=decision,
        before={"status": PaymentStatus.SUSPENDED},
        after={"status": PaymentStatus.ACTIVE, "from": resumes_from, "back_pay_months": months},
    )
    return decision


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
        state = state_lock(pensioner_id=pensioner.pk)
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
        state_death_reported(state=state, reported=True)
        _flag_certifications_after(pensioner, reported_death_date)
        audit_record(actor=actor, action="death_case.opened", target=case, after=evidence_item)
    return case, True


def death_case_dismiss(*, case: DeathCase, actor, reason: str) -> DeathCase:
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Give a reason for dismissing the case."))
    with transaction.atomic():
        state = state_lock(pensioner_id=case.pensioner_id)
        case = DeathCase.objects.select_for_update().get(pk=case.pk)
        if case.status != DeathCaseStatus.OPEN:
            raise Refused(_("This case is already decided."))
        case.status = DeathCaseStatus.DISMISSED
        case.decided_by, case.decided_at, case.decision_reason = actor, timezone.now(), reason
        case.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        state_death_reported(state=state, reported=False)
        audit_record(actor=actor, action="death_case.dismissed", target=case, note=reason)
    return case


def death_case_confirm(
    *, case: DeathCase, actor, died_on: date, paid_through: date, note: str = ""
) -> PaymentDecision:
    """Confirm a death: terminate payment from the month after death; months paid since are overpaid."""
    if died_on > timezone.localdate():
        raise Refused(_("The date of death cannot be in the future."))
    with transaction.atomic():
        state = state_lock(pensioner_id=case.pensioner_id)
        case = DeathCase.objects.select_for_update(of=("self",)).select_related("pensioner").get(pk=case.pk)
        if case.status != DeathCaseStatus.OPEN:
            raise Refused(_("This case is already decided."))
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
        state_terminated(state=state)
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
