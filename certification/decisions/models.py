"""Decisions that move money: payment decisions and death cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pensioners.models import AreaScopedQuerySet, Pensioner


class DecisionKind(models.TextChoices):
    SUSPEND = "suspend", _("Suspend payment")
    RESUME = "resume", _("Resume payment")
    TERMINATE = "terminate", _("Terminate (death)")
    STOP = "stop", _("Stop (imprisonment)")


class DecisionStatus(models.TextChoices):
    """Where a decision that moves money stands: proposed by one person, decided by another."""

    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DROPPED = "dropped", _("Dropped at approval")


class PaymentDecisionQuerySet(models.QuerySet):
    def within(self, area) -> PaymentDecisionQuerySet:
        return self.filter(area_code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user) -> PaymentDecisionQuerySet:
        return self.none()

    def approved(self) -> PaymentDecisionQuerySet:
        return self.filter(status=DecisionStatus.APPROVED)

    def proposed(self) -> PaymentDecisionQuerySet:
        return self.filter(status=DecisionStatus.PROPOSED)


class AreaRecordQuerySet(models.QuerySet):
    """Records of an area that name no one person (batches, extensions): visitors reach none of them."""

    def within(self, area):
        return self.filter(area_code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user):
        return self.none()


class MakerCheckerRecord(models.Model):
    """What every decision made by two people records: where, its status, who proposed it and when, and
    who decided it (never the proposer), when and why."""

    # The maker's area: the record is seen and decided within it.
    area_code = models.CharField(max_length=12, db_collation="C")
    status = models.CharField(
        _("status"), max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    people_count = models.PositiveIntegerField(_("people"), default=0)

    objects = AreaRecordQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-proposed_at", "-id"]

    def audit_area_code(self) -> str:
        return self.area_code


class DecisionBatch(MakerCheckerRecord):
    """A named list of payment decisions of one kind, proposed by a maker and approved or rejected as one
    by a checker who is not the maker (pretix's approve_order/deny_order, for many people at once)."""

    kind = models.CharField(_("decision"), max_length=12, choices=DecisionKind.choices)
    name = models.CharField(_("batch name"), max_length=120)
    monthly_amount = models.DecimalField(
        _("monthly amount (yuan)"), max_digits=14, decimal_places=2, default=0
    )
    back_pay_amount = models.DecimalField(_("back pay (yuan)"), max_digits=14, decimal_places=2, default=0)
    approved_count = models.PositiveIntegerField(_("approved"), default=0)
    dropped_count = models.PositiveIntegerField(_("dropped"), default=0)
    # Why people were dropped at approval: {reason code: count}.
    dropped_reasons = models.JSONField(_("dropped, by reason"), default=dict, blank=True)

    class Meta(MakerCheckerRecord.Meta):
        verbose_name = _("decision batch")
        verbose_name_plural = _("decision batches")
        indexes = [models.Index(fields=["area_code", "status"], name="batch_area_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.name}"


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
        "certification.Certification", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Maker-checker (issue 15). Decisions made before batches (terminations) are approved as made.
    status = models.CharField(
        _("status"), max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.APPROVED
    )
    batch = models.ForeignKey(
        DecisionBatch,
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The monthly amount the decision is about, as it stood when proposed.
    monthly_amount = models.DecimalField(
        _("monthly amount (yuan)"), max_digits=12, decimal_places=2, default=0
    )
    # Why: a suspension candidate's reasons, or the court document of an imprisonment stop.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    reference = models.CharField(_("document reference"), max_length=80, blank=True)
    # A resumption names the suspension or stop it ends; its back pay runs from that one's month.
    resumes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="resumed_by"
    )
    drop_reason = models.CharField(_("why dropped"), max_length=40, blank=True)
    # The deadline the person was overdue on when proposed: approval checks it has not moved.
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    objects = PaymentDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment decision")
        verbose_name_plural = _("payment decisions")
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["pensioner", "kind", "status"], name="decision_person_kind"),
            models.Index(fields=["area_code", "kind", "status"], name="decision_area_kind"),
        ]
        constraints = [
            # One person is in at most one open proposal of each kind: two batches cannot both hold them.
            models.UniqueConstraint(
                fields=["pensioner", "kind"],
                condition=models.Q(status="proposed"),
                name="one_open_proposal_per_person_and_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_month:%Y-%m}"

    def audit_area_code(self) -> str:
        return self.area_code


class SuspensionExclusion(models.Model):
    """Staff keep a candidate out of suspension for this deadline, with a reason (withdrawn: lifted)."""

    pensioner = models.ForeignKey(Pensioner, on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(max_length=12, db_collation="C")
    deadline = models.DateField(_("deadline"))
    reason = models.CharField(_("reason"), max_length=200)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(_("when"), auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("suspension exclusion")
        verbose_name_plural = _("suspension exclusions")
        constraints = [
            models.UniqueConstraint(
                fields=["pensioner", "deadline"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_exclusion_per_person_and_deadline",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pensioner_id} {self.deadline}: {self.reason}"

    def audit_area_code(self) -> str:
        return self.area_code


class DeadlineExtension(MakerCheckerRecord):
    """A supervisor's decision to move the deadlines falling in a window, in one area, by some days
    (a flood, an epidemic, an outage). A second supervisor approves; revoking restores the old dates."""

    due_from = models.DateField(_("deadlines from"))
    due_until = models.DateField(_("deadlines until"))
    days = models.PositiveSmallIntegerField(_("days"))
    reason = models.CharField(_("reason"), max_length=300)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    restored_count = models.PositiveIntegerField(_("deadlines restored"), default=0)

    class Meta(MakerCheckerRecord.Meta):
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"#{self.pk} +{self.days}d {self.due_from}–{self.due_until}"


class ExtendedDeadline(models.Model):
    """One person's deadline as an approved extension moved it: what revoking puts back."""

    extension = models.ForeignKey(DeadlineExtension, on_delete=models.PROTECT, related_name="people")
    pensioner = models.ForeignKey(Pensioner, on_delete=models.PROTECT, related_name="+", db_index=False)
    old_due_on = models.DateField()
    new_due_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pensioner", "extension"], name="one_extension_row_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.pensioner_id}: {self.old_due_on} -> {self.new_due_on}"


class PaymentFile(models.Model):
    """A batch's file for the payment system, generated once per format and header language; every
    later download serves the same bytes (and is audited)."""

    batch = models.ForeignKey(DecisionBatch, on_delete=models.PROTECT, related_name="files")
    file_format = models.CharField(max_length=4)
    headers = models.CharField(max_length=2)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "file_format", "headers"], name="one_payment_file_per_variant"
            )
        ]

    def __str__(self) -> str:
        return f"batch {self.batch_id} {self.file_format} ({self.headers})"


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
