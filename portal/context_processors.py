from django.conf import settings

from portal.navigation import items_for


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"portal_title": settings.PORTAL_TITLE}
    return {
        "portal_title": settings.PORTAL_TITLE,
        # Until the temporary password is changed or the second factor given, every menu item would only
        # lead back to that page: show none.
        "nav_items": [] if _held_at_the_door(request) else items_for(request),
        "scope": request.scope,
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_idle_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
    }


def _held_at_the_door(request) -> bool:
    from portal.staff.middleware import SECOND_FACTOR

    user = request.user
    if user.must_change_password:
        return True
    verified = getattr(user, "is_verified", lambda: False)()
    return bool(request.session.get(SECOND_FACTOR)) and not verified
