from django.conf import settings

from portal.navigation import items_for


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"portal_title": settings.PORTAL_TITLE}
    return {
        "portal_title": settings.PORTAL_TITLE,
        # Until the temporary password is changed or the second factor given (portal/staff/middleware.py),
        # every menu item would only lead back to that page: show none.
        "nav_items": [] if getattr(request, "held_at_the_door", False) else items_for(request),
        "scope": request.scope,
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_idle_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
    }
