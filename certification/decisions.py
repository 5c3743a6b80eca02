"""Payment decisions: resumption after a suspended person certifies (more decisions join here)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from certification.models import Certification, DecisionKind, PaymentDecision
from certification.payments import amount_for, resumption
from pensioners.models import CertificationState, PaymentStatus
from portal.audit import audit_record


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
    state.status = PaymentStatus.ACTIVE
    state.save(update_fields=["status"])
    audit_record(
        actor=certification.recorded_by,
        action="payment.resumed",
        target=decision,
        before={"status": PaymentStatus.SUSPENDED},
        after={"status": PaymentStatus.ACTIVE, "from": resumes_from, "back_pay_months": months},
    )
    return decision
