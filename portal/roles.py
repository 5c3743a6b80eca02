"""Staff roles: which area level each role works on and what each role may do.

A role is paired with an area of one level (a district supervisor with a district...). A user whose area
is missing or of the wrong level for their role has no scope at all: see `portal.scoping`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    DISTRICT_SUPERVISOR = "district_supervisor", _("District supervisor")
    STREET_STAFF = "street_staff", _("Street social-security office staff")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    VISIT_TEAM = "visit_team", _("Home-visit team member")


# Area levels, from the top of the tree down. The code lengths are those of the national scheme.
AREA_LEVEL_CODE_LENGTH = {"city": 6, "district": 6, "street": 9, "community": 12}

ROLE_AREA_LEVEL = {
    Role.CITY_ADMIN: "city",
    Role.DISTRICT_SUPERVISOR: "district",
    Role.STREET_STAFF: "street",
    Role.COMMUNITY_WORKER: "community",
    # A home-visit team belongs to a street office; its members see only the visits given to them.
    Role.VISIT_TEAM: "street",
}


class Capability(models.TextChoices):
    """What a role may do. Views ask for one capability; scope is checked separately."""

    VIEW_REGISTRY = "registry.view", _("Search and view pensioners")
    EDIT_REGISTRY = "registry.edit", _("Create and edit pensioners")
    IMPORT_ROSTER = "registry.import", _("Import the pensioner roster")
    REVEAL_IDENTITY = "registry.reveal", _("Show a full ID number")
    RECORD_COUNTER = "certification.counter", _("Record counter certifications")
    RECORD_CONSULAR = "certification.recording.queries", _("Record consular paper forms")
    RECORD_HOME_VISIT = "certification.home_visit", _("Record home-visit certifications")
    VOID_CERTIFICATION = "certification.void", _("Void certifications")
    WORK_QUEUES = "queues.work", _("Work the due-soon and overdue queues")
    ASSIGN_WORK = "queues.assign", _("Assign people to workers and teams")
    PLAN_VISITS = "visits.plan", _("Request and schedule home visits")
    DO_VISITS = "visits.do", _("Carry out home visits")
    VIEW_REPORTS = "reports.view", _("Run coverage reports")
    VIEW_AUDIT = "audit.view", _("Browse the audit log")
    DECIDE = "decisions.approve", _("Decide on death cases and suspensions")
    PROPOSE_PAYMENT = "decisions.propose", _("Propose suspensions, resumptions and stops")
    IMPORT_COMPARISON = "comparison.import", _("Import data-comparison files")
    EDIT_SOURCES = "comparison.sources", _("Edit data sources")
    EDIT_TEMPLATES = "reminders.templates", _("Edit message templates")
    VIEW_JOBS = "reminders.jobs", _("See the reminder job runs")
    MANAGE_STAFF = "staff.manage", _("Manage the accounts of staff below one's role")
    IMPORT_STAFF = "staff.import", _("Import staff accounts from a file")
    MANAGE_LOCKS = "staff.locks", _("See and clear login lockouts")
    MANAGE_TEAMS = "visits.teams", _("Manage home-visit teams and their members")
    MANAGE_CHANNEL_CLIENTS = "api.clients", _("Register channel API clients and their tokens")
    REVIEW_ABROAD = "api.review", _("Review certifications reported from abroad (境外认)")


_EVERY_DESK_ROLE = {Role.CITY_ADMIN, Role.DISTRICT_SUPERVISOR, Role.STREET_STAFF, Role.COMMUNITY_WORKER}
_OFFICES = {Role.CITY_ADMIN, Role.DISTRICT_SUPERVISOR, Role.STREET_STAFF}
_SUPERVISORS = {Role.CITY_ADMIN, Role.DISTRICT_SUPERVISOR}

ROLE_CAPABILITIES: dict[str, set[str]] = {role: set() for role in Role}


def _grant(capability: Capability, roles: set[Role]) -> None:
    for role in roles:
        ROLE_CAPABILITIES[role].add(capability)


_grant(Capability.VIEW_REGISTRY, set(Role))
_grant(Capability.EDIT_REGISTRY, _EVERY_DESK_ROLE)
_grant(Capability.IMPORT_ROSTER, {Role.CITY_ADMIN})
_grant(Capability.REVEAL_IDENTITY, set(Role))
_grant(Capability.RECORD_COUNTER, _EVERY_DESK_ROLE)
_grant(Capability.RECORD_CONSULAR, _OFFICES)
_grant(Capability.RECORD_HOME_VISIT, _OFFICES | {Role.VISIT_TEAM})
_grant(Capability.VOID_CERTIFICATION, _OFFICES)
_grant(Capability.WORK_QUEUES, _EVERY_DESK_ROLE)
_grant(Capability.ASSIGN_WORK, _OFFICES)
_grant(Capability.PLAN_VISITS, _EVERY_DESK_ROLE)
_grant(Capability.DO_VISITS, _OFFICES | {Role.VISIT_TEAM})
_grant(Capability.VIEW_REPORTS, _EVERY_DESK_ROLE)
_grant(Capability.VIEW_AUDIT, _SUPERVISORS)
_grant(Capability.DECIDE, _SUPERVISORS)
_grant(Capability.PROPOSE_PAYMENT, _OFFICES)
_grant(Capability.IMPORT_COMPARISON, {Role.CITY_ADMIN})
_grant(Capability.EDIT_SOURCES, {Role.CITY_ADMIN})
_grant(Capability.EDIT_TEMPLATES, _SUPERVISORS)
_grant(Capability.VIEW_JOBS, _SUPERVISORS)
_grant(Capability.MANAGE_STAFF, _SUPERVISORS)
_grant(Capability.IMPORT_STAFF, {Role.CITY_ADMIN})
_grant(Capability.MANAGE_LOCKS, {Role.CITY_ADMIN})
_grant(Capability.MANAGE_CHANNEL_CLIENTS, {Role.CITY_ADMIN})
# Whoever records consular paper forms (the street offices and the clerks above them) reviews the app's.
_grant(Capability.REVIEW_ABROAD, _OFFICES)
_grant(Capability.MANAGE_TEAMS, _OFFICES)


def role_can(role: str, capability: str) -> bool:
    """Unknown roles can do nothing."""
    return capability in ROLE_CAPABILITIES.get(role, set())
