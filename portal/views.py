"""Portal-wide screens: dashboard, health check, audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from portal.contracts import dashboard_panels
from portal.filters import AuditEventFilter
from portal.models import AuditEvent
from portal.roles import Capability
from portal.tables import AuditEventTable
from portal.views_base import ScopedListView


def dashboard(request):
    if request.scope.is_empty:
        return render(request, "portal/no_area.html", {"hide_no_area_banner": True})
    panels = dashboard_panels(request)  # registered by each app in its AppConfig.ready()
    return render(request, "portal/dashboard.html", {"panels": panels})


@login_not_required
@never_cache
def healthz(request):
    database = _check_database()
    broker = _check_broker()
    healthy = database == "ok" and broker == "ok"
    return JsonResponse({"database": database, "broker": broker}, status=200 if healthy else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as error:  # noqa: BLE001 - any failure means "down"; the text says why
        return f"error: {type(error).__name__}"


def _check_broker() -> str:
    from portal.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return "ok"
    except Exception as error:  # noqa: BLE001
        return f"error: {type(error).__name__}"


class AuditLogView(ScopedListView):
    capability = Capability.VIEW_AUDIT
    template_name = "portal/audit_log.html"
    table_class = AuditEventTable
    filterset_class = AuditEventFilter
    export_name = "audit-log"
    export_action = "audit"

    def base_queryset(self):
        return AuditEvent.objects.select_related("actor")
