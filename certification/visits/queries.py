"""Reads of home visits that other capabilities and the registry rely on."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from certification.models import HomeVisit

# Closed visits stay in reach for a week, so that today's work can still be looked at.
RECENTLY_CLOSED = timedelta(days=7)


def visitor_reach(user) -> Exists:
    """The people a home-visit team member may see: those on visits given to their team, open or closed
    in the last week (registered with the registry as pensioners.contracts.visitor_reach)."""
    recent = timezone.now() - RECENTLY_CLOSED
    return Exists(
        HomeVisit.objects.filter(pensioner=OuterRef("pk"), team__members=user).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=recent)
        )
    )


def team_choices(area) -> list[tuple[int, str]]:
    """The active teams of an area's streets (portal.contracts.TeamDirectory.choices)."""
    from certification.models import VisitTeam

    return list(VisitTeam.objects.active().within(area).values_list("pk", "name"))


def team_of(user) -> str:
    """The name of the active team a visitor is in, or "" (portal.contracts.TeamDirectory.team_of)."""
    return ", ".join(user.visit_teams.active().values_list("name", flat=True))
