"""SMS: templates, the outbox (one row per message ever due), send attempts, job runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pensioners.models import AreaScopedQuerySet, Pensioner


class MessageStage(models.TextChoices):
    CONFIRMATION = "confirmation", _("Confirmation")
    FIRST_REMINDER = "first_reminder", _("First reminder")
    FINAL_REMINDER = "final_reminder", _("Final reminder")
    OVERDUE_NOTICE = "overdue_notice", _("Overdue notice")
    SUSPENSION_NOTICE = "suspension_notice", _("Suspension notice")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


class SkipReason(models.TextChoices):
    NO_PHONE = "no_phone", _("No phone number")
    PHONE_WRONG = "phone_wrong", _("Phone known wrong")
    DEATH_REPORTED = "death_reported", _("Death reported")
    TERMINATED = "terminated", _("Payment terminated")
    CERTIFIED = "certified", _("Already certified")
    STAGE_PASSED = "stage_passed", _("Stage passed")
    VOIDED = "voided", _("Certification voided")


class MessageTemplate(models.Model):
    """The text of one kind of message; supervisors may edit it (placeholders are checked on save)."""

    key = models.CharField(_("message"), max_length=40, unique=True)
    text = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class OutboxMessage(models.Model):
    """One intended message: at most one per person, deadline and stage (the database guarantees it)."""

    # Not checked by a database constraint: messages are planned set-based from the state table, millions
    # on the day the job first runs, and the deferred check of each row against the registry took 21 of
    # 59 s of a city's plan (and locked eight million registry rows). Pensioners are never deleted, and
    # deleting one with messages is still refused (PROTECT, tests/test_outbox_keeps_its_people.py).
    pensioner = models.ForeignKey(
        Pensioner, on_delete=models.PROTECT, related_name="messages", db_index=False, db_constraint=False
    )  # served by the unique (pensioner, deadline, stage) index
    area_code = models.CharField(max_length=12, db_collation="C")
    deadline = models.DateField(_("deadline"))
    stage = models.CharField(_("stage"), max_length=20, choices=MessageStage.choices)
    # For confirmations: the channel that certified (names it in the text).
    channel = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    skip_reason = models.CharField(_("why not sent"), max_length=16, choices=SkipReason.choices, blank=True)
    template_key = models.CharField(_("template"), max_length=40, blank=True)
    phone = models.CharField(_("number"), max_length=20, blank=True)
    text = models.TextField(_("text"), blank=True)
    planned_at = models.DateTimeField(_("planned"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-planned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pensioner", "deadline", "stage"], name="one_message_per_stage_and_deadline"
            )
        ]
        indexes = [
            # The dispatcher's work list: only messages still to send are in this index.
            models.Index(
                fields=["id"], name="outbox_to_send", condition=models.Q(status__in=["queued", "sending"])
            ),
            # Counting what was sent today needs only sent rows: a partial index that queued inserts skip.
            # (The card lists a person's messages through the unique constraint's index.)
            models.Index(fields=["sent_at"], name="outbox_sent_at", condition=models.Q(status="sent")),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.deadline} {self.get_status_display()}"

    def audit_area_code(self) -> str:
        return self.area_code


class SendAttempt(models.Model):
    """One try to hand a message to the SMS gateway, with the gateway's answer."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.PROTECT, related_name="send_attempts")
    at = models.DateTimeField(auto_now_add=True)
    backend = models.CharField(max_length=10)
    outcome = models.CharField(max_length=10)  # sent, retry, failed
    gateway_status = models.PositiveSmallIntegerField(null=True, blank=True)
    gateway_response = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("send attempt")
        verbose_name_plural = _("send attempts")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.outcome} {self.gateway_status or ''}"


class JobRun(models.Model):
    """One run of the reminder job (planning or dispatch), for the supervisors' job page."""

    kind = models.CharField(_("job"), max_length=12)  # plan, dispatch
    moment = models.DateTimeField(_("for the moment"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    counts = models.JSONField(_("counts"), default=dict)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "-started_at"], name="jobrun_kind_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.moment:%Y-%m-%d %H:%M}"
