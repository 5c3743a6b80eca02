"""Every write to a staff account: one transaction each, with its audit event.

The actor's right to touch an account is checked here, not only in the views, so the import and any
future screen meet the same rule (portal/staff/rules.py). A disabled account's open sessions end at
once: Django's ModelBackend returns no user for an inactive account on the next request, and a changed
password no longer matches the session's hash.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.contracts import team_directory
from portal.errors import Refused
from portal.models import User
from portal.roles import Role
from portal.staff.models import PasswordHistory
from portal.staff.rules import PASSWORD_HISTORY, area_level_problem, management_problem

# Read out over the phone: no characters that look alike (l 1 I, O 0).
_TEMPORARY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """12 characters of letters and digits plus one sign: meets the rules, is read out over the phone."""
    while True:
        core = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(11))
        candidate = core + secrets.choice("#%+=")
        if (
            any(c.islower() for c in core)
            and any(c.isupper() for c in core)
            and any(c.isdigit() for c in core)
        ):
            return candidate


def check_may_manage(*, actor, role: str, area) -> None:
    """Refused unless the actor (None: an operator's command) may hold an account of `role` in `area`."""
    if area is None:
        raise Refused(_("Choose an area."), field="area_code")
    level = area_level_problem(role=role, area_level=area.level)
    if level:
        raise Refused(level, field="area_code")
    if actor is None:
        return
    if actor.area is None:
        raise Refused(_("No area is assigned to your account."))
    problem = management_problem(
        actor_role=actor.role,
        actor_area_code=actor.area.code,
        actor_area_level=actor.area.level,
        role=role,
        area_code=area.code,
    )
    if problem:
        field, reason = problem
        raise Refused(reason, field=field)


def _snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "area": user.area_id,
        "phone": user.phone,
        "active": user.is_active,
    }


def staff_create(
    *, actor, username: str, full_name: str, role: str, area, phone: str = "", team: str = ""
) -> tuple[User, str]:
    """A new account with a temporary password, to be changed at first login. Returns both."""
    username = username.strip()
    check_may_manage(actor=actor, role=role, area=area)
    if User.objects.filter(username__iexact=username).exists():
        raise Refused(_("This login name is taken."), field="username")
    password = temporary_password()
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name.strip(),
            role=role,
            area=area,
            phone=phone.strip(),
            must_change_password=True,
        )
        user.set_password(password)
        user.save()
        if team:
            _join_team(actor=actor, user=user, team=team)
        audit_record(actor=actor, action="staff.created", target=user, after=_snapshot(user))
    return user, password


def _join_team(*, actor, user: User, team: str) -> None:
    if user.role != Role.VISIT_TEAM:
        raise Refused(_("Only home-visit team members belong to a team."), field="team")
    team_directory().join(actor=actor, user=user, team=team)


def staff_update(*, actor, user: User, full_name: str, role: str, area, phone: str, team: str = "") -> User:
    """Change an account's name, role, area (a move to another area) or phone."""
    check_may_manage(actor=actor, role=user.role, area=user.area)  # may touch it as it is
    check_may_manage(actor=actor, role=role, area=area)  # and as it will be
    if actor is not None and actor.pk == user.pk and (role != user.role or area != user.area):
        raise Refused(_("You cannot change your own role or area."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = _snapshot(locked)
        moved = locked.area_id != area.code
        locked.full_name = full_name.strip()
        locked.role = role
        locked.area = area
        locked.phone = phone.strip()
        locked.save(update_fields=["full_name", "role", "area", "phone"])
        if team:
            _join_team(actor=actor, user=locked, team=team)
        audit_record(
            actor=actor,
            action="staff.moved" if moved else "staff.updated",
            target=locked,
            before=before,
            after=_snapshot(locked),
        )
    return locked


def staff_disable(*, actor, user: User, reason: str) -> User:
    """The account can no longer log in, and its open sessions end with the next click."""
    check_may_manage(actor=actor, role=user.role, area=user.area)
    if actor is not None and actor.pk == user.pk:
        raise Refused(_("You cannot disable your own account."))
    if not reason.strip():
        raise Refused(_("Say why the account is disabled."), field="reason")
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
        if not updated:
            raise Refused(_("This account is already disabled."))
        user.refresh_from_db()
        audit_record(actor=actor, action="staff.disabled", target=user, note=reason.strip()[:500])
    return user


def staff_enable(*, actor, user: User) -> User:
    check_may_manage(actor=actor, role=user.role, area=user.area)
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
        if not updated:
            raise Refused(_("This account is already enabled."))
        user.refresh_from_db()
        audit_record(actor=actor, action="staff.enabled", target=user)
    return user


def staff_reset_password(*, actor, user: User) -> str:
    """A one-time temporary password; it must be changed at the next login. Open sessions end."""
    check_may_manage(actor=actor, role=user.role, area=user.area)
    if actor is not None and actor.pk == user.pk:
        raise Refused(_("Change your own password on the password page."))
    password = temporary_password()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.must_change_password = True
        locked.save(update_fields=["password", "must_change_password"])
        audit_record(actor=actor, action="staff.password_reset", target=locked)
    return password


def staff_reset_second_factor(*, actor, user: User) -> None:
    """A lost phone: the account's authenticator and recovery codes are removed; it enrols again."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    check_may_manage(actor=actor, role=user.role, area=user.area)
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).delete()[0]
        if not removed:
            raise Refused(_("This account has no second factor."))
        audit_record(actor=actor, action="staff.second_factor_reset", target=user)


def password_change(*, user: User, current: str, new: str) -> None:
    """Someone changes their own password: the current one first, then the rules, then the history."""
    if not user.check_password(current):
        raise Refused(_("The current password is not correct."), field="old_password")
    if current == new:
        raise Refused(_("The new password must differ from the current one."), field="new_password1")
    try:
        validate_password(new, user=user)
    except ValidationError as error:
        raise Refused(list(error.messages), field="new_password1") from error
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        PasswordHistory.objects.create(user=locked, password=locked.password)
        keep = PasswordHistory.objects.filter(user=locked).values_list("pk", flat=True)[:PASSWORD_HISTORY]
        PasswordHistory.objects.filter(user=locked).exclude(pk__in=list(keep)).delete()
        locked.set_password(new)
        locked.must_change_password = False
        locked.password_changed_at = timezone.now()
        locked.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit_record(actor=locked, action="staff.password_changed", target=locked)
    user.password = locked.password
    user.must_change_password = False


def used_recently(user: User, password: str) -> bool:
    """Whether the password is the current one or one of the last few (the history holds hashes)."""
    if user.pk is None:
        return False
    if user.password and check_password(password, user.password):
        return True
    earlier = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)
    return any(check_password(password, hashed) for hashed in earlier[: PASSWORD_HISTORY - 1])


def login_lock_clear(*, actor, username: str = "", ip_address: str = "") -> int:
    """An administrator lifts a login lockout (a login's, or an address's). Returns the attempts removed."""
    from axes.utils import reset

    if not username and not ip_address:
        raise Refused(_("Name the login or the address to unlock."))
    with transaction.atomic():
        removed = reset(username=username or None, ip=ip_address or None)
        audit_record(
            actor=actor,
            action="staff.lock_cleared",
            note=username or ip_address,
            after={"username": username, "ip_address": ip_address, "attempts": removed},
        )
    return removed
