"""Recording and voiding certifications: the only way a certification moves a deadline (through
certification.state, the state's one writer).

Every write takes a row lock on the person's certification state first, so two staff recording the same
person at the same moment are serialised and the deadline ends up following the latest certification.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.decisions.services import payment_resume
from certification.models import EXTERNAL_CHANNELS, Certification, Channel, EvidenceFile, Outcome
from certification.recording.rules import EVIDENCE_LABELS, date_problems, missing_evidence, receipt_number
from certification.recording.signals import certification_counted
from certification.reminders.services import confirmation_queue, outbox_cancel_for_deadline
from certification.state import (
    first_benefit_date_of,
    state_apply_certification,
    state_lock,
    state_recompute,
    state_snapshot,
)
from pensioners.models import CertificationState, PaymentStatus, Pensioner
from pensioners.services import form_submission_begin, form_submission_finish
from portal.audit import audit_record
from portal.deadlines import next_deadline
from portal.errors import Refused

RECEIPT_SEQUENCE = "certification_receipt_seq"


@dataclass(frozen=True)
class EvidenceUpload:
    name: str
    content_type: str
    content: bytes


def next_receipt_number() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [RECEIPT_SEQUENCE])
        (sequence,) = cursor.fetchone()
    return receipt_number(timezone.localdate(), sequence)


def receipt_number_sql() -> str:
    """The same receipt number as a SQL expression, for bulk inserts."""
    return (
        "'RZ' || to_char(timezone('Asia/Shanghai', now()), 'YYYYMMDD') || "
        "lpad(s.seq::text, greatest(7, length(s.seq::text)), '0')"
    )


def check_certification(
    *, pensioner: Pensioner, channel: str, certified_on: date, evidence: dict, file_count: int
) -> list[str]:
    """Everything wrong with a record before it is made (empty list: it can be recorded)."""
    problems = list(
        date_problems(
            certified_on=certified_on,
            today=timezone.localdate(),
            first_benefit_date=first_benefit_date_of(pensioner),
            death_date=pensioner.death_date,
        )
    )
    if channel not in EXTERNAL_CHANNELS and _payment_terminated(pensioner):
        # Staff never certify a person whose death is confirmed: the case, not a receipt, is what follows.
        problems.insert(
            0,
            _("The death of this person is confirmed (%(date)s): no certification can be recorded.")
            % {"date": pensioner.death_date.isoformat() if pensioner.death_date else "—"},
        )
    missing = missing_evidence(channel, evidence, file_count=file_count)
    if missing:
        labels = "、".join(str(EVIDENCE_LABELS.get(key, key)) for key in missing)
        problems.append(_("This channel must record: %(fields)s.") % {"fields": labels})
    return problems


def _payment_terminated(pensioner: Pensioner) -> bool:
    """Read fresh (not from a cached state): a supervisor may have confirmed the death a moment ago."""
    status = CertificationState.objects.filter(pensioner=pensioner).values_list("status", flat=True).first()
    return status == PaymentStatus.TERMINATED


def death_confirmed(pensioner: Pensioner) -> bool:
    """A confirmed death (payment terminated) or a recorded date of death: the recording screens stop."""
    return pensioner.death_date is not None or _payment_terminated(pensioner)


def certification_record(
    *,
    pensioner: Pensioner,
    channel: str,
    certified_on: date,
    actor,
    evidence: dict,
    outcome: str = Outcome.PASSED,
    acting_office=None,
    reference: str = "",
    files: list[EvidenceUpload] = (),
    form_token: UUID | None = None,
) -> Certification:
    """Record one certification. Refuses (Refused) a record that breaks a rule.

    With the `form_token` of the page that sent it, a page submitted twice records once: the second
    submission raises pensioners.services.AlreadySubmitted carrying the first one's certification id.
    """
    problems = check_certification(
        pensioner=pensioner,
        channel=channel,
        certified_on=certified_on,
        evidence=evidence,
        file_count=len(files),
    )
    if problems:
        raise Refused(problems)
    try:
        return _record(
            pensioner=pensioner,
            channel=channel,
            certified_on=certified_on,
            actor=actor,
            evidence=evidence,
            outcome=outcome,
            acting_office=acting_office,
            reference=reference,
            files=files,
            form_token=form_token,
        )
    except IntegrityError:
        # Two submissions with one reference (a consular form serial typed twice at once): the unique
        # index let the first through; the second is told which record holds it.
        holder = _reference_holder(channel, reference)
        if holder is None:
            raise
        field = "form_serial" if channel == Channel.CONSULAR_PAPER else None
        raise Refused([reference_taken_message(holder)], field=field) from None


def _reference_holder(channel: str, reference: str) -> Certification | None:
    if not reference:
        return None
    return Certification.objects.filter(channel=channel, reference=reference, voided_at__isnull=True).first()


def reference_taken_message(holder: Certification) -> str:
    return _("Serial already registered: form %(serial)s is recorded as receipt %(receipt)s of %(date)s.") % {
        "serial": holder.reference,
        "receipt": holder.receipt_number,
        "date": holder.certified_on.isoformat(),
    }


def _record(
    *, pensioner, channel, certified_on, actor, evidence, outcome, acting_office, reference, files, form_token
) -> Certification:
    with transaction.atomic():
        # First the page's token: a second submission of the same page stops here (AlreadySubmitted).
        form_submission_begin(token=form_token, kind="certification")
        state = state_lock(pensioner_id=pensioner.pk)
        certification = Certification.objects.create(
            pensioner=pensioner,
            channel=channel,
            certified_on=certified_on,
            outcome=outcome,
            area_code=pensioner.community_id,
            acting_office=acting_office,
            recorded_by=actor,
            receipt_number=next_receipt_number(),
            reference=reference,
            evidence=evidence,
        )
        for upload in files:
            _store_evidence_file(certification, upload, actor)
        before = state_snapshot(state)
        if certification.counts:
            state_apply_certification(state=state, certification=certification)
            if state.status in (PaymentStatus.SUSPENDED, PaymentStatus.STOPPED):
                payment_resume(state=state, certification=certification)
        audit_record(
            actor=actor,
            action="certification.recorded",
            target=certification,
            before=before,
            after={
                **state_snapshot(state),
                "channel": channel,
                "certified_on": certified_on,
                "outcome": outcome,
                "receipt": certification.receipt_number,
            },
        )
        form_submission_finish(token=form_token, object_id=certification.pk)
        if certification.counts:
            certification_counted.send(sender=Certification, certification=certification, actor=actor)
            transaction.on_commit(lambda: _after_certified(certification.pk))
    return certification


def certification_record_external(
    *,
    pensioner: Pensioner,
    channel: str,
    certified_on: date,
    reference: str,
    evidence: dict,
    outcome: str = Outcome.PASSED,
) -> tuple[Certification, bool]:
    """Entry point for channel feeds (apps, consular app, data match): idempotent on (channel, reference).

    Returns (certification, created). A reference seen before returns the existing record unchanged.
    """
    if channel not in EXTERNAL_CHANNELS:
        raise ValueError(f"{channel} is recorded by staff, not by a feed")
    if not reference:
        raise Refused([_("A channel record needs its reference.")])
    existing = Certification.objects.filter(
        channel=channel, reference=reference, voided_at__isnull=True
    ).first()
    if existing is not None:
        return existing, False
    evidence = {"reference": reference, **evidence}
    certification = certification_record(
        pensioner=pensioner,
        channel=channel,
        certified_on=certified_on,
        actor=None,
        evidence=evidence,
        outcome=outcome,
        reference=reference,
    )
    return certification, True


def certification_void(*, certification: Certification, actor, reason: str) -> Certification:
    """Void a certification with a reason; the deadline is recomputed from what remains."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused([_("Give a reason for voiding.")])
    with transaction.atomic():
        state = state_lock(pensioner_id=certification.pensioner_id)
        locked = Certification.objects.select_for_update().get(pk=certification.pk)
        if locked.voided_at is not None:
            raise Refused([_("This certification is already voided.")])
        before = state_snapshot(state)
        locked.voided_at = timezone.now()
        locked.voided_by = actor
        locked.void_reason = reason
        locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
        state_recompute(state=state)
        _withdraw_messages_for_voided_deadline(state, locked)
        audit_record(
            actor=actor,
            action="certification.voided",
            target=locked,
            before=before,
            after=state_snapshot(state),
            note=reason,
        )
    return locked


def _withdraw_messages_for_voided_deadline(state: CertificationState, voided: Certification) -> None:
    """No message may name a deadline that only the voided certification gave: its unsent confirmation,
    and any reminder already planned for that date, are cancelled in the same transaction."""
    if voided.outcome != Outcome.PASSED:
        return  # a failed attempt never set a deadline nor queued a confirmation
    _, voided_deadline = next_deadline(first_benefit_date=None, certified_dates=[voided.certified_on])
    if state.next_due_on != voided_deadline:
        outbox_cancel_for_deadline(pensioner_id=state.pensioner_id, deadline=voided_deadline)


def _after_certified(certification_id: int) -> None:
    """Runs after commit: queue the confirmation SMS for the new deadline."""
    confirmation_queue(certification_ids=[certification_id])


def _store_evidence_file(certification: Certification, upload: EvidenceUpload, actor) -> EvidenceFile:
    from django.core.files.base import ContentFile

    if len(upload.content) > settings.EVIDENCE_MAX_BYTES:
        raise Refused([_("The file is too large.")])
    evidence_file = EvidenceFile(
        certification=certification,
        original_name=upload.name[:200],
        content_type=upload.content_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_by=actor,
    )
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}[upload.content_type]
    evidence_file.file.save(
        f"{certification.receipt_number}.{extension}", ContentFile(upload.content), save=False
    )
    evidence_file.save()
    return evidence_file
