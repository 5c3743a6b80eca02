"""The one table base of every list screen, the cell attributes they share, and the audit log's table."""

import django_tables2 as tables
from django.utils.formats import localize
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from portal.audit import action_label, changes_text, describe_changes, object_label, staff_label
from portal.models import AuditEvent, User


def remember_render_signatures() -> None:
    """django-tables2 inspects the signature of a column's render method for every cell it draws, to know
    which arguments to pass (0.1 ms a cell: the city's report, 900 cells in seven tables, spent 90 ms on
    it). A function's signature never changes: work it out once per function. Called once, from
    PortalConfig.ready()."""
    from django_tables2 import utils

    if getattr(utils.signature, "remembers", False):
        return
    inspect_signature = utils.signature
    known: dict = {}

    def signature(fn):
        # A bound method's signature leaves out `self`: key on the function and whether it is bound.
        key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
        try:
            return known[key]
        except KeyError:
            known[key] = found = inspect_signature(fn)
            return found
        except TypeError:  # not hashable: inspect it each time, as before
            return inspect_signature(fn)

    signature.remembers = True
    utils.signature = signature


# Columns a phone screen hides, and cells that must not wrap (dates, deadlines).
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
NO_WRAP = {"td": {"class": "text-nowrap"}}


class ListTable(tables.Table):
    """Every list screen's table: the same look on screen; exports come from AuditedExportMixin."""

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle bg-white"}


class ReportTable(tables.Table):
    """Every report table: counts, right-aligned where they are numbers (each table says which).

    The body is drawn by body_html, not cell by cell in the template: the city's report (seven tables,
    900 cells) spent 130 ms of its page in django-tables2's row template."""

    class Meta:
        attrs = {"class": "table table-sm align-middle bg-white report-table"}
        template_name = "portal/includes/_report_table.html"

    @property
    def body_html(self) -> str:
        """The rows as the stock template draws them (its row attributes, each cell localised and escaped),
        with each column's cell attributes worked out once."""
        columns = [(column.name, column.attrs["td"].as_html()) for column in self.columns]
        return format_html_join(
            "\n",
            "<tr {}>{}</tr>",
            (
                (
                    row.attrs.as_html(),
                    format_html_join(
                        "",
                        "<td {}>{}</td>",
                        ((attrs, localize(row.get_cell(name))) for name, attrs in columns),
                    ),
                )
                for row in self.rows
            ),
        )


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
