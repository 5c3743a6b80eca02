"""Report snapshots: the city's numbers, computed once a night."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pensioners.models import AreaLevel

# The city and its districts are too big to count live on every page view (8 million people: a district
# holds a few hundred thousand): their pages read the nightly snapshot. Streets and communities are live.
SNAPSHOT_LEVELS = (AreaLevel.CITY, AreaLevel.DISTRICT)


class ReportSnapshotQuerySet(models.QuerySet):
    def latest_for(self, area_code: str) -> ReportSnapshot | None:
        return self.filter(area_code=area_code).order_by("-computed_at", "-id").first()

    def figures_for(self, area) -> tuple[dict, object] | None:
        """(the area's coverage figures, when they were computed) from its latest snapshot; None for an
        area counted live, or one with no snapshot yet. The dashboards, the registry's count and
        "Recompute now" all read here, so they give the report's figures."""
        if area is None or area.level not in SNAPSHOT_LEVELS:
            return None
        snapshot = self.latest_for(area.code)
        return (snapshot.payload["total"]["values"], snapshot.computed_at) if snapshot else None


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
