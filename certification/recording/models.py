"""Certifications and the evidence behind them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
            # What staff recorded, by time (the reports' work by staff): a city-wide feed records eight
            # million certifications in a day with nobody's name on them, and the report must not read them.
            models.Index(
                fields=["recorded_at"],
                name="certification_by_staff",
                condition=models.Q(recorded_by__isnull=False),
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

    certification = models.ForeignKey(
        "certification.Certification", on_delete=models.PROTECT, related_name="files"
    )
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
