"""Who may manage whose account, and what a password must be. Pure functions: no database, fast tests."""

from __future__ import annotations

import string

from django.utils.translation import gettext as _

from portal.roles import ROLE_AREA_LEVEL, Role

# Each role manages the levels below it, within its own area (the staff-accounts issue). Street staff
# manage their street's visit teams and who is in them, not accounts.
MANAGED_ROLES: dict[str, tuple[str, ...]] = {
    Role.CITY_ADMIN: tuple(Role.values),
    Role.DISTRICT_SUPERVISOR: (Role.STREET_STAFF, Role.COMMUNITY_WORKER, Role.VISIT_TEAM),
}

# Roles whose accounts decide on money and see the whole district or city: a second factor for them.
SECOND_FACTOR_ROLES = (Role.CITY_ADMIN, Role.DISTRICT_SUPERVISOR)

# GB/T 22239-2019 level 3 practice, as the staff-accounts issue sets it.
PASSWORD_MIN_LENGTH = 10
PASSWORD_MIN_CLASSES = 3
PASSWORD_HISTORY = 5


def manageable_roles(actor_role: str) -> tuple[str, ...]:
    return MANAGED_ROLES.get(actor_role, ())


def area_code_within(area_code: str, *, of_code: str, of_level: str) -> bool:
    """Whether an area lies in another (the city holds every code of its province digits)."""
    prefix = of_code[:2] if of_level == "city" else of_code
    return bool(area_code) and area_code.startswith(prefix)


def management_problem(
    *, actor_role: str, actor_area_code: str, actor_area_level: str, role: str, area_code: str
) -> tuple[str, str] | None:
    """Why this actor may not hold an account of `role` in `area_code` (the field at fault and the
    reason), or None when they may."""
    if role not in manageable_roles(actor_role):
        return "role", _("You may not manage accounts of this role.")
    if not area_code_within(area_code, of_code=actor_area_code, of_level=actor_area_level):
        return "area_code", _("This area is outside yours.")
    return None


def area_level_problem(*, role: str, area_level: str) -> str | None:
    """A role works on areas of one level: a street worker in a street, a supervisor in a district."""
    expected = ROLE_AREA_LEVEL.get(role)
    if expected is None:
        return _("Unknown role.")
    if area_level != expected:
        return _("This role works in an area of level “%(level)s”.") % {"level": _level_label(expected)}
    return None


def _level_label(level: str) -> str:
    from django.apps import apps

    return str(dict(apps.get_model("pensioners", "Area")._meta.get_field("level").choices)[level])


def character_classes(password: str) -> int:
    """Lower case, upper case, digits, everything else: how many of the four the password uses."""
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c.isdigit() for c in password),
        any(not (c.isascii() and c.isalnum()) for c in password),
    ]
    return sum(classes)


def password_problems(password: str, *, username: str) -> list[str]:
    """What is wrong with a new password, apart from reuse (that needs the history: see validators)."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(_("A password needs at least %(n)d characters.") % {"n": PASSWORD_MIN_LENGTH})
    if character_classes(password) < PASSWORD_MIN_CLASSES:
        problems.append(
            _(
                "A password needs at least %(n)d of these: lower-case letters, capital letters, digits, "
                "other characters."
            )
            % {"n": PASSWORD_MIN_CLASSES}
        )
    login = (username or "").strip().lower()
    folded = password.lower()
    if login and (login in folded or login[::-1] in folded):
        problems.append(_("A password may not contain the login name."))
    return problems
