"""The work queues (due soon, overdue, my queue): what is in them, their filters, counts and table.

"Overdue" and "due soon" are the CertificationState QuerySet verbs; the reminders job and the reports
use the same verbs, so a number on a report is the length of a queue.
"""

from __future__ import annotations

from datetime import timedelta

import django_filters
import django_tables2 as tables
from django import forms
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import ContactOutcome
from certification.rules_queue import (
    AGING_BUCKETS,
    deadline_range_for_bucket,
    deadline_range_for_days_left,
    due_buckets,
)
from pensioners.filters import AGE_BANDS, ANY, YES_NO, years_before
from pensioners.models import BenefitLine, CertificationState, Scheme
from pensioners.rules import age_on
from portal.filtersets import CompactFilterForm
from portal.masking import mask_id_number, mask_phone
from portal.models import User

OVERDUE_QUEUE = "overdue"
DUE_SOON_QUEUE = "due_soon"
MY_QUEUE = "mine"


def queue_rows(base, kind: str, today, *, user=None, include_snoozed: bool = False):
    """The people in a queue, from an already scoped CertificationState QuerySet."""
    if kind == OVERDUE_QUEUE:
        rows = base.overdue(today)
    elif kind == DUE_SOON_QUEUE:
        rows = base.due_within(today, settings.DUE_SOON_DAYS)
    else:  # my queue: what is assigned to me, overdue or due soon
        rows = base.workable().filter(
            assigned_to=user, next_due_on__lte=today + timedelta(days=settings.DUE_SOON_DAYS)
        )
    return rows if include_snoozed else rows.not_snoozed(today)


def overdue_bucket_counts(rows, today) -> dict[str, int]:
    """How many people are in each aging bucket: one aggregate query."""
    aggregates = {}
    for code, _label, _first, _last in AGING_BUCKETS:
        earliest, latest = deadline_range_for_bucket(code, today)
        condition = Q(next_due_on__lte=latest) & (Q(next_due_on__gte=earliest) if earliest else Q())
        aggregates[code] = Count("pk", filter=condition)
    return rows.order_by().aggregate(**aggregates)


def queue_due_buckets(kind: str) -> list[tuple[str, str, int | None, int]]:
    """The summary buckets of the due-soon queue and of my queue (which also holds overdue people)."""
    return due_buckets(
        week=settings.REMINDER_FINAL_DAYS_BEFORE,
        window=settings.DUE_SOON_DAYS,
        include_overdue=kind == MY_QUEUE,
    )


def due_bucket_counts(rows, today, kind: str) -> dict[str, int]:
    """How many people are in each due bucket: one aggregate query, with the same ranges as the filter."""
    aggregates = {}
    for code, _label, fewest, most in queue_due_buckets(kind):
        earliest, latest = deadline_range_for_days_left(fewest, most, today)
        condition = Q(next_due_on__lte=latest) & (Q(next_due_on__gte=earliest) if earliest else Q())
        aggregates[code] = Count("pk", filter=condition)
    return rows.order_by().aggregate(**aggregates)


BUCKET_CHOICES = [(code, label) for code, label, _first, _last in AGING_BUCKETS]
ASSIGNED_OUTSIDE = "outside"
CONTACT_CHOICES = [("none", _("Never contacted")), *ContactOutcome.choices]


class QueueFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(method="filter_area", widget=forms.HiddenInput)
    bucket = django_filters.ChoiceFilter(
        label=_("Overdue for"), choices=BUCKET_CHOICES, empty_label=ANY, method="filter_bucket"
    )
    scheme = django_filters.ChoiceFilter(
        label=_("Scheme"), choices=Scheme.choices, empty_label=ANY, method="filter_scheme"
    )
    age = django_filters.ChoiceFilter(label=_("Age"), choices=AGE_BANDS, empty_label=ANY, method="filter_age")
    abroad = django_filters.ChoiceFilter(
        label=_("Lives abroad"), choices=YES_NO, empty_label=ANY, method="filter_abroad"
    )
    home_service = django_filters.ChoiceFilter(
        label=_("Needs home service"),
        choices=YES_NO,
        empty_label=ANY,
        field_name="pensioner__needs_home_service",
        method="filter_yes_no",
    )
    phone_wrong = django_filters.ChoiceFilter(
        label=_("Phone known wrong"),
        choices=YES_NO,
        empty_label=ANY,
        field_name="pensioner__phone_known_wrong",
        method="filter_yes_no",
    )
    last_contact = django_filters.ChoiceFilter(
        label=_("Last contact"), choices=CONTACT_CHOICES, empty_label=ANY, method="filter_last_contact"
    )
    assigned = django_filters.ChoiceFilter(label=_("Assigned to"), empty_label=ANY, method="filter_assigned")

    class Meta:
        model = CertificationState
        fields = [
            "area",
            "bucket",
            "scheme",
            "age",
            "abroad",
            "home_service",
            "phone_wrong",
            "last_contact",
            "assigned",
        ]
        form = CompactFilterForm

    def __init__(self, *args, scope=None, queue: str = OVERDUE_QUEUE, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.today = timezone.localdate()
        workers = User.objects.none()
        if scope is not None and scope.area is not None:
            workers = User.objects.filter(
                is_active=True, area__code__startswith=scope.area.scope_prefix
            ).order_by("username")
        self.filters["assigned"].extra["choices"] = [
            ("none", _("Nobody")),
            (ASSIGNED_OUTSIDE, _("Someone whose area does not hold the person")),
            *[(str(u.pk), str(u)) for u in workers],
        ]
        self.queue = queue
        if queue != OVERDUE_QUEUE:
            # The other queues are summarised by days left; the same buckets filter the list.
            bucket = self.filters["bucket"]
            bucket.label = _("Deadline")
            bucket.extra["choices"] = [(code, label) for code, label, _f, _l in queue_due_buckets(queue)]

    def filter_area(self, queryset, name, value):
        if (
            self.scope is None
            or self.scope.area is None
            or not value.startswith(self.scope.area.scope_prefix)
        ):
            return queryset
        return queryset.filter(area_code__startswith=value)

    def filter_bucket(self, queryset, name, value):
        if self.queue != OVERDUE_QUEUE:
            fewest, most = next(
                (first, last) for code, _label, first, last in queue_due_buckets(self.queue) if code == value
            )
            earliest, latest = deadline_range_for_days_left(fewest, most, self.today)
        else:
            earliest, latest = deadline_range_for_bucket(value, self.today)
        queryset = queryset.filter(next_due_on__lte=latest)
        return queryset.filter(next_due_on__gte=earliest) if earliest else queryset

    def filter_scheme(self, queryset, name, value):
        return queryset.filter(
            Exists(BenefitLine.objects.filter(pensioner=OuterRef("pensioner_id"), scheme=value))
        )

    def filter_age(self, queryset, name, value):
        return queryset.filter(pensioner__birth_date__lte=years_before(self.today, int(value)))

    def filter_abroad(self, queryset, name, value):
        if value == "yes":
            return queryset.exclude(pensioner__abroad_country="")
        return queryset.filter(pensioner__abroad_country="")

    def filter_yes_no(self, queryset, name, value):
        return queryset.filter(**{name: value == "yes"})

    def filter_last_contact(self, queryset, name, value):
        return queryset.filter(last_contact_outcome="" if value == "none" else value)

    def filter_assigned(self, queryset, name, value):
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        if value == ASSIGNED_OUTSIDE:
            # People given to a worker whose own queue cannot show them (assigned before assignment
            # checked areas, or moved since): street staff find them here and give them to the right worker.
            return queryset.filter(assigned_to__isnull=False).exclude(
                area_code__startswith=F("assigned_to__area_id")
            )
        return queryset.filter(assigned_to_id=value)


WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


def row_view(record) -> dict:
    """What one queue row shows (and exports): masked, labelled, computed once per record."""
    person = record.pensioner
    today = timezone.localdate()
    days = (record.next_due_on - today).days
    contact = record.last_contact_outcome
    return {
        "pensioner_id": record.pensioner_id,
        "name": person.name,
        "url": reverse("pensioner-card", args=[record.pensioner_id]),
        "id_number": mask_id_number(person.id_number),
        "age": age_on(person.birth_date, today),
        "phone": mask_phone(person.phone),
        "phone_wrong": person.phone_known_wrong,
        "community": person.community.name,
        "deadline": record.next_due_on.isoformat(),
        "days": days,
        "days_label": (_("%(days)s overdue") % {"days": -days})
        if days < 0
        else (_("%(days)s left") % {"days": days}),
        "contact": ContactOutcome(contact).label if contact in ContactOutcome.values else "",
        "contact_on": record.last_contact_on.isoformat() if record.last_contact_on else "",
        "assigned": str(record.assigned_to) if record.assigned_to_id else "",
    }


class QueueTable(tables.Table):
    """The columns give the headers, sorting and paging; the rows are drawn from row_view() by a plain
    template loop (django-tables2's cell-by-cell rendering cost about a millisecond a row)."""

    select = tables.CheckBoxColumn(
        accessor="pensioner_id",
        attrs={"th__input": {"data-select-all": "input[name=selected]", "aria-label": _("Select all")}},
        orderable=False,
    )
    name = tables.Column(verbose_name=_("Name"), accessor="pensioner__name")
    id_number = tables.Column(verbose_name=_("ID number"), orderable=False, attrs=WIDE_ONLY)
    age = tables.Column(
        verbose_name=_("Age"),
        accessor="pensioner__birth_date",
        order_by=("-pensioner__birth_date",),
        attrs=WIDE_ONLY,
    )
    phone = tables.Column(verbose_name=_("Phone"), orderable=False, attrs=WIDE_ONLY)
    community = tables.Column(verbose_name=_("Community"), order_by=("area_code",), attrs=WIDE_ONLY)
    next_due_on = tables.Column(verbose_name=_("Deadline"))
    days = tables.Column(verbose_name=_("Days"), order_by=("next_due_on",))
    last_contact = tables.Column(
        verbose_name=_("Last contact"), accessor="last_contact_outcome", attrs=WIDE_ONLY
    )
    assigned_to = tables.Column(verbose_name=_("Assigned to"), attrs=WIDE_ONLY)
    actions = tables.Column(verbose_name="", orderable=False, empty_values=())

    # Exported columns: (row_view key, header). "Days" reads as the screen does (逾期31天); the number
    # beside it is labelled, so nobody has to guess what a minus sign meant.
    EXPORT_COLUMNS = (
        ("name", _("Name")),
        ("id_number", _("ID number")),
        ("age", _("Age")),
        ("phone", _("Phone")),
        ("community", _("Community")),
        ("deadline", _("Deadline")),
        ("days_label", _("Days")),
        ("days_overdue", _("Days overdue")),
        ("contact", _("Last contact")),
        ("contact_on", _("Last contact date")),
        ("assigned", _("Assigned to")),
    )

    class Meta:
        model = CertificationState
        template_name = "certification/includes/_queue_table.html"
        fields = (
            "select", "name", "id_number", "age", "phone", "community", "next_due_on", "days", "last_contact",
            "assigned_to", "actions",
        )  # fmt: skip
        order_by = ("next_due_on",)
        empty_text = _("Nobody in this queue.")
        attrs = {"class": "table table-sm table-hover align-middle bg-white"}

    @property
    def page_rows(self) -> list[dict]:
        rows = self.page.object_list if self.page is not None else self.rows
        return [row_view(row.record) for row in rows]

    @classmethod
    def export_header(cls) -> list[str]:
        return [str(label) for _key, label in cls.EXPORT_COLUMNS]

    @classmethod
    def export_values(cls, record) -> list:
        view = row_view(record)
        # Real dates for the spreadsheet (the screen shows them as text).
        view["deadline"] = record.next_due_on
        view["contact_on"] = record.last_contact_on
        view["days_overdue"] = max(0, -view["days"])
        return [view[key] for key, _label in cls.EXPORT_COLUMNS]
