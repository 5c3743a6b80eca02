"""Contact attempts: every call, SMS and door knock on a person in the queues."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pensioners.models import AreaScopedQuerySet, Pensioner


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
    # Someone living abroad says the consular form is on its way: keeps them out of suspension.
    FORM_POSTED = "form_posted", _("Reached abroad: consular form in the post")


# Outcomes that mean the attempt failed to reach the person (for the suspension rule).
FAILED_CONTACT_OUTCOMES = (
    ContactOutcome.NOT_REACHABLE,
    ContactOutcome.WRONG_NUMBER,
    ContactOutcome.MOVED_AWAY,
)


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
