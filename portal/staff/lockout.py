"""django-axes, configured: what a lock is keyed on, the page a locked login sees, and the locks list.

One login is locked after AXES_FAILURE_LIMIT failures from any address. An address is locked as well
once it has failed LOGIN_ADDRESS_FAILURE_LIMIT times over all logins: a street office's counter PCs
share one address, so one mistyping clerk must not lock the whole office, but a script walking logins
from one address is stopped.
"""

from __future__ import annotations

from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.forms import StaffLoginForm


def _window_start() -> datetime:
    return timezone.now() - settings.AXES_COOLOFF_TIME


def address_failures(ip_address: str | None) -> int:
    if not ip_address:
        return 0
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=_window_start()).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def lockout_parameters(request_or_attempt, credentials=None) -> list:
    """AXES_LOCKOUT_PARAMETERS: always the login; the address too once it has failed too often."""
    if not isinstance(request_or_attempt, HttpRequest):
        return ["username"]
    ip_address = getattr(request_or_attempt, "axes_ip_address", None)
    if address_failures(ip_address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return ["username", "ip_address"]
    return ["username"]


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed log-ins for this login or from this computer. Log-ins are refused for "
        "%(minutes)d minutes. If you forgot your password, ask your administrator to reset it."
    ) % {"minutes": minutes}


def locked_out_response(request, original_response=None, credentials=None):
    """The login page again, with the lock's message: the same for a login that exists and one that
    does not, so the page never tells which logins are real."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = StaffLoginForm(request, initial={"username": username})
    context = {"form": form, "locked_out_message": lockout_message(), "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)


def current_locks():
    """The logins and addresses locked now (at or over their limit in the window), each with the time its
    lock lifts: the last failure plus the cool-off. One query each."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=_window_start())
    cooloff = settings.AXES_COOLOFF_TIME
    locks = []
    for key, limit in (
        ("username", settings.AXES_FAILURE_LIMIT),
        ("ip_address", settings.LOGIN_ADDRESS_FAILURE_LIMIT),
    ):
        rows = (
            recent.values(key)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
            .order_by(key)
        )
        locks.append([{**row, "ends_at": row["last"] + cooloff} for row in rows])
    return locks[0], locks[1]
