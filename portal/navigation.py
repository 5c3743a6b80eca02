"""The navigation bar: screens grouped by task, each shown to the roles whose capability it needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.contracts import navigation_entries, register_navigation
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


# The menu's groups, in the order they appear; their items are registered by the apps that own the
# screens (portal.contracts.register_navigation, called in each AppConfig.ready()).
GROUPS: dict[str, tuple[int, NavGroup]] = {
    "queues": (20, NavGroup(_("Queues"), "bi-list-task")),
    "visits": (40, NavGroup(_("Home visits"), "bi-house-heart")),
    "supervision": (60, NavGroup(_("Supervision"), "bi-clipboard-check")),
    "imports": (70, NavGroup(_("Imports"), "bi-upload")),
}


def navigation() -> list[NavItem | NavGroup]:
    """Top-level items and groups, each group holding its registered items, in menu order."""
    children: dict[str, list[NavItem]] = {key: [] for key in GROUPS}
    top: list[tuple[int, NavItem | NavGroup]] = [(order, group) for order, group in GROUPS.values()]
    for order, group_key, item in navigation_entries():
        if group_key is None:
            top.append((order, item))
        else:
            children[group_key].append(item)  # an unknown group is a KeyError: it fails loudly
    built = []
    for _order, node in sorted(top, key=lambda pair: pair[0]):
        if isinstance(node, NavGroup):
            key = next(k for k, (_o, g) in GROUPS.items() if g is node)
            node = NavGroup(node.label, node.icon, children[key])
        built.append(node)
    return built


def register_portal_navigation() -> None:
    register_navigation(
        order=90,
        group="supervision",
        item=NavItem(_("Audit log"), "audit-log", Capability.VIEW_AUDIT, "bi-journal-text"),
    )


def _entry(item: NavItem, path: str) -> dict:
    url = reverse(item.url_name)
    return {"label": item.label, "url": url, "icon": item.icon, "active": False}


def items_for(request) -> list[dict]:
    """Top-level entries for this user: single links, or groups with the links they may use."""
    scope = request.scope
    path = request.path
    entries = []
    links = []
    for node in navigation():
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
