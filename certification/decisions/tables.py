"""The supervisor's list of death reports and cases."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.decisions.queries import exclusions_of
from certification.decisions.rules import DROP_LABELS, EXCLUSION_LABELS
from certification.models import (
    ContactKind,
    DeadlineExtension,
    DeathCase,
    DecisionBatch,
    PaymentDecision,
)
from pensioners.models import Area, CertificationState
from portal.masking import mask_id_number
from portal.tables import NO_WRAP, WIDE_ONLY, ListTable


def area_name(code: str) -> str:
    area = Area.objects.filter(pk=code).only("name").first()
    return f"{area.name} ({code})" if area else code


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


def _card(record):
    return reverse("pensioner-card", args=[record.pensioner_id])


class PersonListTable(ListTable):
    """A list of people: the name opens the card, the ID number is masked on screen and in exports."""

    name = tables.Column(
        verbose_name=gettext_lazy("Name"), accessor="pensioner__name", linkify=_card, attrs=NO_WRAP
    )
    id_number = tables.Column(
        verbose_name=gettext_lazy("ID number"),
        accessor="pensioner__id_number",
        orderable=False,
        attrs=WIDE_ONLY,
    )
    community = tables.Column(
        verbose_name=gettext_lazy("Community"), accessor="pensioner__community__name", attrs=WIDE_ONLY
    )

    def render_id_number(self, value):
        return mask_id_number(value)

    def value_id_number(self, value):
        return mask_id_number(value)


class SuspensionCandidateTable(PersonListTable):
    """A suspension candidate, why they are one, and what (if anything) keeps them out of a batch.
    On a phone: the name, the deadline, the days overdue and the verdict."""

    next_due_on = tables.DateColumn(verbose_name=gettext_lazy("Deadline"), format="Y-m-d", attrs=NO_WRAP)
    overdue_days = tables.Column(
        verbose_name=gettext_lazy("Days overdue"), accessor="next_due_on", orderable=False
    )
    failed_kinds = tables.Column(
        verbose_name=gettext_lazy("Failed contact by"), orderable=False, attrs=WIDE_ONLY
    )
    last_failed_at = tables.DateTimeColumn(
        verbose_name=gettext_lazy("Last failed attempt"), format="Y-m-d", attrs=WIDE_ONLY
    )
    monthly_total = tables.Column(verbose_name=gettext_lazy("Monthly amount (yuan)"), attrs=WIDE_ONLY)
    exclusions = tables.Column(
        verbose_name=gettext_lazy("Excluded because"), accessor="pk", orderable=False, empty_values=()
    )
    exclude = tables.Column(
        verbose_name="", accessor="pk", orderable=False, empty_values=(), exclude_from_export=True
    )

    class Meta(ListTable.Meta):
        model = CertificationState
        fields = (
            "name",
            "id_number",
            "community",
            "next_due_on",
            "overdue_days",
            "failed_kinds",
            "last_failed_at",
            "monthly_total",
            "exclusions",
            "exclude",
        )
        order_by = ("next_due_on",)
        empty_text = gettext_lazy("No one is a suspension candidate here.")
        row_attrs = {"data-testid": "candidate-row", "data-pensioner": lambda record: record.pensioner_id}

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def render_overdue_days(self, value):
        return (self.today - value).days

    def value_overdue_days(self, value):
        return (self.today - value).days

    def render_failed_kinds(self, value):
        return "、".join(str(ContactKind(kind).label) for kind in value if kind in ContactKind.values)

    def value_failed_kinds(self, value):
        return self.render_failed_kinds(value)

    def value_exclusions(self, record):
        names = exclusions_of(record)
        if not names:
            return _("eligible")
        return "、".join(str(EXCLUSION_LABELS[name]) for name in names)

    def render_exclusions(self, record):
        names = exclusions_of(record)
        if not names:
            return format_html('<span class="badge text-bg-danger">{}</span>', _("eligible"))
        return format_html_join(
            " ",
            '<span class="badge text-bg-secondary" data-exclusion="{}">{}</span>',
            ((name, EXCLUSION_LABELS[name]) for name in names),
        )

    def render_exclude(self, record):
        if exclusions_of(record):
            return ""
        return format_html(
            '<a class="btn btn-sm btn-outline-secondary" href="{}" data-testid="exclude-link">{}</a>',
            reverse("suspension-exclude", args=[record.pensioner_id]),
            _("Exclude…"),
        )


class DecisionBatchTable(ListTable):
    pk = tables.Column(verbose_name="#", linkify=lambda record: reverse("decision-batch", args=[record.pk]))
    name = tables.Column(
        verbose_name=gettext_lazy("Batch name"),
        linkify=lambda record: reverse("decision-batch", args=[record.pk]),
    )
    kind = tables.Column(verbose_name=gettext_lazy("Decision"))
    people_count = tables.Column(verbose_name=gettext_lazy("People"))
    monthly_amount = tables.Column(verbose_name=gettext_lazy("Monthly amount (yuan)"))
    back_pay_amount = tables.Column(verbose_name=gettext_lazy("Back pay (yuan)"), attrs=WIDE_ONLY)
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    proposed_by = tables.Column(verbose_name=gettext_lazy("Proposed by"), attrs=WIDE_ONLY)
    proposed_at = tables.DateTimeColumn(
        verbose_name=gettext_lazy("Proposed"), format="Y-m-d H:i", attrs=NO_WRAP
    )
    decided_by = tables.Column(verbose_name=gettext_lazy("Decided by"), attrs=WIDE_ONLY)

    class Meta(ListTable.Meta):
        model = DecisionBatch
        fields = (
            "pk",
            "name",
            "kind",
            "people_count",
            "monthly_amount",
            "back_pay_amount",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
        )
        order_by = ("-proposed_at",)
        empty_text = gettext_lazy("No batches.")
        row_attrs = {"data-testid": "batch-row"}


class BatchDecisionTable(PersonListTable):
    """The people of one batch: what is decided for each, and who was dropped at approval and why.
    Back-pay columns only for resumptions; on a phone: the name, the month, the amount, the status."""

    effective_month = tables.DateColumn(verbose_name=gettext_lazy("From month"), format="Y-m", attrs=NO_WRAP)
    monthly_amount = tables.Column(verbose_name=gettext_lazy("Monthly amount (yuan)"))
    back_pay_months = tables.Column(verbose_name=gettext_lazy("Months of back pay"), attrs=WIDE_ONLY)
    back_pay_amount = tables.Column(verbose_name=gettext_lazy("Back pay (yuan)"))
    reference = tables.Column(verbose_name=gettext_lazy("Document reference"), attrs=WIDE_ONLY)
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    drop_reason = tables.Column(verbose_name=gettext_lazy("Why dropped"), attrs=WIDE_ONLY)

    class Meta(ListTable.Meta):
        model = PaymentDecision
        fields = (
            "name",
            "id_number",
            "community",
            "effective_month",
            "monthly_amount",
            "back_pay_months",
            "back_pay_amount",
            "reference",
            "status",
            "drop_reason",
        )
        order_by = ("pensioner__name",)
        empty_text = gettext_lazy("No one in this batch.")
        row_attrs = {"data-testid": "decision-row", "data-status": lambda record: record.status}

    def render_drop_reason(self, value):
        return DROP_LABELS.get(value, value)

    def value_drop_reason(self, value):
        return str(DROP_LABELS.get(value, value)) if value else ""


class ResumptionTable(PersonListTable):
    """Resumptions proposed by a certification, waiting to be batched and approved."""

    certified_on = tables.DateColumn(
        verbose_name=gettext_lazy("Certified on"),
        accessor="certification__certified_on",
        format="Y-m-d",
        attrs=WIDE_ONLY,
    )
    ended = tables.Column(verbose_name=gettext_lazy("Ends"), accessor="resumes__kind", attrs=WIDE_ONLY)
    suspended_from = tables.DateColumn(
        verbose_name=gettext_lazy("Withheld from"), accessor="resumes__effective_month", format="Y-m"
    )
    effective_month = tables.DateColumn(verbose_name=gettext_lazy("Resumes from"), format="Y-m")
    back_pay_months = tables.Column(verbose_name=gettext_lazy("Months of back pay"), attrs=WIDE_ONLY)
    back_pay_amount = tables.Column(verbose_name=gettext_lazy("Back pay (yuan)"))
    batch = tables.Column(
        verbose_name=gettext_lazy("Batch"),
        linkify=lambda record: reverse("decision-batch", args=[record.batch_id]) if record.batch_id else None,
    )

    class Meta(ListTable.Meta):
        model = PaymentDecision
        fields = (
            "name",
            "id_number",
            "community",
            "certified_on",
            "ended",
            "suspended_from",
            "effective_month",
            "back_pay_months",
            "back_pay_amount",
            "batch",
        )
        order_by = ("certification__certified_on",)
        empty_text = gettext_lazy("No resumption is waiting.")
        row_attrs = {"data-testid": "resumption-row"}

    def render_ended(self, record):
        return record.resumes.get_kind_display() if record.resumes_id else "—"


class DeadlineExtensionTable(ListTable):
    pk = tables.Column(
        verbose_name="#", linkify=lambda record: reverse("deadline-extension", args=[record.pk])
    )
    area_code = tables.Column(verbose_name=gettext_lazy("Area"))
    due_from = tables.DateColumn(verbose_name=gettext_lazy("Deadlines from"), format="Y-m-d", attrs=NO_WRAP)
    due_until = tables.DateColumn(verbose_name=gettext_lazy("Deadlines until"), format="Y-m-d", attrs=NO_WRAP)
    days = tables.Column(verbose_name=gettext_lazy("Days"))
    reason = tables.Column(verbose_name=gettext_lazy("Reason"), attrs=WIDE_ONLY)
    people_count = tables.Column(verbose_name=gettext_lazy("People"))
    status = tables.Column(verbose_name=gettext_lazy("Status"), empty_values=())
    proposed_by = tables.Column(verbose_name=gettext_lazy("Proposed by"), attrs=WIDE_ONLY)
    decided_by = tables.Column(verbose_name=gettext_lazy("Decided by"), attrs=WIDE_ONLY)

    class Meta(ListTable.Meta):
        model = DeadlineExtension
        fields = (
            "pk",
            "area_code",
            "due_from",
            "due_until",
            "days",
            "reason",
            "people_count",
            "status",
            "proposed_by",
            "decided_by",
        )
        order_by = ("-pk",)
        empty_text = gettext_lazy("No deadline extensions.")
        row_attrs = {"data-testid": "extension-row"}

    def render_area_code(self, value):
        return area_name(value)

    def value_area_code(self, value):
        return area_name(value)

    def render_status(self, record):
        return _("Revoked") if record.revoked_at else record.get_status_display()

    def value_status(self, record):
        return str(self.render_status(record))
