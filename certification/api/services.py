"""Every write of the channel API: clients and their tokens, the records clients report, and the review
of records from abroad.

`channel_records_report` is set-based: a batch of up to 1,000 records costs a handful of statements,
whatever its size, so the apps' feeds keep up with millions of pensioners. It follows the same rules as
`certification_record` (recording/services.py), which the review of a record from abroad calls as is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import psycopg
import psycopg.errors
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.api.models import ChannelClient, ChannelRecord, RecordStatus, ReviewStatus
from certification.api.rules import (
    ChannelReport,
    PersonFacts,
    Verdict,
    api_state,
    check_record_shape,
    judge_record,
    new_token,
    reference_of,
    token_digest,
)
from certification.decisions.services import payment_resume
from certification.models import Certification, Channel
from certification.recording.services import certification_record, receipt_number_sql
from certification.reminders.services import confirmation_queue
from certification.state import state_certify_from_records_sql
from certification.visits.services import home_visits_close_after_certification_sql
from pensioners.models import CertificationState, PaymentStatus, Pensioner
from pensioners.services import form_submission_begin, form_submission_finish
from portal.audit import audit_record
from portal.errors import Refused

# Two batches that touch the same people or references in another order could deadlock; PostgreSQL
# then cancels one, and it is simply run again (every statement below is safe to repeat as a whole).
DEADLOCK_RETRIES = 3


# --- Clients ----------------------------------------------------------------------------------------


def _check_client_fields(*, name: str, channels: list[str], exclude_pk: int | None = None) -> None:
    problems = []
    if not name.strip():
        problems.append(_("A client needs a name."))
    elif ChannelClient.objects.filter(name=name.strip()).exclude(pk=exclude_pk).exists():
        problems.append(_("A client with this name exists already."))
    if not channels:
        problems.append(_("Choose at least one channel."))
    if problems:
        raise Refused(problems)


def channel_client_create(
    *, actor, name: str, channels: list[str], scopes: list[str], form_token: UUID | None = None
) -> tuple[ChannelClient, str]:
    """Register a client. Returns the client and its token, which is never stored nor shown again."""
    _check_client_fields(name=name, channels=channels)
    token = new_token()
    with transaction.atomic():
        # A registration page sent twice (a double click) registers once: AlreadySubmitted names the first.
        form_submission_begin(token=form_token, kind="channel_client")
        client = ChannelClient.objects.create(
            name=name.strip(),
            channels=sorted(set(channels)),
            scopes=sorted(set(scopes)),
            token_digest=token_digest(token),
            token_hint=token[:10],
            token_issued_at=timezone.now(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="channel_client.created",
            target=client,
            after={"name": client.name, "channels": client.channels, "scopes": client.scopes},
        )
        form_submission_finish(token=form_token, object_id=client.pk)
    return client, token


def channel_client_update(
    *, actor, client: ChannelClient, name: str, channels: list[str], scopes: list[str], active: bool = True
) -> None:
    """Name, rights and the active flag (off: the token is kept but every call gets 401 until it is on)."""
    _check_client_fields(name=name, channels=channels, exclude_pk=client.pk)
    with transaction.atomic():
        client = ChannelClient.objects.select_for_update().get(pk=client.pk)
        before = {
            "name": client.name,
            "channels": client.channels,
            "scopes": client.scopes,
            "active": client.active,
        }
        client.name, client.channels, client.scopes = name.strip(), sorted(set(channels)), sorted(set(scopes))
        client.active = active and client.revoked_at is None
        client.save(update_fields=["name", "channels", "scopes", "active"])
        audit_record(
            actor=actor,
            action="channel_client.updated",
            target=client,
            before=before,
            after={
                "name": client.name,
                "channels": client.channels,
                "scopes": client.scopes,
                "active": client.active,
            },
        )


def channel_client_rotate(*, actor, client: ChannelClient) -> str:
    """A new token; the old one stops working at once. Rotating a revoked client brings it back."""
    token = new_token()
    with transaction.atomic():
        client = ChannelClient.objects.select_for_update().get(pk=client.pk)
        client.token_digest, client.token_hint = token_digest(token), token[:10]
        client.token_issued_at, client.revoked_at, client.active = timezone.now(), None, True
        client.save(update_fields=["token_digest", "token_hint", "token_issued_at", "revoked_at", "active"])
        audit_record(actor=actor, action="channel_client.token_rotated", target=client)
    return token


def channel_client_revoke(*, actor, client: ChannelClient, reason: str) -> None:
    if not reason.strip():
        raise Refused([_("Give the reason for revoking.")], field="reason")
    with transaction.atomic():
        client = ChannelClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is not None:
            raise Refused([_("This client's token is revoked already.")])
        client.revoked_at, client.active = timezone.now(), False
        client.save(update_fields=["revoked_at", "active"])
        audit_record(actor=actor, action="channel_client.revoked", target=client, note=reason.strip())


def channel_client_authenticate(token: str) -> ChannelClient | None:
    """The usable client holding this token, or None (unknown, revoked or inactive: all the same 401)."""
    if not token:
        return None
    client = ChannelClient.objects.usable().filter(token_digest=token_digest(token)).first()
    if client is not None:
        now = timezone.now()
        # One write a minute at most: a client posting many batches a second does not queue on its own row.
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            ChannelClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def channel_call_refused(*, client: ChannelClient, path: str, status: int, code: str) -> None:
    """A call from a known client that was refused as a whole (400, 403, 413, 429): on the record too."""
    audit_record(
        actor=None,
        actor_username=client.username,
        action="api.call_refused",
        target=client,
        after={"path": path[:200], "status": status, "code": code},
    )


# --- Reported records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordResult:
    reference: str | None
    status: str
    code: str
    message: str
    next_due_on: date | None

    def as_dict(self) -> dict:
        return {
            "reference": self.reference,
            "status": self.status,
            "reason": {"code": self.code, "message": self.message},
            "next_due_on": self.next_due_on.isoformat() if self.next_due_on else None,
        }


def channel_records_report(*, client: ChannelClient, records: list) -> list[RecordResult]:
    """Judge and record a batch from a channel client; one result per record, in order. A rejected record
    does not hold back the others. Everything the batch changes commits together, with one audit event."""
    today = timezone.localdate()
    verdicts: list[Verdict | None] = []
    reports: list[ChannelReport | None] = []
    for position, raw in enumerate(records):
        shaped = check_record_shape(position, raw, allowed_channels=client.channels, today=today)
        if isinstance(shaped, Verdict):
            verdicts.append(shaped)
            reports.append(None)
        else:
            verdicts.append(None)
            reports.append(shaped)
    for attempt in range(DEADLOCK_RETRIES):
        try:
            with transaction.atomic():
                return _report(
                    client=client, records=records, verdicts=list(verdicts), reports=reports, today=today
                )
        except (OperationalError, psycopg.errors.DeadlockDetected) as error:
            if not _deadlocked(error) or attempt == DEADLOCK_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _deadlocked(error: Exception) -> bool:
    """PostgreSQL's deadlock (SQLSTATE 40P01), raised as is by psycopg's own cursor or wrapped by Django's."""
    return isinstance(error, psycopg.errors.DeadlockDetected) or isinstance(
        error.__cause__, psycopg.errors.DeadlockDetected
    )


def _report(*, client, records, verdicts, reports, today) -> list[RecordResult]:
    facts = _facts_of({report.id_number for report in reports if report is not None})
    taken: set[str] = set()
    for position, report in enumerate(reports):
        if report is None:
            continue
        verdict = judge_record(report, facts.get(report.id_number))
        if verdict.status != RecordStatus.REJECTED:
            if report.reference in taken:
                verdict = Verdict(RecordStatus.DUPLICATE, "duplicate")
            taken.add(report.reference)
        verdicts[position] = verdict
    claimed = _store_records(client=client, reports=reports, verdicts=verdicts, facts=facts)
    # A reference this client had accepted before conflicts and is not stored again: a duplicate.
    for position, report in enumerate(reports):
        verdict = verdicts[position]
        if report is not None and verdict.status in (RecordStatus.ACCEPTED, RecordStatus.PENDING_REVIEW):
            if report.reference not in claimed:
                verdicts[position] = Verdict(RecordStatus.DUPLICATE, "duplicate")
    accepted = {
        claimed[report.reference]
        for report, verdict in zip(reports, verdicts, strict=True)
        if report is not None and verdict.status == RecordStatus.ACCEPTED
    }
    certified = _certify(claimed_ids=sorted(accepted))
    # Accepted, but the same channel reference is on file already (another client reported the same
    # event): a duplicate too, and its row goes, so that it records nothing.
    if accepted - certified:
        ChannelRecord.objects.filter(pk__in=accepted - certified).delete()
        for position, report in enumerate(reports):
            if (
                verdicts[position].status == RecordStatus.ACCEPTED
                and claimed[report.reference] not in certified
            ):
                verdicts[position] = Verdict(RecordStatus.DUPLICATE, "duplicate")
    due = _deadlines_of(
        {facts[r.id_number].pensioner_id for r in reports if r is not None and r.id_number in facts}
    )
    results = []
    counts: dict[str, int] = {}
    for position, raw in enumerate(records):
        verdict, report = verdicts[position], reports[position]
        person = facts.get(report.id_number) if report is not None else None
        counts[verdict.status] = counts.get(verdict.status, 0) + 1
        results.append(
            RecordResult(
                reference=report.reference if report is not None else reference_of(raw),
                status=verdict.status,
                code=verdict.code,
                message=verdict.message,
                next_due_on=due.get(person.pensioner_id) if person is not None else None,
            )
        )
    people = sorted(
        {
            facts[r.id_number].pensioner_id
            for r, v in zip(reports, verdicts, strict=True)
            if r is not None and v.status in (RecordStatus.ACCEPTED, RecordStatus.PENDING_REVIEW)
        }
    )
    audit_record(
        actor=None,
        actor_username=client.username,
        action="api.certifications_reported",
        target=client,
        after={"records": len(records), **counts, "pensioners": people},
    )
    return results


def _server_bound_cursor() -> psycopg.Cursor:
    """psycopg's own cursor on Django's connection (same transaction), binding parameters on the server:
    arrays of 1,000 values travel as parameters instead of being quoted into the statement text, which
    Django's client-side cursor does in Python (~30 ms a batch)."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _facts_of(id_numbers: set[str]) -> dict[str, PersonFacts]:
    if not id_numbers:
        return {}
    with _server_bound_cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id_number, p.id, p.name, st.area_code, st.status, st.death_reported, p.death_date,
                   (SELECT min(b.first_benefit_date) FROM pensioners_benefitline b WHERE b.pensioner_id = p.id),
                   st.latest_certified_on, st.next_due_on, st.latest_channel
            FROM pensioners_pensioner p
            JOIN pensioners_certificationstate st ON st.pensioner_id = p.id
            WHERE p.id_number = ANY(%s::text[])
            """,
            [sorted(id_numbers)],
        )
        return {row[0]: PersonFacts(*row[1:]) for row in cursor.fetchall()}


def _deadlines_of(pensioner_ids: set[int]) -> dict[int, date | None]:
    return dict(
        CertificationState.objects.filter(pensioner_id__in=pensioner_ids).values_list(
            "pensioner_id", "next_due_on"
        )
    )


def _store_records(*, client, reports, verdicts, facts) -> dict[str, int]:
    """One row per record with a usable reference. Returns {reference: id} of the accepted and waiting rows
    stored now: a reference the client had accepted before conflicts and is left out. Rows go in sorted
    by reference, so two batches naming the same references wait for each other instead of deadlocking."""
    rows = []
    for report, verdict in zip(reports, verdicts, strict=True):
        if report is None or verdict.status == RecordStatus.DUPLICATE:
            continue
        person = facts.get(report.id_number)
        rows.append(
            (
                report.reference,
                verdict.status,
                verdict.code,
                report.channel,
                person.pensioner_id if person else None,
                person.area_code if person else "",
                report.certified_on,
                json.dumps(report.evidence, ensure_ascii=False),
                ReviewStatus.PENDING if verdict.status == RecordStatus.PENDING_REVIEW else ReviewStatus.NONE,
            )
        )
    if not rows:
        return {}
    rows.sort(key=lambda row: (row[0], row[1]))
    columns = list(zip(*rows, strict=True))
    with _server_bound_cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO certification_channelrecord (
                client_id, reference, received_at, status, reason_code, channel, pensioner_id, area_code,
                certified_on, evidence, review_status, review_reason)
            SELECT %s, r.reference, now(), r.status, r.reason_code, r.channel, r.pensioner_id, r.area_code,
                   r.certified_on, r.evidence::jsonb, r.review_status, ''
            FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::bigint[], %s::text[], %s::date[],
                        %s::text[], %s::text[])
                 WITH ORDINALITY AS r(reference, status, reason_code, channel, pensioner_id, area_code,
                                      certified_on, evidence, review_status, n)
            ORDER BY r.n
            ON CONFLICT (client_id, reference) WHERE status IN ('accepted', 'pending_review') DO NOTHING
            RETURNING id, reference, status
            """,
            [client.pk, *[list(column) for column in columns]],
        )
        return {
            reference: pk for pk, reference, status in cursor.fetchall() if status != RecordStatus.REJECTED
        }


def _certify(*, claimed_ids: list[int]) -> set[int]:
    """The accepted records become certifications (idempotent on channel and reference); deadlines move
    forward, open home visits close, confirmations are queued and suspended people get a resumption
    proposed, all as the staff screens do for one person. Returns the ids of the records certified."""
    if not claimed_ids:
        return set()
    with connection.cursor() as cursor:
        # The people's state rows first, in one order: two batches about the same person queue here.
        cursor.execute(
            """
            SELECT st.pensioner_id FROM pensioners_certificationstate st
            WHERE st.pensioner_id IN (SELECT r.pensioner_id FROM certification_channelrecord r WHERE r.id = ANY(%s))
            ORDER BY st.pensioner_id FOR UPDATE
            """,
            [claimed_ids],
        )
        cursor.execute(
            f"""
            WITH chosen AS (
                SELECT r.*, nextval('certification_receipt_seq') AS seq
                FROM (SELECT * FROM certification_channelrecord WHERE id = ANY(%s) ORDER BY channel, reference) r
            ),
            inserted AS (
                INSERT INTO certification_certification (
                    pensioner_id, channel, certified_on, outcome, area_code, acting_office_id, recorded_by_id,
                    recorded_at, receipt_number, reference, evidence, import_job_id, needs_investigation,
                    investigation_note, voided_at, voided_by_id, void_reason)
                SELECT s.pensioner_id, s.channel, s.certified_on, 'passed', s.area_code, NULL, NULL, now(),
                       {receipt_number_sql()}, s.reference,
                       s.evidence || jsonb_build_object('reference', s.reference, 'client', c.name),
                       NULL, false, '', NULL, NULL, ''
                FROM chosen s JOIN certification_channelclient c ON c.id = s.client_id
                ON CONFLICT DO NOTHING
                RETURNING id, channel, reference, pensioner_id, certified_on
            )
            -- Not written back onto the channel records: an accepted record and its certification share
            -- (channel, reference), and rewriting a million fresh rows cost a fifth of the database's time.
            SELECT s.id, i.id, i.pensioner_id, i.certified_on
            FROM inserted i JOIN chosen s ON s.channel = i.channel AND s.reference = i.reference
            """,
            [claimed_ids],
        )
        pairs = cursor.fetchall()
        if not pairs:
            return set()
        certification_ids = [certification_id for _record, certification_id, _person, _on in pairs]
        # Each person's latest of the batch: the one whose deadline the confirmation announces.
        latest: dict[int, tuple] = {}
        for _record, certification_id, pensioner_id, certified_on in pairs:
            latest[pensioner_id] = max(
                latest.get(pensioner_id, (certified_on, 0)), (certified_on, certification_id)
            )
        id_list = "ARRAY[" + ",".join(str(int(pk)) for pk in certification_ids) + "]::bigint[]"
        cursor.execute(
            f"""
            SELECT st.pensioner_id FROM pensioners_certificationstate st
            WHERE st.pensioner_id IN (SELECT pensioner_id FROM certification_certification WHERE id = ANY({id_list}))
              AND st.status IN ('{PaymentStatus.SUSPENDED}', '{PaymentStatus.STOPPED}')
            """
        )
        suspended = [pensioner_id for (pensioner_id,) in cursor.fetchall()]
        cursor.execute(state_certify_from_records_sql(certification_ids_sql=id_list))
        home_visits_close_after_certification_sql(
            cursor,
            certified_rows_sql=f"""
                SELECT c.pensioner_id, c.id AS certification_id, c.channel, c.certified_on
                FROM certification_certification c WHERE c.id = ANY({id_list})
            """,
        )
    confirmation_queue(certification_ids=[certification_id for _on, certification_id in latest.values()])
    for pensioner_id in suspended:
        state = (
            CertificationState.objects.select_for_update(of=("self",))
            .select_related("pensioner")
            .get(pk=pensioner_id)
        )
        certification = (
            Certification.objects.filter(pk__in=certification_ids, pensioner_id=pensioner_id)
            .order_by("-certified_on", "-id")
            .first()
        )
        payment_resume(state=state, certification=certification)
    return {record_id for record_id, *_rest in pairs}


# --- Status -----------------------------------------------------------------------------------------


def pensioner_status_read(*, client: ChannelClient, id_number: str) -> dict | None:
    """{"state", "next_due_on"} of the person with this ID number, or None; audited under the client."""
    state = (
        CertificationState.objects.filter(pensioner__id_number=id_number)
        .values("pensioner_id", "area_code", "status", "next_due_on")
        .first()
    )
    audit_record(
        actor=None,
        actor_username=client.username,
        action="api.status_read",
        target=client,
        area_code=state["area_code"] if state else "",
        after={"pensioners": [state["pensioner_id"]] if state else [], "found": state is not None},
    )
    if state is None:
        return None
    return {
        "state": api_state(
            status=state["status"], next_due_on=state["next_due_on"], today=timezone.localdate()
        ),
        "next_due_on": state["next_due_on"],
    }


# --- The review of records from abroad ----------------------------------------------------------------


def _lock_waiting(record: ChannelRecord) -> ChannelRecord:
    record = ChannelRecord.objects.select_for_update().select_related("client").get(pk=record.pk)
    if record.review_status != ReviewStatus.PENDING:
        raise Refused([_("This record has been reviewed already.")])
    return record


def channel_review_accept(*, record: ChannelRecord, actor) -> Certification:
    """The clerk accepts a 境外认 record: only now does it certify, through the one recording service."""
    with transaction.atomic():
        record = _lock_waiting(record)
        pensioner = Pensioner.objects.get(pk=record.pensioner_id)
        # The same rule as the API's: an open death case is settled first (it may have opened since).
        if CertificationState.objects.filter(pensioner=pensioner, death_reported=True).exists():
            raise Refused([_("A death case is open for this person: staff must settle it first.")])
        certification = certification_record(
            pensioner=pensioner,
            channel=Channel.ABROAD_APP,
            certified_on=record.certified_on,
            actor=actor,
            evidence={
                **record.evidence,
                "reference": record.reference,
                "client": record.client.name,
                "review_decision": "accepted",
                "reviewer": actor.get_full_name() or actor.username,
            },
            reference=record.reference,
        )
        record.review_status, record.reviewed_by, record.reviewed_at = (
            ReviewStatus.ACCEPTED,
            actor,
            timezone.now(),
        )
        record.certification = certification
        record.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "certification"])
        audit_record(
            actor=actor,
            action="channel_review.accepted",
            target=record,
            area_code=record.area_code,
            after={"certification": certification.pk, "pensioners": [record.pensioner_id]},
        )
    return certification


def channel_review_reject(*, record: ChannelRecord, actor, reason: str) -> None:
    """A rejected review is a failed attempt: it certifies nothing and moves no deadline."""
    if not reason.strip():
        raise Refused([_("Give the reason for rejecting.")], field="reason")
    with transaction.atomic():
        record = _lock_waiting(record)
        record.review_status, record.reviewed_by, record.reviewed_at = (
            ReviewStatus.REJECTED,
            actor,
            timezone.now(),
        )
        record.review_reason = reason.strip()[:200]
        record.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "review_reason"])
        audit_record(
            actor=actor,
            action="channel_review.rejected",
            target=record,
            area_code=record.area_code,
            note=record.review_reason,
            after={"pensioners": [record.pensioner_id]},
        )
