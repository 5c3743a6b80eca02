"""The session's own doors, checked on every request of a logged-in user, in this order:

1. the absolute limit (SESSION_ABSOLUTE_SECONDS after the login) and the idle limit
   (SESSION_IDLE_SECONDS since the last request): either ends the session, with a message on the login page;
2. a temporary password (a new account, an administrator's reset) opens only the password page;
3. a second factor: an account with an authenticator must enter its code before anything opens, and a
   supervisor or administrator without one must enrol first when SECOND_FACTOR_REQUIRED is on.
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.staff import second_factor

LOGIN_AT = "portal_login_at"
SEEN_AT = "portal_seen_at"
# Writing the session on every click would be one UPDATE per request; a minute's precision is plenty.
SEEN_AT_PRECISION_SECONDS = 30

# Reachable whatever the session still owes (the doors themselves, and the way out).
_ALWAYS_OPEN = ("login", "logout", "set_language", "healthz", "session-status")
_SECOND_FACTOR_PAGES = ("second-factor-verify", "second-factor-enrol")
# What opens while a page is owed: that page (and its twin: enrolling is also a way to verify).
_OPENS_WHILE_OWED = {
    "password-change": ("password-change",),
    "second-factor-verify": _SECOND_FACTOR_PAGES,
    "second-factor-enrol": _SECOND_FACTOR_PAGES,
}


@functools.cache
def _url_names(names: tuple[str, ...]) -> frozenset[str]:
    """The paths of these URL names, reversed once (the URLconf does not change while the server runs)."""
    return frozenset(reverse(name) for name in names)


def _with_next(url: str, request) -> str:
    if request.method != "GET" or request.headers.get("HX-Request") == "true":
        return url  # a form's POST cannot be replayed; the dashboard is the safe place to land
    return f"{url}?{urlencode({'next': request.get_full_path()})}"


def has_second_factor_cached(request) -> bool:
    """Whether the user has an authenticator, as answered at log-in (stamp_login) and kept in the session:
    no query per click. The verify page corrects a stale answer (a manager removed the device meanwhile)."""
    known = request.session.get(second_factor.SESSION_KEY)
    if known is None:
        known = request.session[second_factor.SESSION_KEY] = second_factor.has_device(request.user)
    return known


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        path = request.path
        always_open = _url_names(_ALWAYS_OPEN)
        ended = self._session_ended(request)
        if ended:
            logout(request)
            messages.warning(request, ended)
            return self._send_to(request, _with_next(reverse("login"), request))
        if path in always_open:
            return self.get_response(request)
        owed = self._page_owed(request)
        # The page's menu would only lead back here: the navigation shows none (context_processors).
        request.held_at_the_door = owed is not None
        if owed is None or path in _url_names(_OPENS_WHILE_OWED[owed]):
            return self.get_response(request)
        url = reverse(owed)
        return self._send_to(request, _with_next(url, request) if owed == "second-factor-verify" else url)

    @staticmethod
    def _page_owed(request) -> str | None:
        """The URL name of the page this session must go through before any other, or None."""
        user = request.user
        if user.must_change_password:
            return "password-change"
        if getattr(user, "is_verified", lambda: False)():  # no OTP middleware: never verified
            return None
        if has_second_factor_cached(request):
            return "second-factor-verify"
        if second_factor.required_for(user):
            return "second-factor-enrol"
        return None

    def _session_ended(self, request) -> str | None:
        """Why the session has ended now, or None; stamps the activity of a session that goes on."""
        session = request.session
        now = int(time.time())
        login_at = session.get(LOGIN_AT)
        if login_at is None:  # logged in before these limits existed, or by a test's client
            session[LOGIN_AT] = login_at = now
        seen_at = session.get(SEEN_AT, now)
        if now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
            return _("You were logged out: a session lasts %(hours)d hours at most. Please log in again.") % {
                "hours": settings.SESSION_ABSOLUTE_SECONDS // 3600
            }
        if now - seen_at > settings.SESSION_IDLE_SECONDS:
            return _(
                "You were logged out after %(minutes)d minutes without activity, so that nobody else "
                "at this computer works in your name. Please log in again."
            ) % {"minutes": settings.SESSION_IDLE_SECONDS // 60}
        # The idle warning asks how long is left without counting as activity itself.
        asking = request.path in _url_names(("session-status",))
        if not asking and now - seen_at >= SEEN_AT_PRECISION_SECONDS:
            session[SEEN_AT] = now
        elif SEEN_AT not in session:
            session[SEEN_AT] = now
        return None

    @staticmethod
    def _send_to(request, url: str):
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


def stamp_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: the absolute and idle limits start now."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
        # Asked once, at log-in, where the session is written anyway: no page pays for it.
        request.session[second_factor.SESSION_KEY] = second_factor.has_device(user)
