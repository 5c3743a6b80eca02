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
    NavItem(_("Pensioners"), "pensioner-search", Capability.VIEW_REGISTRY, "bi-search"),
    NavItem(_("Counter"), "counter-desk", Capability.RECORD_COUNTER, "bi-person-vcard"),
    NavItem(_("Roster import"), "roster-import", Capability.IMPORT_ROSTER, "bi-upload"),
    NavItem(_("Audit log"), "audit-log", Capability.VIEW_AUDIT, "bi-journal-text"),
]


def items_for(request) -> list[dict]:
    scope = request.scope
    path = request.path
    items = [
        {"label": item.label, "url": reverse(item.url_name), "icon": item.icon, "active": False}
        for item in NAV_ITEMS
        if scope.can(item.capability)
    ]
    # The longest matching address wins: /pensioners/import/ is "import", not "pensioners".
    matching = [item for item in items if path.startswith(item["url"]) and item["url"] != "/"]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return items
