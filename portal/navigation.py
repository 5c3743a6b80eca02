"""The navigation bar: one entry per screen, shown to the roles whose capability it needs."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str
    icon: str


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Audit log"), "audit-log", Capability.VIEW_AUDIT, "bi-journal-text"),
]


def items_for(request) -> list[dict]:
    scope = request.scope
    path = request.path
    items = []
    for item in NAV_ITEMS:
        if not scope.can(item.capability):
            continue
        url = reverse(item.url_name)
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": path.startswith(url)})
    return items
