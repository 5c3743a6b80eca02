"""The reminder job: plan the messages due, then dispatch them, once each, in daytime.

Planning and sending are separate steps. Planning inserts one outbox row per (person, deadline, stage)
with `ON CONFLICT DO NOTHING`: the unique constraint, not the job's memory, guarantees "at most once".
Dispatch claims queued rows with `FOR UPDATE SKIP LOCKED`, so two dispatchers never take the same row,
re-checks each person just before sending (a person who has certified meanwhile is not reminded), and
records every gateway answer. A crash between planning and sending loses nothing: the rows wait.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from certification.models import (
    DecisionKind,
    JobRun,
    MessageStage,
    MessageStatus,
    MessageTemplate,
    OutboxMessage,
    PaymentDecision,
    SendAttempt,
    SkipReason,
)
from certification.reminders.backends import Delivery, get_backend
from certification.reminders.texts import (
    DEFAULT_TEMPLATES,
    FINAL_REMINDER,
    FIRST_REMINDER,
    OVERDUE_NOTICE,
    render,
    stage_on,
    template_key_for,
    template_problems,
)
from pensioners.models import AreaLevel, CertificationState, PaymentStatus
from portal.audit import audit_record
from portal.errors import Refused
from portal.roles import Capability
from portal.scoping import scope_for

logger = logging.getLogger(__name__)

# A planning stage that adds more rows than this refreshes the outbox's statistics for the next one.
PLANNED_MANY = 10_000
# Dispatch takes at most this many messages into one transaction.
BATCH = 200
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
STALE_CLAIM = timedelta(minutes=10)
DISPATCH_LOCK = 80_412_611  # pg_advisory_lock key: one dispatcher at a time keeps the rate caps true


@dataclass
class JobSummary:
    counts: dict = field(default_factory=dict)

    def add(self, key: str, amount: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + amount

    def as_line(self) -> str:
        return " ".join(f"{key}={value}" for key, value in sorted(self.counts.items())) or "nothing=0"


def local_moment(at: datetime | None = None) -> datetime:
    return timezone.localtime(at or timezone.now())


def within_sending_hours(moment: datetime) -> bool:
    clock = timezone.localtime(moment).time()
    return settings.SMS_SEND_FROM <= clock < settings.SMS_SEND_UNTIL


# --------------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------------

# Why a planned message will not go: checked in this order; the first that applies is the reason.
SKIP_REASON_SQL = f"""
    CASE
        WHEN st.status = '{PaymentStatus.TERMINATED}' THEN '{SkipReason.TERMINATED}'
        WHEN st.death_reported THEN '{SkipReason.DEATH_REPORTED}'
        WHEN p.phone = '' THEN '{SkipReason.NO_PHONE}'
        WHEN p.phone_known_wrong THEN '{SkipReason.PHONE_WRONG}'
        ELSE ''
    END
"""


def outbox_insert_sql(
    *, stage_sql: str, channel_sql: str, source_sql: str, on_conflict: str = "DO NOTHING"
) -> str:
    """INSERT one outbox row per person that `source_sql` selects (a FROM ... WHERE naming the state
    table `st` and the registry `p`); rows that cannot go are stored as skipped with their reason, and a
    message already planned for the person, deadline and stage is left as it is (unless `on_conflict`
    says otherwise)."""
    return f"""
        INSERT INTO certification_outboxmessage (
            pensioner_id, area_code, deadline, stage, channel, status, skip_reason, template_key, phone, text,
            planned_at, attempts)
        SELECT st.pensioner_id, st.area_code, st.next_due_on, {stage_sql}, {channel_sql},
               CASE WHEN {SKIP_REASON_SQL} = '' THEN 'queued' ELSE 'skipped' END, {SKIP_REASON_SQL},
               '', '', '', now(), 0
        {source_sql}
        ON CONFLICT (pensioner_id, deadline, stage) {on_conflict}
    """


def _stage_windows(today: date) -> dict[str, tuple[date | None, date]]:
    """For each dated stage, the deadlines that are in it today: (earliest or None, latest)."""
    first_from = today + timedelta(days=settings.REMINDER_FINAL_DAYS_BEFORE + 1)
    first_until = today + timedelta(days=settings.REMINDER_FIRST_DAYS_BEFORE)
    final_until = today + timedelta(days=settings.REMINDER_FINAL_DAYS_BEFORE)
    overdue_until = today - timedelta(days=settings.REMINDER_OVERDUE_DAYS_AFTER)
    return {
        FIRST_REMINDER: (first_from, first_until),
        FINAL_REMINDER: (today, final_until),
        OVERDUE_NOTICE: (None, overdue_until),
    }


def reminders_plan(*, at: datetime | None = None, dry_run: bool = False) -> JobSummary:
    """Plan the stage each person is in now, once per stage and deadline. Set-based: one statement per
    stage over the narrow certification-state table."""
    moment = local_moment(at)
    today = moment.date()
    summary = JobSummary()
    run = None if dry_run else JobRun.objects.create(kind="plan", moment=moment)
    with transaction.atomic(), connection.cursor() as cursor:
        for stage, (earliest, latest) in _stage_windows(today).items():
            lower = "AND st.next_due_on >= %(earliest)s" if earliest else ""
            candidates = f"""
                FROM pensioners_certificationstate st
                JOIN pensioners_pensioner p ON p.id = st.pensioner_id
                WHERE st.status IN ('{PaymentStatus.ACTIVE}', '{PaymentStatus.TERMINATED}')
                  AND st.next_due_on <= %(latest)s {lower}
                  AND NOT EXISTS (
                      SELECT 1 FROM certification_outboxmessage o
                      WHERE o.pensioner_id = st.pensioner_id AND o.deadline = st.next_due_on AND o.stage = %(stage)s)
            """
            params = {"earliest": earliest, "latest": latest, "stage": stage}
            if dry_run:
                cursor.execute(
                    f"SELECT {SKIP_REASON_SQL} AS reason, count(*) {candidates} GROUP BY 1", params
                )
            else:
                insert = outbox_insert_sql(stage_sql="%(stage)s", channel_sql="''", source_sql=candidates)
                cursor.execute(
                    f"WITH planned AS ({insert} RETURNING skip_reason) SELECT skip_reason, count(*) FROM planned GROUP BY 1",
                    params,
                )
            planned = cursor.fetchall()
            for reason, count in planned:
                summary.add(stage if not reason else f"skipped_{reason}", count)
            if sum(count for _reason, count in planned) > PLANNED_MANY:
                # The next stage's plan must know the rows this one added: planned on the statistics of
                # an outbox it believed empty, the city's first overdue stage read the 460,000 reminders
                # just planned once per overdue person (stopped after ten minutes). ANALYZE counts this
                # transaction's own new rows.
                cursor.execute("ANALYZE certification_outboxmessage")
        if dry_run:
            transaction.set_rollback(True)
    if run is not None:
        JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), counts=summary.counts)
    return summary


def confirmation_queue(*, certification_ids: list[int]) -> int:
    """Queue the confirmation of each certification, for its new deadline (called after commit).

    Only a certification that set the person's current deadline is confirmed: a back-dated record that
    moved nothing has nothing to announce.
    """
    if not certification_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            outbox_insert_sql(
                stage_sql=f"'{MessageStage.CONFIRMATION}'",
                channel_sql="c.channel",
                source_sql="""
                    FROM certification_certification c
                    JOIN pensioners_certificationstate st ON st.pensioner_id = c.pensioner_id
                    JOIN pensioners_pensioner p ON p.id = c.pensioner_id
                    WHERE c.id = ANY(%s) AND c.voided_at IS NULL AND c.outcome = 'passed'
                      AND st.latest_certified_on = c.certified_on
                """,
                # A confirmation withdrawn because its certification was voided is queued again when a
                # new certification gives the same deadline: that one is true and must be confirmed.
                on_conflict=f"""DO UPDATE SET
                    status = EXCLUDED.status, skip_reason = EXCLUDED.skip_reason, channel = EXCLUDED.channel,
                    planned_at = now(), attempts = 0, next_attempt_at = NULL, claimed_at = NULL
                    WHERE certification_outboxmessage.status = '{MessageStatus.CANCELLED}'
                      AND certification_outboxmessage.skip_reason = '{SkipReason.VOIDED}'""",
            ),
            [list(certification_ids)],
        )
        return cursor.rowcount


def outbox_cancel_for_deadline(*, pensioner_id: int, deadline: date) -> int:
    """Withdraw every unsent message naming `deadline` (a voided certification's deadline): called by
    the void in its transaction. A message a dispatcher holds right now is caught by its re-check."""
    return OutboxMessage.objects.filter(
        pensioner_id=pensioner_id, deadline=deadline, status=MessageStatus.QUEUED
    ).update(status=MessageStatus.CANCELLED, skip_reason=SkipReason.VOIDED)


# --------------------------------------------------------------------------------------------------
# Dispatch
# --------------------------------------------------------------------------------------------------


def _templates() -> dict[str, str]:
    stored = dict(MessageTemplate.objects.values_list("key", "text"))
    return {**DEFAULT_TEMPLATES, **stored}


def sent_today(moment: datetime) -> int:
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return OutboxMessage.objects.filter(status=MessageStatus.SENT, sent_at__gte=start).count()


def reminders_dispatch(
    *, at: datetime | None = None, dry_run: bool = False, limit: int | None = None
) -> JobSummary:
    """Send what is queued, within the sending hours and the rate caps. Safe to run concurrently."""
    moment = local_moment(at)
    summary = JobSummary()
    if not within_sending_hours(moment):
        summary.add("waiting_for_daytime", OutboxMessage.objects.filter(status=MessageStatus.QUEUED).count())
        return summary
    allowance = min(settings.SMS_RATE_PER_MINUTE, max(0, settings.SMS_DAILY_CAP - sent_today(moment)))
    if limit is not None:
        allowance = min(allowance, limit)
    if dry_run:
        summary.add(
            "would_send", min(allowance, OutboxMessage.objects.filter(status=MessageStatus.QUEUED).count())
        )
        return summary
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [DISPATCH_LOCK])
        if not cursor.fetchone()[0]:
            summary.add("another_dispatcher_running")
            return summary
    run = JobRun.objects.create(kind="dispatch", moment=moment)
    try:
        _reclaim_stale_claims(moment)
        backend = get_backend()
        templates = _templates()
        while allowance > 0:
            batch = _claim(min(BATCH, allowance), moment)
            if not batch:
                break
            allowance -= len(batch)
            _send_batch(batch, backend, templates, moment, summary)
        if allowance == 0 and OutboxMessage.objects.filter(status=MessageStatus.QUEUED).exists():
            summary.add("held_by_rate_cap")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [DISPATCH_LOCK])
        JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), counts=summary.counts)
    return summary


def _reclaim_stale_claims(moment: datetime) -> None:
    """A dispatcher that died mid-batch left rows in "sending": give them back. The gateway receives the
    message id as an idempotency key, so a message it already accepted is not sent again."""
    OutboxMessage.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=moment - STALE_CLAIM).update(
        status=MessageStatus.QUEUED
    )


def _claim(size: int, moment: datetime) -> list[OutboxMessage]:
    with transaction.atomic():
        claimed = list(
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=MessageStatus.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment))
            .order_by("id")[:size]
        )
        if claimed:
            OutboxMessage.objects.filter(pk__in=[message.pk for message in claimed]).update(
                status=MessageStatus.SENDING, claimed_at=moment
            )
    return claimed


def _send_batch(batch, backend, templates, moment: datetime, summary: JobSummary) -> None:
    today = moment.date()
    people = {
        state.pensioner_id: state
        for state in CertificationState.objects.filter(
            pensioner_id__in=[m.pensioner_id for m in batch]
        ).select_related("pensioner")
    }
    # A suspension notice names the month payment stops from: the person's approved suspension.
    suspended_from = dict(
        PaymentDecision.objects.approved()
        .filter(
            kind=DecisionKind.SUSPEND,
            pensioner_id__in=[m.pensioner_id for m in batch if m.stage == MessageStage.SUSPENSION_NOTICE],
        )
        .order_by("pensioner_id", "decided_at")
        .values_list("pensioner_id", "effective_month")
    )
    results = []
    for message in batch:
        state = people[message.pensioner_id]
        reason = _reason_not_to_send(message, state, today)
        if reason:
            results.append((message, None, reason))
            continue
        key = template_key_for(message.stage, message.channel)
        message.template_key = key
        message.phone = state.pensioner.phone
        message.text = render(
            templates[key],
            name=state.pensioner.name,
            deadline=message.deadline,
            channel=message.channel,
            today=today,
            month=suspended_from.get(message.pensioner_id),
        )
        results.append((message, backend.send(message), ""))
    _record(results, backend, moment, summary)


def _reason_not_to_send(message: OutboxMessage, state: CertificationState, today: date) -> str:
    person = state.pensioner
    if state.status == PaymentStatus.TERMINATED:
        return SkipReason.TERMINATED
    if state.death_reported:
        return SkipReason.DEATH_REPORTED
    if not person.phone:
        return SkipReason.NO_PHONE
    if person.phone_known_wrong:
        return SkipReason.PHONE_WRONG
    if state.next_due_on < message.deadline:
        # The deadline fell back: the certification that gave this date was voided. Never name it.
        return SkipReason.VOIDED
    if message.stage == MessageStage.SUSPENSION_NOTICE and state.status != PaymentStatus.SUSPENDED:
        return SkipReason.CERTIFIED  # resumed (or ended) before the notice went: it would be untrue
    if message.stage == MessageStage.CONFIRMATION and state.next_due_on != message.deadline:
        return SkipReason.CERTIFIED  # a later certification gave a new deadline; its own confirmation says so
    if message.stage in (FIRST_REMINDER, FINAL_REMINDER, OVERDUE_NOTICE):
        if state.next_due_on != message.deadline:
            return SkipReason.CERTIFIED  # the deadline moved: they certified since planning
        if stage_on(state.next_due_on, today) != message.stage:
            return SkipReason.STAGE_PASSED
    return ""


def _record(results, backend, moment: datetime, summary: JobSummary) -> None:
    attempts = []
    with transaction.atomic():
        for message, delivery, reason in results:
            if reason:
                # A person who certified meanwhile is not "skipped" but no longer needs the message.
                overtaken = reason in (SkipReason.CERTIFIED, SkipReason.STAGE_PASSED, SkipReason.VOIDED)
                message.status = MessageStatus.CANCELLED if overtaken else MessageStatus.SKIPPED
                message.skip_reason = reason
                summary.add(f"skipped_{reason}")
            else:
                message.attempts += 1
                attempts.append(
                    SendAttempt(
                        message=message,
                        backend=backend.name,
                        outcome=delivery.outcome,
                        gateway_status=delivery.status_code,
                        gateway_response=delivery.response[:300],
                    )
                )
                _apply_delivery(message, delivery, moment, summary)
        OutboxMessage.objects.bulk_update(
            [message for message, _d, _r in results],
            [
                "status",
                "skip_reason",
                "template_key",
                "phone",
                "text",
                "attempts",
                "sent_at",
                "next_attempt_at",
            ],
        )
        SendAttempt.objects.bulk_create(attempts)


def _apply_delivery(
    message: OutboxMessage, delivery: Delivery, moment: datetime, summary: JobSummary
) -> None:
    if delivery.outcome == Delivery.SENT:
        message.status, message.sent_at = MessageStatus.SENT, timezone.now()
        summary.add(f"sent_{message.stage}")
    elif delivery.outcome == Delivery.RETRY and message.attempts <= len(RETRY_DELAYS):
        message.status = MessageStatus.QUEUED
        message.next_attempt_at = moment + RETRY_DELAYS[message.attempts - 1]
        summary.add("retry_later")
    else:
        message.status = MessageStatus.FAILED
        summary.add("failed")


# --------------------------------------------------------------------------------------------------
# What the person card says about the next reminder
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextReminder:
    stage: str | None
    on: date | None
    reason: str


def next_reminder_for(pensioner, state: CertificationState, today: date) -> NextReminder:
    """The next message this person will get, and when; or why none will go."""
    from django.utils.translation import gettext as _

    if state.status == PaymentStatus.TERMINATED:
        return NextReminder(None, None, _("No reminders: payment is terminated."))
    if state.status in (PaymentStatus.SUSPENDED, PaymentStatus.STOPPED):
        return NextReminder(
            None,
            None,
            _("No reminders while payment is %(status)s.") % {"status": state.get_status_display()},
        )
    if state.death_reported:
        return NextReminder(None, None, _("No reminders: a death report is open."))
    if not pensioner.phone:
        return NextReminder(None, None, _("No reminders: there is no phone number."))
    if pensioner.phone_known_wrong:
        return NextReminder(None, None, _("No reminders: the phone number is known to be wrong."))
    already = set(
        OutboxMessage.objects.filter(pensioner=pensioner, deadline=state.next_due_on).values_list(
            "stage", flat=True
        )
    )
    deadline = state.next_due_on
    candidates = [
        (FIRST_REMINDER, deadline - timedelta(days=settings.REMINDER_FIRST_DAYS_BEFORE)),
        (FINAL_REMINDER, deadline - timedelta(days=settings.REMINDER_FINAL_DAYS_BEFORE)),
        (OVERDUE_NOTICE, deadline + timedelta(days=settings.REMINDER_OVERDUE_DAYS_AFTER)),
    ]
    current = stage_on(deadline, today)
    for stage, starts in candidates:
        if stage in already:
            continue
        if stage == current:
            return NextReminder(stage, today, _("Due now; it goes with the next daytime run."))
        if starts > today:
            return NextReminder(stage, starts, "")
    return NextReminder(None, None, _("Every reminder for this deadline has been planned."))


def may_edit_city_templates(scope) -> bool:
    """EDIT_TEMPLATES lets staff edit the templates of their own area. The templates are city-wide (one
    text for every district: there are no district versions), so only a scope that covers the whole city
    may change them; a district supervisor reads them. Fails closed: no scope, no city, no edit."""
    return scope.can(Capability.EDIT_TEMPLATES) and scope.area.level == AreaLevel.CITY


def city_templates_refusal() -> str:
    from django.utils.translation import gettext as _

    return _("These texts are the same for the whole city: only the city administrator can change them.")


def message_template_edit_refused(*, actor, key: str) -> None:
    """Someone without the city in their scope tried to change a city-wide text: on the record."""
    audit_record(actor=actor, action="message_template.edit_refused", note=key[:40])


def message_template_save(*, actor, key: str, text: str) -> MessageTemplate:
    """Change a city-wide SMS text; the old and new texts go to the audit log in the same transaction."""
    if not may_edit_city_templates(scope_for(actor)):
        raise Refused(city_templates_refusal())
    problems = template_problems(key, text)
    if problems:
        raise Refused(problems, field="text")
    with transaction.atomic():
        stored = MessageTemplate.objects.select_for_update().filter(key=key).first()
        before = stored.text if stored else DEFAULT_TEMPLATES[key]
        template, _created = MessageTemplate.objects.update_or_create(
            key=key, defaults={"text": text, "updated_by": actor}
        )
        audit_record(
            actor=actor,
            action="message_template.changed",
            before={"text": before},
            after={"text": text, "key": key},
        )
    return template
