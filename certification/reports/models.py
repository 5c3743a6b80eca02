"""Report snapshots: the city's numbers, computed once a night."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportSnapshotQuerySet(models.QuerySet):
    def latest_for(self, area_code: str) -> ReportSnapshot | None:
        return self.filter(area_code=area_code).order_by("-computed_at", "-id").first()


class ReportSnapshot(models.Model):
    """The city's coverage and trends, computed once and read many times (the city page shows its age)."""

    area_code = models.CharField(max_length=12, db_collation="C")
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(default=0)
    payload = models.JSONField(default=dict)

    objects = ReportSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")
        indexes = [models.Index(fields=["area_code", "-computed_at"], name="snapshot_area_recent")]

    def __str__(self) -> str:
        return f"{self.area_code} {self.computed_at:%Y-%m-%d %H:%M}"
