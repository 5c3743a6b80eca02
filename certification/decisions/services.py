"""Decisions that move money: payment decisions and death cases.

Payment decisions: suspension batches, resumption batches and imprisonment stops, each proposed by a
maker and approved or rejected as a whole by a checker who is not the maker; deadline extensions likewise.
Death cases: opened by a contact report, a home visit or a data signal; decided by a supervisor.
An open case takes the person out of the queues and the reminders (CertificationState.death_reported).
Confirming terminates payment from the month after death and works out the overpayment to recover.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.decisions.queries import (
    ALL_EXCLUSIONS,
    ALREADY_PROPOSED,
    eligible_only,
    states_of,
    with_suspension_facts,
)
from certification.decisions.rules import (
    DROP_LABELS,
    amount_for,
    back_pay_for,
    checker_problem,
    extension_problems,
    resumption_drop_reason,
    resumption_terms,
    stop_drop_reason,
    suspension_drop_reason,
    suspension_starts,
    termination,
)
from certification.decisions.signals import batch_decided
from certification.models import (
    Certification,
    DeadlineExtension,
    DeathCase,
    DeathCaseStatus,
    DecisionBatch,
    DecisionKind,
    DecisionStatus,
    MessageStage,
    PaymentDecision,
    SuspensionExclusion,
)
from certification.reminders.services import outbox_insert_sql
from certification.state import (
    state_death_reported,
    state_extend_deadlines,
    state_lock,
    state_lock_many,
    state_restore_deadlines,
    state_set_payment_status,
    state_terminated,
)
from pensioners.models import Area, BenefitLine, CertificationState, PaymentStatus
from portal.audit import audit_record
from portal.errors import Refused


def monthly_total(pensioner) -> Decimal:
    total = pensioner.benefit_lines.filter(ended_on__isnull=True).aggregate(total=Sum("monthly_amount"))[
        "total"
    ]
    return total or Decimal("0")


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


# =====================================================================================================
# Payment decisions: suspension, resumption, imprisonment stops (issue 15)
# =====================================================================================================


def benefit_lines_of(pensioner_id: int) -> list[tuple[date, date | None, Decimal]]:
    return [
        (start, ended, amount or Decimal("0"))
        for start, ended, amount in BenefitLine.objects.filter(pensioner_id=pensioner_id).values_list(
            "first_benefit_date", "ended_on", "monthly_amount"
        )
    ]


def _refuse_maker(batch_or_extension, actor) -> None:
    if checker_problem(maker_id=batch_or_extension.proposed_by_id, checker_id=actor.pk):
        raise Refused(
            _(
                "You proposed this, so you cannot approve or reject it: another supervisor must decide "
                "(maker and checker are two people)."
            )
        )


def _lock_open_batch(batch: DecisionBatch) -> DecisionBatch:
    batch = DecisionBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != DecisionStatus.PROPOSED:
        raise Refused(
            _("This batch was already decided (%(status)s).") % {"status": batch.get_status_display()}
        )
    return batch


def _batch_totals(batch: DecisionBatch) -> None:
    totals = batch.decisions.exclude(status__in=[DecisionStatus.DROPPED, DecisionStatus.REJECTED]).aggregate(
        people=Count("pk"), monthly=Sum("monthly_amount"), back_pay=Sum("back_pay_amount")
    )
    batch.people_count = totals["people"] or 0
    batch.monthly_amount = totals["monthly"] or Decimal("0")
    batch.back_pay_amount = totals["back_pay"] or Decimal("0")


def _batch_proposed(batch: DecisionBatch, *, actor, pensioner_ids: list[int], note: str = "") -> None:
    """Every proposal ends alike: the batch's totals, and one audit event naming everyone in it."""
    _batch_totals(batch)
    batch.save(update_fields=["people_count", "monthly_amount", "back_pay_amount"])
    audit_record(
        actor=actor,
        action="batch.proposed",
        target=batch,
        after={
            "kind": batch.kind,
            "people": batch.people_count,
            "monthly_amount": batch.monthly_amount,
            "back_pay_amount": batch.back_pay_amount,
            "pensioners": sorted(pensioner_ids),
        },
        note=note,
    )


def _new_batch(*, actor, kind: str, name: str, area_code: str) -> DecisionBatch:
    name = " ".join((name or "").split())[:120]
    if not name:
        raise Refused(_("Give the batch a name."), field="name")
    return DecisionBatch.objects.create(kind=kind, name=name, area_code=area_code, proposed_by=actor)


def suspension_batch_propose(*, actor, area, name: str, candidates) -> DecisionBatch:
    """Propose suspending every eligible candidate in `candidates` (a scoped, annotated queryset from
    decisions.queries): one batch, one proposed decision per person, written by one INSERT ... SELECT from
    the candidate query itself, and one audit event naming them all."""
    try:
        rows_sql, rows_params = (
            eligible_only(candidates)
            .order_by()
            .values("pensioner_id", "area_code", "next_due_on", "monthly_total", "failed_kinds")
            .query.sql_with_params()
        )
    except EmptyResultSet:  # a filter that can match no one (an empty list of people)
        raise Refused(_("No eligible candidate is left to propose: everyone shown is excluded.")) from None
    today = timezone.localdate()
    with transaction.atomic():
        batch = _new_batch(actor=actor, kind=DecisionKind.SUSPEND, name=name, area_code=area.code)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    INSERT INTO certification_paymentdecision (
                        pensioner_id, kind, status, batch_id, area_code, effective_month, deadline,
                        monthly_amount, reasons, proposed_by_id, back_pay_months, back_pay_amount,
                        overpaid_months, overpaid_amount, decided_at, note, reference, drop_reason)
                    SELECT c.pensioner_id, %s, %s, %s, c.area_code, %s, c.next_due_on,
                           c.monthly_total,
                           jsonb_build_array('overdue_since:' || c.next_due_on::text)
                               || coalesce((SELECT jsonb_agg('failed:' || kind) FROM unnest(c.failed_kinds) kind),
                                           '[]'::jsonb),
                           %s, 0, 0, 0, 0, now(), '', '', ''
                    FROM ({rows_sql}) c
                    RETURNING pensioner_id
                    """,
                    # In the order the placeholders appear: the SELECT's, then the candidate query's.
                    [
                        DecisionKind.SUSPEND.value,
                        DecisionStatus.PROPOSED.value,
                        batch.pk,
                        suspension_starts(today),
                        actor.pk,
                        *rows_params,
                    ],
                )
                proposed = [pensioner_id for (pensioner_id,) in cursor.fetchall()]
        except IntegrityError:
            raise Refused(
                _(
                    "Some of these people were proposed in another batch a moment ago. Reload the list and propose again."
                )
            ) from None
        if not proposed:
            raise Refused(_("No eligible candidate is left to propose: everyone shown is excluded."))
        _batch_proposed(batch, actor=actor, pensioner_ids=proposed)
    return batch


def resumption_batch_propose(*, actor, area, name: str, decisions) -> DecisionBatch:
    """Gather proposed resumptions not yet in a batch (a scoped queryset) into one batch to approve."""
    with transaction.atomic():
        pending = list(
            decisions.select_for_update(of=("self",)).filter(
                kind=DecisionKind.RESUME, status=DecisionStatus.PROPOSED, batch__isnull=True
            )
        )
        if not pending:
            raise Refused(_("No resumption is waiting to be put in a batch."))
        batch = _new_batch(actor=actor, kind=DecisionKind.RESUME, name=name, area_code=area.code)
        PaymentDecision.objects.filter(pk__in=[d.pk for d in pending]).update(batch=batch)
        _batch_proposed(batch, actor=actor, pensioner_ids=[d.pensioner_id for d in pending])
    return batch


def stop_propose(*, actor, pensioner, reference: str, court_date: date, note: str = "") -> DecisionBatch:
    """An imprisonment stop (a decision of its own, on the court document): a one-person batch that a
    supervisor approves like any other. Payment stops from the month after approval; resuming after it
    pays nothing back."""
    reference = " ".join((reference or "").split())
    if not reference:
        raise Refused(_("Enter the court document's reference."), field="reference")
    if court_date > timezone.localdate():
        raise Refused(_("The court document cannot be dated in the future."), field="court_date")
    with transaction.atomic():
        state = state_lock(pensioner_id=pensioner.pk)
        refusal = stop_drop_reason(status=state.status, death_reported=state.death_reported)
        if refusal:
            raise Refused(
                _("Payment to this person cannot be stopped now: %(why)s.") % {"why": DROP_LABELS[refusal]}
            )
        batch = _new_batch(
            actor=actor,
            kind=DecisionKind.STOP,
            name=_("Imprisonment stop: %(name)s") % {"name": pensioner.name},
            area_code=pensioner.community_id,
        )
        try:
            with transaction.atomic():
                PaymentDecision.objects.create(
                    pensioner=pensioner,
                    kind=DecisionKind.STOP,
                    status=DecisionStatus.PROPOSED,
                    batch=batch,
                    area_code=pensioner.community_id,
                    effective_month=suspension_starts(timezone.localdate()),
                    monthly_amount=monthly_total(pensioner),
                    reference=reference[:80],
                    reasons=[f"court_date:{court_date.isoformat()}"],
                    note=note[:200],
                    proposed_by=actor,
                )
        except IntegrityError:
            raise Refused(_("A stop for this person is already waiting for approval.")) from None
        _batch_proposed(batch, actor=actor, pensioner_ids=[pensioner.pk], note=f"{reference} {note}".strip())
    return batch


def payment_resume(*, state, certification: Certification) -> PaymentDecision | None:
    """A successful certification of a suspended (or stopped) person proposes resuming payment.

    Runs inside the certification's transaction, with the state row locked. The certification has already
    started the new period; payment resumes when a supervisor approves the resumption, with the months
    withheld paid back (none after an imprisonment stop). A second certification while one resumption
    waits adds nothing.
    """
    if state.status not in (PaymentStatus.SUSPENDED, PaymentStatus.STOPPED):
        return None
    ended = (
        PaymentDecision.objects.approved()
        .filter(pensioner_id=state.pensioner_id, kind__in=[DecisionKind.SUSPEND, DecisionKind.STOP])
        .order_by("-decided_at", "-id")
        .first()
    )
    if ended is None:
        return None
    if (
        PaymentDecision.objects.proposed()
        .filter(pensioner_id=state.pensioner_id, kind=DecisionKind.RESUME)
        .exists()
    ):
        return None
    pensioner = certification.pensioner
    resumes_from, months = resumption_terms(
        ended_from=ended.effective_month,
        ends_kind=ended.kind,
        certified_on=certification.certified_on,
        decided_on=timezone.localdate(),
    )
    decision = PaymentDecision.objects.create(
        pensioner=pensioner,
        kind=DecisionKind.RESUME,
        status=DecisionStatus.PROPOSED,
        area_code=pensioner.community_id,
        effective_month=resumes_from,
        back_pay_months=len(months),
        back_pay_amount=back_pay_for(months, lines=benefit_lines_of(pensioner.pk)),
        monthly_amount=monthly_total(pensioner),
        certification=certification,
        resumes=ended,
        proposed_by=certification.recorded_by,
        note=certification.receipt_number,
    )
    audit_record(
        actor=certification.recorded_by,
        action="payment.resumption_proposed",
        target=decision,
        after={
            "from": resumes_from,
            "back_pay_months": len(months),
            "back_pay_amount": decision.back_pay_amount,
        },
    )
    return decision


def batch_approve(*, batch: DecisionBatch, actor, note: str = "") -> DecisionBatch:
    """Approve a batch as its checker. Everyone is checked again first, with their rows locked: whoever no
    longer qualifies is dropped, and the batch says how many and why. Suspensions queue their notice SMS
    (once per decision: the outbox's key is the person, the deadline and the stage)."""
    with transaction.atomic():
        batch = _lock_open_batch(batch)
        _refuse_maker(batch, actor)
        decisions = list(
            batch.decisions.filter(status=DecisionStatus.PROPOSED).select_related("certification", "resumes")
        )
        ids = [d.pensioner_id for d in decisions]
        states = state_lock_many(pensioner_ids=ids)
        today = timezone.localdate()
        drops = _drop_reasons(batch.kind, decisions, states, today)
        kept = [d for d in decisions if not drops.get(d.pk)]
        now = timezone.now()
        for reason in set(drops.values()) - {""}:
            PaymentDecision.objects.filter(pk__in=[pk for pk, why in drops.items() if why == reason]).update(
                status=DecisionStatus.DROPPED, drop_reason=reason, decided_by=actor, decided_at=now
            )
        kept_ids = [d.pensioner_id for d in kept]
        if batch.kind == DecisionKind.RESUME:
            _approve_resumptions(kept, actor=actor, now=now, today=today)
            state_set_payment_status(
                pensioner_ids=kept_ids,
                status=PaymentStatus.ACTIVE,
                only_from=(PaymentStatus.SUSPENDED, PaymentStatus.STOPPED),
            )
        else:
            PaymentDecision.objects.filter(pk__in=[d.pk for d in kept]).update(
                status=DecisionStatus.APPROVED,
                effective_month=suspension_starts(today),
                decided_by=actor,
                decided_at=now,
            )
            if batch.kind == DecisionKind.SUSPEND:
                state_set_payment_status(
                    pensioner_ids=kept_ids, status=PaymentStatus.SUSPENDED, only_from=(PaymentStatus.ACTIVE,)
                )
                suspension_notice_queue(pensioner_ids=kept_ids)
            else:
                state_set_payment_status(
                    pensioner_ids=kept_ids,
                    status=PaymentStatus.STOPPED,
                    only_from=(PaymentStatus.ACTIVE, PaymentStatus.SUSPENDED),
                )
        dropped_reasons: dict[str, int] = {}
        for reason in drops.values():
            if reason:
                dropped_reasons[reason] = dropped_reasons.get(reason, 0) + 1
        batch.status = DecisionStatus.APPROVED
        batch.decided_by, batch.decided_at, batch.decision_note = actor, now, (note or "").strip()[:300]
        batch.approved_count, batch.dropped_count = len(kept), sum(dropped_reasons.values())
        batch.dropped_reasons = dropped_reasons
        _batch_totals(batch)
        batch.save()
        audit_record(
            actor=actor,
            action="batch.approved",
            target=batch,
            before={"status": DecisionStatus.PROPOSED},
            after={
                "status": DecisionStatus.APPROVED,
                "approved": len(kept),
                "dropped": dropped_reasons,
                "pensioners": sorted(kept_ids),
            },
            note=note,
        )
        transaction.on_commit(lambda: batch_decided.send(sender=DecisionBatch, batch=batch))
    return batch


def _drop_reasons(kind: str, decisions, states, today: date) -> dict[int, str]:
    """Decision id -> why it no longer holds ("" when it does)."""
    if kind == DecisionKind.SUSPEND:
        exclusion_fields = [f"x_{name}" for name in ALL_EXCLUSIONS if name != ALREADY_PROPOSED]
        facts = {
            row["pensioner_id"]: row
            for row in with_suspension_facts(states_of(list(states)), today=today).values(
                "pensioner_id", "status", "next_due_on", "failed_kind_count", *exclusion_fields
            )
        }
        grace = settings.SUSPENSION_GRACE_DAYS
        return {
            d.pk: suspension_drop_reason(
                status=facts[d.pensioner_id]["status"],
                next_due_on=facts[d.pensioner_id]["next_due_on"],
                proposed_deadline=d.deadline,
                today=today,
                grace_days=grace,
                failed_kind_count=facts[d.pensioner_id]["failed_kind_count"],
                # This very proposal is the one "already proposed": it does not count against itself.
                exclusions=[name[2:] for name in exclusion_fields if facts[d.pensioner_id][name]],
            )
            for d in decisions
        }
    if kind == DecisionKind.RESUME:
        return {
            d.pk: resumption_drop_reason(
                status=states[d.pensioner_id]["status"],
                death_reported=states[d.pensioner_id]["death_reported"],
                certification_voided=d.certification is not None and d.certification.voided_at is not None,
            )
            for d in decisions
        }
    return {
        d.pk: stop_drop_reason(
            status=states[d.pensioner_id]["status"], death_reported=states[d.pensioner_id]["death_reported"]
        )
        for d in decisions
    }


def _approve_resumptions(decisions, *, actor, now, today: date) -> None:
    """Back pay is settled at approval: months waiting for the checker were withheld too."""
    for decision in decisions:
        resumes_from, months = resumption_terms(
            ended_from=decision.resumes.effective_month,
            ends_kind=decision.resumes.kind,
            certified_on=decision.certification.certified_on,
            decided_on=today,
        )
        decision.status = DecisionStatus.APPROVED
        decision.effective_month = resumes_from
        decision.back_pay_months = len(months)
        decision.back_pay_amount = back_pay_for(months, lines=benefit_lines_of(decision.pensioner_id))
        decision.decided_by, decision.decided_at = actor, now
    PaymentDecision.objects.bulk_update(
        decisions,
        ["status", "effective_month", "back_pay_months", "back_pay_amount", "decided_by", "decided_at"],
    )


def batch_reject(*, batch: DecisionBatch, actor, reason: str) -> DecisionBatch:
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Give a reason for rejecting the batch."), field="reason")
    with transaction.atomic():
        batch = _lock_open_batch(batch)
        _refuse_maker(batch, actor)
        now = timezone.now()
        batch.decisions.filter(status=DecisionStatus.PROPOSED).update(
            status=DecisionStatus.REJECTED, decided_by=actor, decided_at=now
        )
        batch.status = DecisionStatus.REJECTED
        batch.decided_by, batch.decided_at, batch.decision_note = actor, now, reason[:300]
        batch.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(actor=actor, action="batch.rejected", target=batch, note=reason)
        transaction.on_commit(lambda: batch_decided.send(sender=DecisionBatch, batch=batch))
    return batch


def suspension_exclude(*, actor, state, reason: str) -> SuspensionExclusion:
    """Keep a candidate out of suspension for their current deadline, with the staff member's reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refused(_("Give a reason for keeping this person out of suspension."), field="reason")
    with transaction.atomic():
        state = state_lock(pensioner_id=state.pensioner_id)
        try:
            with transaction.atomic():
                exclusion = SuspensionExclusion.objects.create(
                    pensioner_id=state.pensioner_id,
                    area_code=state.area_code,
                    deadline=state.next_due_on,
                    reason=reason[:200],
                    made_by=actor,
                )
        except IntegrityError:
            raise Refused(_("This person is already excluded for this deadline.")) from None
        audit_record(
            actor=actor,
            action="suspension.excluded",
            target=exclusion,
            after={"deadline": state.next_due_on, "pensioners": [state.pensioner_id]},
            note=reason,
        )
    return exclusion


def suspension_notice_queue(*, pensioner_ids: list[int]) -> int:
    """The suspension notice for each person, in the approval's transaction (the outbox is the record)."""
    if not pensioner_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            outbox_insert_sql(
                stage_sql=f"'{MessageStage.SUSPENSION_NOTICE}'",
                channel_sql="''",
                source_sql="""
                    FROM pensioners_certificationstate st
                    JOIN pensioners_pensioner p ON p.id = st.pensioner_id
                    WHERE st.pensioner_id = ANY(%s)
                """,
            ),
            [list(pensioner_ids)],
        )
        return cursor.rowcount


# ---- deadline extensions ------------------------------------------------------------------------------


def extension_propose(
    *, actor, area, due_from: date, due_until: date, days: int, reason: str
) -> DeadlineExtension:
    problems = extension_problems(
        due_from=due_from, due_until=due_until, days=days, max_days=settings.DEADLINE_EXTENSION_MAX_DAYS
    )
    reason = " ".join((reason or "").split())
    if not reason:
        problems.append(_("Give the reason (the flood, the epidemic, the outage)."))
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        extension = DeadlineExtension.objects.create(
            area_code=area.code,
            due_from=due_from,
            due_until=due_until,
            days=days,
            reason=reason[:300],
            proposed_by=actor,
            people_count=extension_reach(area_code=area.code, due_from=due_from, due_until=due_until),
        )
        audit_record(
            actor=actor,
            action="extension.proposed",
            target=extension,
            after={"from": due_from, "until": due_until, "days": days, "people": extension.people_count},
            note=reason,
        )
    return extension


def extension_reach(*, area_code: str, due_from: date, due_until: date) -> int:
    """How many people an extension would move now (the count shown before approval)."""
    area = Area.objects.get(pk=area_code)
    return CertificationState.objects.filter(
        area_code__startswith=area.scope_prefix,
        next_due_on__range=(due_from, due_until),
        status__in=[PaymentStatus.ACTIVE, PaymentStatus.SUSPENDED],
    ).count()


def _lock_extension(extension: DeadlineExtension, *, expected: str) -> DeadlineExtension:
    extension = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != expected:
        raise Refused(
            _("This extension was already decided (%(status)s).") % {"status": extension.get_status_display()}
        )
    return extension


def extension_approve(*, extension: DeadlineExtension, actor, note: str = "") -> DeadlineExtension:
    """Move every deadline in the window and area by the days, in one audited set-based statement."""
    with transaction.atomic():
        extension = _lock_extension(extension, expected=DecisionStatus.PROPOSED)
        _refuse_maker(extension, actor)
        area = Area.objects.get(pk=extension.area_code)
        with connection.cursor() as cursor:
            moved = state_extend_deadlines(
                cursor=cursor,
                extension_id=extension.pk,
                area_prefix=area.scope_prefix,
                due_from=extension.due_from,
                due_until=extension.due_until,
                days=extension.days,
            )
        extension.status = DecisionStatus.APPROVED
        extension.decided_by, extension.decided_at = actor, timezone.now()
        extension.decision_note = (note or "").strip()[:300]
        extension.people_count = moved
        extension.save()
        audit_record(
            actor=actor,
            action="extension.approved",
            target=extension,
            before={"status": DecisionStatus.PROPOSED},
            after={"status": DecisionStatus.APPROVED, "people": moved, "days": extension.days},
            note=note,
        )
    return extension


def extension_reject(*, extension: DeadlineExtension, actor, reason: str) -> DeadlineExtension:
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Give a reason for rejecting the extension."), field="reason")
    with transaction.atomic():
        extension = _lock_extension(extension, expected=DecisionStatus.PROPOSED)
        _refuse_maker(extension, actor)
        extension.status = DecisionStatus.REJECTED
        extension.decided_by, extension.decided_at, extension.decision_note = (
            actor,
            timezone.now(),
            reason[:300],
        )
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(actor=actor, action="extension.rejected", target=extension, note=reason)
    return extension


def extension_revoke(*, extension: DeadlineExtension, actor, reason: str) -> DeadlineExtension:
    """Put the old deadlines back for everyone the extension still holds (who certified since keeps theirs)."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Give a reason for revoking the extension."), field="reason")
    with transaction.atomic():
        extension = _lock_extension(extension, expected=DecisionStatus.APPROVED)
        if extension.revoked_at is not None:
            raise Refused(_("This extension was already revoked."))
        with connection.cursor() as cursor:
            restored = state_restore_deadlines(cursor=cursor, extension_id=extension.pk)
        extension.revoked_by, extension.revoked_at, extension.restored_count = actor, timezone.now(), restored
        extension.save(update_fields=["revoked_by", "revoked_at", "restored_count"])
        audit_record(
            actor=actor,
            action="extension.revoked",
            target=extension,
            after={"restored": restored},
            note=reason,
        )
    return extension
