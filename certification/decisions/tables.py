"""The supervisor's list of death reports and cases."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy

from certification.models import DeathCase
from portal.masking import mask_id_number
from portal.tables import ListTable


class DeathCaseTable(ListTable):
    name = tables.Column(
        verbose_name=gettext_lazy("Name"),
        accessor="pensioner__name",
        linkify=lambda record: reverse("death-case", args=[record.pk]),
    )
    id_number = tables.Column(
        verbose_name=gettext_lazy("ID number"), accessor="pensioner__id_number", orderable=False
    )
    community = tables.Column(verbose_name=gettext_lazy("Community"), accessor="pensioner__community__name")
    origin = tables.Column(verbose_name=gettext_lazy("Origin"))
    source = tables.Column(verbose_name=gettext_lazy("Source"))
    reported_death_date = tables.Column(verbose_name=gettext_lazy("Date of death"))
    reported_at = tables.DateTimeColumn(verbose_name=gettext_lazy("Reported"), format="Y-m-d H:i")
    evidence_count = tables.Column(
        verbose_name=gettext_lazy("Evidence"), accessor="evidence", orderable=False
    )
    status = tables.Column(verbose_name=gettext_lazy("Status"))

    class Meta(ListTable.Meta):
        model = DeathCase
        fields = (
            "name",
            "id_number",
            "community",
            "origin",
            "source",
            "reported_death_date",
            "reported_at",
            "evidence_count",
            "status",
        )
        order_by = ("-reported_at",)
        empty_text = gettext_lazy("No death reports.")

    def render_id_number(self, value):
        return mask_id_number(value)

    def value_id_number(self, value):
        return mask_id_number(value)

    def render_evidence_count(self, value):
        return len(value or [])

    def value_evidence_count(self, value):
        return len(value or [])
