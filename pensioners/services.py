"""Writes to the registry. Each function is one transaction and writes its own audit event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pensioners.contracts import state_keeper
from pensioners.models import BenefitLine, FormSubmission, Pensioner
from pensioners.pinyin import pinyin_keys
from pensioners.rules import parse_id_number
from portal.audit import audit_record, changes_between

# Fields staff may change on a pensioner; the ID number is identity and is not among them.
EDITABLE_FIELDS = (
    "name",
    "phone",
    "alternate_phone",
    "address",
    "community",
    "abroad_country",
    "needs_home_service",
    "home_service_reason",
    "phone_known_wrong",
)


class AlreadySubmitted(Exception):
    """This page was submitted before: `object_id` is what its first submission created."""

    def __init__(self, submission: FormSubmission):
        super().__init__(f"form {submission.token} already submitted")
        self.submission = submission
        self.object_id = submission.object_id


class AlreadyRegistered(Exception):
    """Another submission registered this ID number first (two people typing the same person at once)."""

    def __init__(self, pensioner: Pensioner):
        super().__init__(f"pensioner {pensioner.pk} already registered")
        self.pensioner = pensioner


def form_submission_find(*, token: UUID | None, kind: str) -> FormSubmission | None:
    """The finished first submission of this page, if there was one (a cheap check before validating)."""
    if token is None:
        return None
    return FormSubmission.objects.filter(token=token, kind=kind, object_id__isnull=False).first()


def form_submission_begin(*, token: UUID | None, kind: str) -> None:
    """Claim the page's token inside the caller's transaction, or raise AlreadySubmitted.

    A second submission of the same page waits here until the first commits (the primary key's
    insert lock), then finds it; if the first rolled back, the second does the work instead.
    """
    if token is None:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO pensioners_formsubmission (token, kind, object_id, submitted_at) "
            "VALUES (%s, %s, NULL, now()) ON CONFLICT (token) DO NOTHING",
            [token, kind],
        )
        claimed = cursor.rowcount == 1
    if not claimed:
        raise AlreadySubmitted(FormSubmission.objects.get(token=token))


def form_submission_finish(*, token: UUID | None, object_id: int) -> None:
    if token is not None:
        FormSubmission.objects.filter(token=token).update(object_id=object_id)


@dataclass(frozen=True)
class BenefitLineData:
    scheme: str
    first_benefit_date: date
    monthly_amount: Decimal | None = None


def pensioner_create(
    *,
    actor,
    id_number: str,
    details: dict,
    benefit_lines: list[BenefitLineData],
    form_token: UUID | None = None,
) -> Pensioner:
    """Register a pensioner with their benefit lines; the first deadline runs from the first payment.

    Raises AlreadySubmitted when this page was submitted before, and AlreadyRegistered when another
    submission registered the same ID number first (the unique index decides, not a prior check).
    """
    parsed = parse_id_number(id_number, today=timezone.localdate())
    try:
        return _pensioner_create(
            actor=actor, parsed=parsed, details=details, benefit_lines=benefit_lines, form_token=form_token
        )
    except IntegrityError:
        existing = Pensioner.objects.filter(id_number=parsed.number).first()
        if existing is None:
            raise
        raise AlreadyRegistered(existing) from None


def _pensioner_create(*, actor, parsed, details, benefit_lines, form_token) -> Pensioner:
    with transaction.atomic():
        form_submission_begin(token=form_token, kind="pensioner")
        pensioner = Pensioner(
            id_number=parsed.number,
            legacy_id_number=parsed.legacy_number,
            gender=parsed.gender,
            birth_date=parsed.birth_date,
            **details,
        )
        pensioner.name_pinyin, pensioner.name_initials = pinyin_keys(pensioner.name)
        pensioner.save()
        BenefitLine.objects.bulk_create(
            BenefitLine(
                pensioner=pensioner,
                scheme=line.scheme,
                first_benefit_date=line.first_benefit_date,
                monthly_amount=line.monthly_amount,
            )
            for line in benefit_lines
        )
        state_keeper().registered(
            pensioner=pensioner, first_benefit_date=min(line.first_benefit_date for line in benefit_lines)
        )
        audit_record(
            actor=actor,
            action="pensioner.created",
            target=pensioner,
            after={**_snapshot(pensioner), "benefit_lines": [line.scheme for line in benefit_lines]},
        )
        form_submission_finish(token=form_token, object_id=pensioner.pk)
    return pensioner


def pensioner_update(*, actor, pensioner: Pensioner, changes: dict) -> Pensioner:
    """Change a pensioner's details; moving community moves them between queues too."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = Pensioner.objects.select_for_update().get(pk=pensioner.pk)
        before = _snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.name_pinyin, locked.name_initials = pinyin_keys(locked.name)
        after = _snapshot(locked)
        changed_before, changed_after = changes_between(before, after)
        if not changed_after:
            return locked
        if {"phone", "alternate_phone", "address"} & set(changed_after):
            locked.contact_changed_at = timezone.now()
        locked.save()
        if "community" in changed_after:
            state_keeper().moved(pensioner=locked)
        audit_record(
            actor=actor, action="pensioner.changed", target=locked, before=changed_before, after=changed_after
        )
    return locked


def benefit_lines_replace(*, actor, pensioner: Pensioner, benefit_lines: list[BenefitLineData]) -> None:
    """Set a pensioner's benefit lines; with no certification yet, the first deadline follows them."""
    with transaction.atomic():
        before = list(pensioner.benefit_lines.values("scheme", "first_benefit_date", "monthly_amount"))
        kept_schemes = [line.scheme for line in benefit_lines]
        pensioner.benefit_lines.exclude(scheme__in=kept_schemes).delete()
        for line in benefit_lines:
            BenefitLine.objects.update_or_create(
                pensioner=pensioner,
                scheme=line.scheme,
                defaults={
                    "first_benefit_date": line.first_benefit_date,
                    "monthly_amount": line.monthly_amount,
                },
            )
        state_keeper().benefits_changed(
            pensioner=pensioner, first_benefit_date=min(line.first_benefit_date for line in benefit_lines)
        )
        after = [
            {
                "scheme": line.scheme,
                "first_benefit_date": line.first_benefit_date,
                "monthly_amount": line.monthly_amount,
            }
            for line in benefit_lines
        ]
        if before != after:
            audit_record(
                actor=actor,
                action="pensioner.benefits_changed",
                target=pensioner,
                before={"lines": [_plain_line(line) for line in before]},
                after={"lines": [_plain_line(line) for line in after]},
            )


def pensioner_edit(
    *, actor, pensioner: Pensioner, changes: dict, benefit_lines: list[BenefitLineData]
) -> Pensioner:
    """The edit page's one write: details and benefit lines stand or fall together."""
    with transaction.atomic():
        pensioner = pensioner_update(actor=actor, pensioner=pensioner, changes=changes)
        benefit_lines_replace(actor=actor, pensioner=pensioner, benefit_lines=benefit_lines)
    return pensioner


def pensioner_reveal_identity(*, actor, pensioner: Pensioner, reason: str) -> str:
    """Show a full ID number on purpose: the reason and the viewer go to the audit log first."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a reason is required to reveal an ID number")
    audit_record(actor=actor, action="pensioner.revealed", target=pensioner, note=reason)
    return pensioner.id_number


def _snapshot(pensioner: Pensioner) -> dict:
    values = {name: getattr(pensioner, name) for name in EDITABLE_FIELDS if name != "community"}
    values["community"] = pensioner.community_id
    return values


def _plain_line(line: dict) -> dict:
    return {key: str(value) if value is not None else None for key, value in line.items()}


LOOKUP_ACTIONS = ("pensioner.counter_lookup", "pensioner.lookup_missed")


def pensioner_lookup_by_id(*, actor, id_number: str, place: str) -> Pensioner | None:
    """The person with this exact (parsed) ID number anywhere in the city, or None. Every lookup, hit or
    miss, is audited under the staff member's own area, and each staff member gets at most
    ID_LOOKUPS_PER_10_MINUTES of them: the counter must find anyone, but nobody may walk the ID space.
    Raises Refused when the limit is reached (nothing is looked up)."""
    from datetime import timedelta

    from django.conf import settings

    from portal.errors import Refused
    from portal.masking import mask_id_number
    from portal.models import AuditEvent

    recent = AuditEvent.objects.filter(
        actor=actor, action__in=LOOKUP_ACTIONS, at__gte=timezone.now() - timedelta(minutes=10)
    ).count()
    if recent >= settings.ID_LOOKUPS_PER_10_MINUTES:
        audit_record(
            actor=actor, action="pensioner.lookup_refused", note=f"{place} {mask_id_number(id_number)}"
        )
        raise Refused(
            _(
                "You have looked up %(count)s ID numbers in the last 10 minutes, the most allowed. Wait a few minutes, or ask your supervisor."
            )
            % {"count": recent},
            field="id_number",  # shown beside the ID the clerk typed
        )
    pensioner = Pensioner.objects.filter(id_number=id_number).select_related("community").first()
    if pensioner is None:
        audit_record(
            actor=actor, action="pensioner.lookup_missed", note=f"{place} {mask_id_number(id_number)}"
        )
    else:
        audit_record(actor=actor, action="pensioner.counter_lookup", target=pensioner, note=place)
    return pensioner
