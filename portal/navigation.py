"""The navigation bar: screens grouped by task, each shown to the roles whose capability it needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str
    icon: str


@dataclass(frozen=True)
class NavGroup:
    label: str
    icon: str
    items: list[NavItem] = field(default_factory=list)


NAVIGATION: list[NavItem | NavGroup] = [
    NavItem(_("Pensioners"), "pensioner-search", Capability.VIEW_REGISTRY, "bi-search"),
    NavGroup(
        _("Queues"),
        "bi-list-task",
        [
            NavItem(_("Overdue"), "queue-overdue", Capability.WORK_QUEUES, "bi-alarm"),
            NavItem(_("Due soon"), "queue-due-soon", Capability.WORK_QUEUES, "bi-hourglass-split"),
            NavItem(_("My queue"), "queue-mine", Capability.WORK_QUEUES, "bi-person-lines-fill"),
        ],
    ),
    NavItem(_("Counter"), "counter-desk", Capability.RECORD_COUNTER, "bi-person-vcard"),
    NavGroup(
        _("Home visits"),
        "bi-house-heart",
        [
            NavItem(_("My visits"), "my-visits", Capability.DO_VISITS, "bi-signpost-split"),
            NavItem(_("Plan visits"), "home-visits", Capability.PLAN_VISITS, "bi-calendar-week"),
            NavItem(_("Visit sheets"), "visit-sheet", Capability.DO_VISITS, "bi-printer"),
            NavItem(_("Standing list (台账)"), "home-service-list", Capability.PLAN_VISITS, "bi-card-list"),
        ],
    ),
    NavItem(_("Reports"), "reports", Capability.VIEW_REPORTS, "bi-bar-chart-line"),
    NavGroup(
        _("Supervision"),
        "bi-clipboard-check",
        [
            NavItem(_("Death reports"), "death-cases", Capability.DECIDE, "bi-exclamation-octagon"),
            NavItem(_("Reminder job"), "reminder-jobs", Capability.VIEW_JOBS, "bi-send-check"),
            NavItem(
                _("Message templates"), "message-templates", Capability.EDIT_TEMPLATES, "bi-chat-left-text"
            ),
            NavItem(_("Audit log"), "audit-log", Capability.VIEW_AUDIT, "bi-journal-text"),
        ],
    ),
    NavGroup(
        _("Imports"),
        "bi-upload",
        [
            NavItem(_("Roster import"), "roster-import", Capability.IMPORT_ROSTER, "bi-people"),
            NavItem(
                _("Data comparison import"),
                "comparison-import",
                Capability.IMPORT_COMPARISON,
                "bi-database-check",
            ),
            NavItem(_("Data sources"), "data-sources", Capability.IMPORT_COMPARISON, "bi-diagram-3"),
        ],
    ),
]


def _entry(item: NavItem, path: str) -> dict:
    url = reverse(item.url_name)
    return {"label": item.label, "url": url, "icon": item.icon, "active": False}


def items_for(request) -> list[dict]:
    """Top-level entries for this user: single links, or groups with the links they may use."""
    scope = request.scope
    path = request.path
    entries = []
    links = []
    for node in NAVIGATION:
        if isinstance(node, NavItem):
            if scope.can(node.capability):
                entry = _entry(node, path)
                entries.append(entry)
                links.append(entry)
            continue
        children = [_entry(item, path) for item in node.items if scope.can(item.capability)]
        if children:
            entries.append({"label": node.label, "icon": node.icon, "children": children, "active": False})
            links.extend(children)
    # The longest matching address wins: /pensioners/import/ is "import", not "pensioners".
    matching = [link for link in links if path.startswith(link["url"])]
    if matching:
        winner = max(matching, key=lambda link: len(link["url"]))
        winner["active"] = True
        for entry in entries:
            if winner in entry.get("children", []):
                entry["active"] = True
    return entries
