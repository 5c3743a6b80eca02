"""Per-request context: the user's scope, the client address the audit log records, and the size a request
body may have before anything reads it; and two response headers: the Content-Security-Policy (django-csp's,
with its exception for PDFs) and Cache-Control: no-store."""

import ipaddress

from csp.constants import NONE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

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
    """The address the audit log records. X-Real-IP is believed only from a proxy named in
    TRUSTED_PROXY_ADDRESSES (which overwrites it); from anyone else it is a header anybody can send."""
    remote = request.META.get("REMOTE_ADDR") or None
    forwarded = (request.META.get("HTTP_X_REAL_IP") or "").strip()
    if forwarded and remote in settings.TRUSTED_PROXY_ADDRESSES:
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            return remote
    return remote


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


def request_limit(view_func) -> int:
    """The largest request body a view takes. A view that accepts files names the setting that bounds
    them (`upload_limit_setting`, on the function or its class); every other request gets
    REQUEST_MAX_BYTES. One megabyte of slack covers the form fields around the file."""
    name = getattr(view_func, "upload_limit_setting", None) or getattr(
        getattr(view_func, "view_class", None), "upload_limit_setting", None
    )
    return getattr(settings, name) + 1024 * 1024 if name else settings.REQUEST_MAX_BYTES


class RequestSizeLimitMiddleware:
    """Refuse an oversized body before anything parses it (CSRF reads the POST, so this sits before it):
    an anonymous 200 MB POST to the login page is answered at once with 413 and the limit, unread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_limit(view_func)
        if length <= limit:
            return None
        message = _(
            "The request is larger than %(limit)s MB, the most this page takes. Nothing was saved."
        ) % {"limit": max(1, limit // (1024 * 1024))}
        if request.path.startswith("/api/"):
            # Systems read JSON: the channel API's answers all have the same {"code", "detail"} shape.
            return JsonResponse({"code": "too_large", "detail": message}, status=413)
        return render(request, "413.html", {"message": message}, status=413)


def accepts_uploads(setting_name: str):
    """Mark a function view as taking files up to the size in the named setting."""

    def mark(view):
        view.upload_limit_setting = setting_name
        return view

    return mark


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with one exception: a PDF opened in the browser (a scanned consular form)
    gets only frame-ancestors. Chrome shows a PDF in a viewer page of its own, built from an <embed> and
    inline styles, which the portal's object-src 'none' and style-src 'self' would blank out."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and response.get("Content-Type", "").startswith("application/pdf"):
            parts.config, parts.update, parts.replace = {"frame-ancestors": [NONE]}, None, None
        return parts


class NoStoreMiddleware:
    """Cache-Control: no-store (and the old Pragma: no-cache) on every response to a signed-in user and on
    any response that says nothing about caching, so no page, export or evidence file with personal data is
    kept by the browser, its back button or a proxy. Static files never get here: WhiteNoise answers them
    earlier in MIDDLEWARE, with its own long-lived caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        current = response.get("Cache-Control", "")
        if (signed_in or not current) and "no-store" not in current:
            response["Cache-Control"] = "no-store"
        if signed_in or "no-store" in response.get("Cache-Control", ""):
            response["Pragma"] = "no-cache"
        return response
