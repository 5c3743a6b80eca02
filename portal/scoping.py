"""The one way views reach data: through the requesting user's scope.

Every scoped model's QuerySet offers two verbs:
- `within(area)`: the records that belong to an area (a district sees all its streets and communities);
- `visible_to_visitor(user)`: the records a home-visit team member reaches through visits assigned to them.

`Scope.restrict()` picks the verb for the user's role and fails closed: an anonymous user, an inactive
user, a user with no area, an area of the wrong level for the role, or an unknown role all get an empty
QuerySet. A model without the verbs raises AttributeError rather than leak unscoped rows.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.roles import ROLE_AREA_LEVEL, Role


class Scope:
    def __init__(self, user) -> None:
        self.user = user
        self.area = _scope_area(user)

    @property
    def is_empty(self) -> bool:
        return self.area is None

    @property
    def is_visitor(self) -> bool:
        return self.area is not None and self.user.role == Role.VISIT_TEAM

    def restrict(self, queryset: QuerySet) -> QuerySet:
        if self.area is None:
            return queryset.none()
        if self.user.role == Role.VISIT_TEAM:
            return queryset.visible_to_visitor(self.user)
        return queryset.within(self.area)

    def get_or_404(self, queryset: QuerySet, **lookup):
        """One record the user may see, or 404: out of scope looks exactly like not existing."""
        if self.area is None:
            raise Http404
        return get_object_or_404(self.restrict(queryset), **lookup)

    def covers_area_code(self, area_code: str) -> bool:
        """Whether a place (a community code, say) lies in the user's area. Visitors cover no area."""
        if self.area is None or self.user.role == Role.VISIT_TEAM:
            return False
        return bool(area_code) and area_code.startswith(self.area.scope_prefix)

    def can(self, capability: str) -> bool:
        return self.area is not None and self.user.can(capability)


def _scope_area(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    expected_level = ROLE_AREA_LEVEL.get(user.role)
    area = user.area
    if expected_level is None or area is None or area.level != expected_level:
        return None
    return area


def scope_for(user) -> Scope:
    return Scope(user)
