"""Where the apps meet. The platform (portal) never imports pensioners or certification, and the registry
(pensioners) never imports certification: each app registers what it adds in its `AppConfig.ready()`, and
the lower layer reads these registries. Nothing is looked up by a dotted string, and nothing is skipped
on an ImportError: a registration that is missing fails loudly where it is needed.

What can be registered:
- dashboard panels: `panels(request) -> list[dict]` (template, label, value, url, icon, order);
- person-card extras: `extras(request, pensioner) -> dict` merged into the card's context;
- importers: one per ImportKind, with its columns, required columns and the function that runs it;
- audit labels: how an app's audit actions, fields and values read in the audit log;
- navigation: items placed in the portal's menu groups;
- the person finder: the registry's lookup of one person by ID number or record number (audit log);
- the team directory: home-visit teams, which the staff screens and the staff import offer and set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

_dashboard_panels: list[Callable] = []
_card_extras: list[Callable] = []
_importers: dict[str, Importer] = {}
_audit_labels: list[dict] = []
_navigation: list[tuple[int, str | None, object]] = []
_person_finder: list[Callable] = []
_team_directory: list[TeamDirectory] = []


@dataclass(frozen=True)
class Importer:
    """A file import the upload page, the Celery job and the management command can run."""

    kind: str
    run: Callable  # run(*, path, actor, dry_run, progress, job) -> summary with .rejects and .as_dict()
    capability: str  # who may upload it, and see its jobs and rejects
    columns: dict = field(default_factory=dict)
    required: tuple = ()


def register_dashboard_panels(provider: Callable) -> None:
    if provider not in _dashboard_panels:
        _dashboard_panels.append(provider)


def dashboard_panels(request) -> list[dict]:
    panels = [panel for provider in _dashboard_panels for panel in provider(request)]
    return sorted(panels, key=lambda panel: panel.get("order", 50))


def register_card_extras(provider: Callable) -> None:
    if provider not in _card_extras:
        _card_extras.append(provider)


def card_extras(request, pensioner) -> dict:
    merged: dict = {}
    for provider in _card_extras:
        merged.update(provider(request, pensioner))
    return merged


def register_importer(importer: Importer) -> None:
    _importers[importer.kind] = importer


def importer(kind: str) -> Importer:
    try:
        return _importers[kind]
    except KeyError:
        raise ImproperlyConfigured(f"no importer is registered for {kind!r}") from None


def register_audit_labels(labels: dict) -> None:
    if labels not in _audit_labels:
        _audit_labels.append(labels)


def audit_label_sets() -> list[dict]:
    return list(_audit_labels)


def register_navigation(*, order: int, item, group: str | None = None) -> None:
    """Put a menu item in the portal's navigation: at the top level, or in the group of that key."""
    entry = (order, group, item)
    if entry not in _navigation:
        _navigation.append(entry)


def navigation_entries() -> list[tuple[int, str | None, object]]:
    return sorted(_navigation, key=lambda entry: entry[0])


def register_person_finder(find: Callable) -> None:
    """`find(scope, text) -> person or None`: one person, by exact ID number or record number, in scope."""
    _person_finder[:] = [find]


def find_person(scope, text: str):
    if not _person_finder:
        raise ImproperlyConfigured("no person finder is registered (is the registry installed?)")
    return _person_finder[0](scope, text)


@dataclass(frozen=True)
class TeamDirectory:
    """Home-visit teams, kept by the visits capability, as staff administration needs them."""

    # choices(area) -> [(team id, name)]: the active teams of the area's streets
    choices: Callable
    # team_of(user) -> the name of the team a visitor is in, or ""
    team_of: Callable
    # join(*, actor, user, team) -> None: put a visitor in their street's team (an id or a name), in the
    # caller's transaction and audited; raises portal.errors.Refused when no such team is there
    join: Callable


def register_team_directory(directory: TeamDirectory) -> None:
    _team_directory[:] = [directory]


def team_directory() -> TeamDirectory:
    if not _team_directory:
        raise ImproperlyConfigured("no team directory is registered (are home visits installed?)")
    return _team_directory[0]
