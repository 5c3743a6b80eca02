"""The home-visit tables: the planning list and the standing list (台账)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy

from certification.models import HomeVisit
from pensioners.models import Pensioner
from portal.tables import NO_WRAP, WIDE_ONLY, ListTable


class HomeVisitTable(ListTable):
    select = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            # The boxes post as `select` (the column's name) into the schedule form, outside the table.
            "th__input": {"data-select-all": "input[name=select][form=schedule-form]"},
            "td__input": {"form": "schedule-form", "aria-label": gettext_lazy("Select")},
        },
        orderable=False,
        exclude_from_export=True,
    )
    name = tables.Column(
        verbose_name=gettext_lazy("Name"),
        accessor="pensioner__name",
        linkify=lambda record: reverse("home-visit", args=[record.pk]),
        attrs=NO_WRAP,
    )
    community = tables.Column(
        verbose_name=gettext_lazy("Community"), accessor="pensioner__community__name", attrs=WIDE_ONLY
    )
    address = tables.Column(verbose_name=gettext_lazy("Address"), accessor="pensioner__address")
    reason = tables.Column(verbose_name=gettext_lazy("Reason"), attrs=WIDE_ONLY)
    requested_via = tables.Column(verbose_name=gettext_lazy("Requested via"), attrs=WIDE_ONLY)
    status = tables.Column(verbose_name=gettext_lazy("Status"), attrs=NO_WRAP)
    team = tables.Column(verbose_name=gettext_lazy("Team"), attrs=WIDE_ONLY)
    scheduled_on = tables.Column(verbose_name=gettext_lazy("Visit date"), attrs=NO_WRAP)
    outcome = tables.Column(verbose_name=gettext_lazy("Outcome"), attrs=WIDE_ONLY, empty_values=())

    class Meta(ListTable.Meta):
        model = HomeVisit
        fields = (
            "select",
            "name",
            "community",
            "address",
            "reason",
            "requested_via",
            "status",
            "team",
            "scheduled_on",
            "outcome",
        )
        order_by = ("scheduled_on",)
        empty_text = gettext_lazy("No visits here.")

    def render_outcome(self, record):
        # A cancelled visit says why (e.g. certified through another channel), so nobody goes anyway.
        return " ".join(part for part in (record.get_outcome_display(), record.outcome_note) if part) or "—"

    def value_outcome(self, record):
        return self.render_outcome(record)


class StandingListTable(ListTable):
    name = tables.Column(
        verbose_name=gettext_lazy("Name"), linkify=lambda record: reverse("pensioner-card", args=[record.pk])
    )
    community = tables.Column(verbose_name=gettext_lazy("Community"), accessor="community__name")
    home_service_reason = tables.Column(verbose_name=gettext_lazy("Reason"))
    latest = tables.Column(
        verbose_name=gettext_lazy("Latest certification"), accessor="state__latest_certified_on"
    )
    deadline = tables.Column(verbose_name=gettext_lazy("Deadline"), accessor="state__next_due_on")
    waiting = tables.BooleanColumn(
        verbose_name=gettext_lazy("Visit open"), accessor="has_open_visit", orderable=False
    )

    class Meta(ListTable.Meta):
        model = Pensioner
        fields = ("name", "community", "home_service_reason", "latest", "deadline", "waiting")
        order_by = ("deadline",)
        empty_text = gettext_lazy("Nobody needs home service in your area.")

    def value_waiting(self, value):
        return bool(value)  # the export says 是/否 (portal.exports.files.cell_value), not "True"/"False"
