"""Building blocks every app's views use: capability checks, scoped lookups, exports that are audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_tables2.export.views import ExportMixin

from portal.audit import audit_record
from portal.exports import export_response


class CapabilityRequiredMixin:
    """Refuse (403) a user whose role lacks `capability` or who has no scope at all."""

    capability: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.capability:
            raise AssertionError(f"{type(self).__name__} must name the capability it needs")
        if not request.scope.can(self.capability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def require_capability(request, capability: str) -> None:
    if not request.scope.can(capability):
        raise PermissionDenied


class AuditedExportMixin(ExportMixin):
    """django-tables2 export (?_export=csv|xlsx), streamed, with an audit event for every export.

    Tables mask personal data themselves; exports only ever hold what the screen shows.
    """

    export_formats = ("csv", "xlsx")
    export_action = "export"

    def create_export(self, export_format):
        table = self.get_table(**self.get_table_kwargs())
        response = export_response(
            type(table),
            table.data.data,
            export_format=export_format,
            filename=self.export_name,
            table_kwargs=self.get_table_kwargs(),
        )
        audit_record(
            actor=self.request.user,
            action=f"{self.export_action}.exported",
            area_code=self.request.scope.area.code if self.request.scope.area else "",
            after={"format": export_format, "query": self.request.GET.urlencode()},
        )
        return response


def is_htmx(request) -> bool:
    """An htmx request wants only the fragment it will swap in."""
    return request.headers.get("HX-Request") == "true"


def safe_next(request) -> str:
    """The page to go back to, if it is one of ours (never another site, never a script)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=False
    ):
        return target
    return ""


def redirect_back(request, fallback: str):
    return redirect(safe_next(request) or fallback)
