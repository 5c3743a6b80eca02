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
        "certification.Certification", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
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
