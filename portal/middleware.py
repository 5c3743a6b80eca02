"""Per-request context: the user's scope, and the client address the audit log records."""

from django.utils.functional import SimpleLazyObject

from portal.audit import client_address_var
from portal.scoping import Scope


class ScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: Scope(request.user))
        token = client_address_var.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            client_address_var.reset(token)


def client_address(request) -> str | None:
    # REMOTE_ADDR is the proxy in production; the proxy is configured to pass the client in
    # X-Real-IP, which cannot be forged from outside because the proxy overwrites it.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


class ChosenLanguageMiddleware:
    """Simplified Chinese unless the user chose English with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a staff PC set up in English
    would then show the portal in English though nobody chose it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
