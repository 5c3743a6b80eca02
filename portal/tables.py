"""The one table base of every list screen, the cell attributes they share, and the audit log's table."""

import django_tables2 as tables
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from portal.audit import action_label, changes_text, describe_changes, object_label, staff_label
from portal.models import AuditEvent, User

# Columns a phone screen hides, and cells that must not wrap (dates, deadlines).
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
NO_WRAP = {"td": {"class": "text-nowrap"}}


class ListTable(tables.Table):
    """Every list screen's table: the same look on screen; exports come from AuditedExportMixin."""

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle bg-white"}


class ReportTable(tables.Table):
    """Every report table: counts, right-aligned where they are numbers (each table says which)."""

    class Meta:
        attrs = {"class": "table table-sm align-middle bg-white report-table"}


class AuditEventTable(ListTable):
    at = tables.DateTimeColumn(
        verbose_name=_("Time"), format="Y-m-d H:i:s", attrs={"td": {"class": "text-nowrap"}}
    )
    actor_username = tables.Column(
        verbose_name=_("Who"), empty_values=(), attrs={"td": {"class": "text-nowrap"}}
    )
    action = tables.Column(verbose_name=_("Action"), attrs={"td": {"class": "text-nowrap"}})
    object_repr = tables.Column(
        verbose_name=_("Record"), empty_values=(), attrs={"td": {"class": "min-w-12rem"}}
    )
    area_code = tables.Column(verbose_name=_("Area"), attrs={"td": {"class": "min-w-8rem"}})
    change = tables.Column(
        verbose_name=_("Change"),
        empty_values=(),
        orderable=False,
        attrs={"td": {"class": "min-w-18rem"}},
    )
    note = tables.Column(verbose_name=_("Note"))
    client_address = tables.Column(verbose_name=_("Client address"))

    class Meta(ListTable.Meta):
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

    # Every cell reads as words: labels for action codes and stored codes, staff as "real name (login)",
    # areas by name, before/after as labelled fields (portal.audit's display helpers).
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._area_names = {}

    def render_actor_username(self, record):
        return staff_label(record.actor, record.actor_username)

    def value_actor_username(self, record):
        return self.render_actor_username(record)

    def render_action(self, value):
        return action_label(value)

    def value_action(self, value):
        return action_label(value)

    def render_object_repr(self, record):
        return object_label(record)

    def value_object_repr(self, record):
        return object_label(record)

    def render_area_code(self, value):
        if value not in self._area_names:
            # The area model is the one staff accounts belong to (the registry's): reached through the
            # account, so the platform never imports the registry.
            areas = User._meta.get_field("area").related_model.objects
            name = areas.filter(code=value).values_list("name", flat=True).first()
            self._area_names[value] = f"{name} ({value})" if name else value
        return self._area_names[value]

    def value_area_code(self, value):
        return self.render_area_code(value)

    def render_change(self, record):
        rows = describe_changes(record)
        if not rows:
            return "—"
        return format_html_join(
            "",
            '<div class="audit-change"><span class="text-body-secondary">{}:</span> {}</div>',
            ((row["label"], _change_text(row)) for row in rows),
        )

    def value_at(self, value):
        return value  # a date-and-time cell in the spreadsheet, in Beijing time (portal.exports.files)

    def value_change(self, record):
        return changes_text(record)


def _change_text(row: dict) -> str:
    if row["before"] is not None and row["after"] is not None:
        return f"{row['before']} → {row['after']}"
    return row["after"] if row["after"] is not None else row["before"]
