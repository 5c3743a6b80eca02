"""Certifications and the evidence behind them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pensioners.models import Area, Pensioner


class Channel(models.TextChoices):
    """How a certification happened (domain.md, "Channels")."""

    DATA_MATCH = "data_match", _("Data comparison (silent)")
    APP_SELF = "app_self", _("App, in person (本人认)")
    APP_ASSISTED = "app_assisted", _("App, helped (帮你认)")
    OTHER_APP = "other_app", _("Other app")
    COUNTER = "counter", _("At the counter")
    HOME_VISIT = "home_visit", _("Home visit")
    ABROAD_APP = "abroad_app", _("Abroad, China Consular app")
    CONSULAR_PAPER = "consular_paper", _("Abroad, consular paper form")


# Channels that arrive from outside (feeds and files), idempotent on their reference.
EXTERNAL_CHANNELS = (
    Channel.DATA_MATCH,
    Channel.APP_SELF,
    Channel.APP_ASSISTED,
    Channel.OTHER_APP,
    Channel.ABROAD_APP,
)


class Outcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class CertificationQuerySet(models.QuerySet):
    def within(self, area) -> CertificationQuerySet:
        """Certifications of people in the area, and those recorded at the area's own counters."""
        return self.filter(
            models.Q(area_code__startswith=area.scope_prefix)
            | models.Q(acting_office__code__startswith=area.scope_prefix)
        )

    def visible_to_visitor(self, user) -> CertificationQuerySet:
        return self.filter(pensioner__in=Pensioner.objects.visible_to_visitor(user).values("pk"))

    def effective(self) -> CertificationQuerySet:
        """Passed and not voided: the certifications that count for the deadline."""
        return self.filter(outcome=Outcome.PASSED, voided_at__isnull=True)


class Certification(models.Model):
    """One certification (or failed attempt) of one person. Never deleted: voided with a reason."""

    # Foreign keys without their own index where another index covers them or nothing looks them up:
    # a comparison file inserts a million of these rows, and each index costs seconds.
    pensioner = models.ForeignKey(
        Pensioner, on_delete=models.PROTECT, related_name="certifications", db_index=False
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    certified_on = models.DateField(_("certification date"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PASSED)
    # The person's community when this was recorded: who may see it, and where it counts in reports.
    area_code = models.CharField(max_length=12, db_collation="C")
    # Where it was recorded: any street office may certify anyone in the city at its counter.
    acting_office = models.ForeignKey(
        Area,
        verbose_name=_("acting office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the partial certification_office index below
        db_constraint=False,  # see below
    )
    # The staff, office and import references are set by the services from objects they have just
    # loaded, and those rows are never deleted (PROTECT holds in Django). Left without a database
    # constraint, they queue no foreign-key check: a comparison file of a million rows commits ~10 s
    # sooner. The pensioner reference stays checked by the database.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    receipt_number = models.CharField(_("receipt number"), max_length=24, db_collation="C")
    # The channel's own reference: feed reference, comparison row reference, consular form serial.
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    import_job = models.ForeignKey(
        "portal.ImportJob",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    needs_investigation = models.BooleanField(_("needs investigation"), default=False)
    investigation_note = models.CharField(_("investigation note"), max_length=200, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["-certified_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["receipt_number"], name="certification_receipt_unique"),
            # A feed reference or consular form serial counts once (a voided record frees it).
            models.UniqueConstraint(
                fields=["channel", "reference"],
                condition=~models.Q(reference="") & models.Q(voided_at__isnull=True),
                name="certification_reference_once",
            ),
        ]
        indexes = [
            models.Index(fields=["pensioner", "-certified_on"], name="certification_person_date"),
            models.Index(fields=["area_code", "certified_on"], name="certification_area_date"),
            # What an office recorded at its counter (only staff records have an office).
            models.Index(
                fields=["acting_office", "recorded_at"],
                name="certification_office",
                condition=models.Q(acting_office__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.get_channel_display()} {self.certified_on}"

    def audit_area_code(self) -> str:
        return self.area_code

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def counts(self) -> bool:
        return self.outcome == Outcome.PASSED and self.voided_at is None


class EvidenceFileQuerySet(models.QuerySet):
    def within(self, area) -> EvidenceFileQuerySet:
        return self.filter(certification__in=Certification.objects.within(area).values("pk"))

    def visible_to_visitor(self, user) -> EvidenceFileQuerySet:
        return self.filter(certification__in=Certification.objects.visible_to_visitor(user).values("pk"))


class EvidenceFile(models.Model):
    """A photo or scan behind a certification, served only to staff who may see the certification."""

    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to="evidence/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class DecisionKind(models.TextChoices):
    SUSPEND = "suspend", _("Suspend payment")
    RESUME = "resume", _("Resume payment")
    TERMINATE = "terminate", _("Terminate (death)")
    STOP = "stop", _("Stop (imprisonment)")


class PaymentDecisionQuerySet(models.QuerySet):
    def within(self, area) -> PaymentDecisionQuerySet:
        return self.filter(area_code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user) -> PaymentDecisionQuerySet:
        return self.none()


class PaymentDecision(models.Model):
    """A decision that changes what a pensioner is paid. Status comes only from these, never the clock."""

    pensioner = models.ForeignKey(Pensioner, on_delete=models.PROTECT, related_name="payment_decisions")
    kind = models.CharField(_("decision"), max_length=12, choices=DecisionKind.choices)
    area_code = models.CharField(max_length=12, db_collation="C")
    # The first month the decision applies to (payment stops, or resumes, from this month).
    effective_month = models.DateField(_("from month"))
    # Resumption after suspension: the suspended months paid back (补发).
    back_pay_months = models.PositiveSmallIntegerField(_("months of back pay"), default=0)
    back_pay_amount = models.DecimalField(_("back pay (yuan)"), max_digits=12, decimal_places=2, default=0)
    # Termination after death: months paid after death, to recover.
    overpaid_months = models.PositiveSmallIntegerField(_("months overpaid"), default=0)
    overpaid_amount = models.DecimalField(_("overpayment (yuan)"), max_digits=12, decimal_places=2, default=0)
    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = PaymentDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment decision")
        verbose_name_plural = _("payment decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_month:%Y-%m}"

    def audit_area_code(self) -> str:
        return self.area_code


class ContactKind(models.TextChoices):
    PHONE_CALL = "phone_call", _("Phone call")
    SMS = "sms", _("SMS")
    VISIT = "visit", _("Visit")
    ASKED_COMMUNITY = "asked_community", _("Asked the community")
    LETTER = "letter", _("Letter")


class ContactOutcome(models.TextChoices):
    WILL_CERTIFY = "will_certify", _("Reached: will certify")
    NEEDS_HOME_VISIT = "needs_home_visit", _("Reached: needs a home visit")
    NOT_REACHABLE = "not_reachable", _("Not reachable")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    MOVED_AWAY = "moved_away", _("Moved away")
    REPORTED_DEAD = "reported_dead", _("Reported dead")
    REFUSED = "refused", _("Refused")


# Outcomes that mean the attempt failed to reach the person (for the suspension rule).
FAILED_CONTACT_OUTCOMES = (
    ContactOutcome.NOT_REACHABLE,
    ContactOutcome.WRONG_NUMBER,
    ContactOutcome.MOVED_AWAY,
)


class AreaScopedQuerySet(models.QuerySet):
    """Records that carry the person's community code in `area_code`."""

    def within(self, area):
        return self.filter(area_code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user):
        return self.filter(pensioner__in=Pensioner.objects.visible_to_visitor(user).values("pk"))


class ContactAttempt(models.Model):
    """One try to reach an overdue or due-soon person: who, how, when, and what came of it."""

    pensioner = models.ForeignKey(Pensioner, on_delete=models.PROTECT, related_name="contact_attempts")
    area_code = models.CharField(max_length=12, db_collation="C")
    kind = models.CharField(_("how"), max_length=20, choices=ContactKind.choices)
    outcome = models.CharField(_("outcome"), max_length=24, choices=ContactOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    moved_to = models.CharField(_("moved to"), max_length=200, blank=True)
    snooze_until = models.DateField(_("hide from the queue until"), null=True, blank=True)
    snooze_reason = models.CharField(_("why hide"), max_length=200, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # When the call (visit, letter...) happened, as the worker says; made_at is when it was logged. Calls
    # are often logged later, and "last contact" must name the day of the call, not of the typing.
    contacted_at = models.DateTimeField(_("contacted at"), default=timezone.now)
    made_at = models.DateTimeField(_("when"), auto_now_add=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["-contacted_at", "-id"]
        indexes = [
            models.Index(fields=["pensioner", "-made_at"], name="contact_person_recent"),
            models.Index(fields=["area_code", "made_at"], name="contact_area_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_outcome_display()}"

    def audit_area_code(self) -> str:
        return self.area_code


class DeathCaseOrigin(models.TextChoices):
    CONTACT = "contact", _("Reported by staff")
    DATA = "data", _("Data comparison")
    VISIT = "visit", _("Home visit")


class DeathCaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class DeathCase(models.Model):
    """A report or signal that a pensioner has died, waiting for a supervisor's decision.

    While a case is open the person leaves the queues and gets no reminders. A death signal never
    certifies anyone.
    """

    pensioner = models.ForeignKey(Pensioner, on_delete=models.PROTECT, related_name="death_cases")
    area_code = models.CharField(max_length=12, db_collation="C")
    origin = models.CharField(_("origin"), max_length=12, choices=DeathCaseOrigin.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=DeathCaseStatus.choices, default=DeathCaseStatus.OPEN
    )
    reported_death_date = models.DateField(_("reported date of death"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.CharField(_("decision note"), max_length=300, blank=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("death case")
        verbose_name_plural = _("death cases")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pensioner"], condition=models.Q(status="open"), name="one_open_death_case_per_person"
            )
        ]
        indexes = [models.Index(fields=["area_code", "status"], name="death_case_area_status")]

    def __str__(self) -> str:
        return f"{self.pensioner.name} {self.get_status_display()}"

    def audit_area_code(self) -> str:
        return self.area_code


class VisitTeamQuerySet(models.QuerySet):
    def within(self, area):
        return self.filter(street__code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user):
        return self.filter(members=user)


class VisitTeam(models.Model):
    """A home-visit team of a street office (上门认证小组)."""

    name = models.CharField(_("name"), max_length=60)
    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="visit_teams", verbose_name=_("street")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="visit_teams", verbose_name=_("members")
    )

    objects = VisitTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("home-visit team")
        verbose_name_plural = _("home-visit teams")
        ordering = ["street_id", "name"]

    def __str__(self) -> str:
        return self.name


class VisitSource(models.TextChoices):
    HOTLINE = "hotline", _("12333 hotline")
    FAMILY = "family", _("Family")
    COMMUNITY = "community", _("Community")
    STAFF = "staff", _("Staff")


class VisitReason(models.TextChoices):
    AGE = "age", _("Old age")
    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    OTHER = "other", _("Other")


class VisitStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SCHEDULED = "scheduled", _("Scheduled")
    VISITED = "visited", _("Visited")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_VISIT_STATUSES = (VisitStatus.REQUESTED, VisitStatus.SCHEDULED)


class VisitOutcome(models.TextChoices):
    CERTIFIED = "certified", _("Certified")
    NOT_HOME = "not_home", _("Not at home")
    HOSPITALISED = "hospitalised", _("In hospital")
    MOVED = "moved", _("Moved")
    DIED = "died", _("Died")
    REFUSED = "refused", _("Refused")


class HomeVisitQuerySet(AreaScopedQuerySet):
    def visible_to_visitor(self, user):
        recent = timezone.now() - timedelta(days=7)
        return self.filter(team__members=user).filter(
            models.Q(closed_at__isnull=True) | models.Q(closed_at__gte=recent)
        )

    def open(self):
        return self.filter(status__in=OPEN_VISIT_STATUSES)


class HomeVisit(models.Model):
    """A request for staff to certify someone at home, from request to outcome."""

    pensioner = models.ForeignKey(Pensioner, on_delete=models.PROTECT, related_name="home_visits")
    area_code = models.CharField(max_length=12, db_collation="C")
    requested_via = models.CharField(_("requested via"), max_length=12, choices=VisitSource.choices)
    reason = models.CharField(_("reason"), max_length=12, choices=VisitReason.choices)
    reason_note = models.CharField(_("details"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=VisitStatus.choices, default=VisitStatus.REQUESTED
    )
    team = models.ForeignKey(
        VisitTeam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("team"),
    )
    scheduled_on = models.DateField(_("visit date"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=VisitOutcome.choices, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revisit_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisits"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = HomeVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["scheduled_on", "id"]
        indexes = [
            models.Index(fields=["area_code", "status"], name="visit_area_status"),
            models.Index(fields=["team", "scheduled_on"], name="visit_team_date"),
            models.Index(fields=["pensioner", "status"], name="visit_person_status"),
        ]
        constraints = [
            # Two staff asking at the same moment must not send two visitors to one door.
            models.UniqueConstraint(
                fields=["pensioner"],
                condition=models.Q(status__in=["requested", "scheduled"]),
                name="one_open_visit_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pensioner.name} {self.get_status_display()}"

    def audit_area_code(self) -> str:
        return self.area_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_VISIT_STATUSES


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

    pensioner = models.ForeignKey(
        Pensioner, on_delete=models.PROTECT, related_name="messages", db_index=False
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


class DataSource(models.Model):
    """Another agency's data: which signals it carries and whether its alive signal certifies alone."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    carries_alive = models.BooleanField(_("carries alive signals"), default=False)
    carries_death = models.BooleanField(_("carries death signals"), default=False)
    alive_certifies_alone = models.BooleanField(_("an alive signal certifies alone"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SupportingEvidence(models.Model):
    """An alive signal from a source that does not certify alone (travel, banks): kept on the card."""

    pensioner = models.ForeignKey(
        Pensioner, on_delete=models.PROTECT, related_name="supporting_evidence", db_index=False
    )
    area_code = models.CharField(max_length=12, db_collation="C")
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="+", db_index=False)
    evidence_date = models.DateField(_("data date"))
    reference = models.CharField(_("reference"), max_length=64)
    import_job = models.ForeignKey(
        "portal.ImportJob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("supporting evidence")
        verbose_name_plural = _("supporting evidence")
        ordering = ["-evidence_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "reference"], name="supporting_evidence_once")
        ]
        indexes = [models.Index(fields=["pensioner", "-evidence_date"], name="evidence_person_date")]

    def __str__(self) -> str:
        return f"{self.source} {self.evidence_date}"


class ReportSnapshot(models.Model):
    """The city's coverage and trends, computed once and read many times (the city page shows its age)."""

    area_code = models.CharField(max_length=12, db_collation="C")
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(default=0)
    payload = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")
        indexes = [models.Index(fields=["area_code", "-computed_at"], name="snapshot_area_recent")]

    def __str__(self) -> str:
        return f"{self.area_code} {self.computed_at:%Y-%m-%d %H:%M}"
