"""Home visits and the teams that make them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pensioners.models import Area, AreaScopedQuerySet, Pensioner


class VisitTeamQuerySet(models.QuerySet):
    def within(self, area):
        return self.filter(street__code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user):
        return self.filter(members=user)

    def active(self):
        """Teams still at work: a retired team keeps its history but takes no new visits or members."""
        return self.filter(retired_at__isnull=True)


class VisitTeam(models.Model):
    """A home-visit team of a street office (上门认证小组)."""

    name = models.CharField(_("name"), max_length=60)
    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="visit_teams", verbose_name=_("street")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="visit_teams", verbose_name=_("members")
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    objects = VisitTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("home-visit team")
        verbose_name_plural = _("home-visit teams")
        ordering = ["street_id", "name"]
        constraints = [
            # Teams are named within their street (the staff import finds a team by its name).
            models.UniqueConstraint(
                fields=["street", "name"],
                condition=models.Q(retired_at__isnull=True),
                name="team_name_per_street",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_area_code(self) -> str:
        return self.street_id


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
        "certification.Certification", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
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
