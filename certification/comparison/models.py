"""Data sources and the evidence their files leave behind."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pensioners.models import AreaScopedQuerySet, Pensioner


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
