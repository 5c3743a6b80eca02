"""Tables for the portal's own list screens."""

import json

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEvent


class AuditEventTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name=_("Time"), format="Y-m-d H:i:s")
    actor_username = tables.Column(verbose_name=_("Who"))
    action = tables.Column(verbose_name=_("Action"))
    object_repr = tables.Column(verbose_name=_("Record"))
    area_code = tables.Column(verbose_name=_("Area"))
    change = tables.Column(verbose_name=_("Change"), empty_values=(), orderable=False)
    note = tables.Column(verbose_name=_("Note"))
    client_address = tables.Column(verbose_name=_("Client address"))

    class Meta:
        model = AuditEvent
        fields = (
            "at",
            "actor_username",
            "action",
            "object_repr",
            "area_code",
            "change",
            "note",
            "client_address",
        )
        order_by = ("-at",)

    def render_change(self, record):
        parts = []
        if record.before:
            parts.append(_("before") + " " + json.dumps(record.before, ensure_ascii=False))
        if record.after:
            parts.append(_("after") + " " + json.dumps(record.after, ensure_ascii=False))
        return " → ".join(parts) if parts else "—"

    def value_change(self, record):
        return self.render_change(record)
