"""The queue filters: what staff can narrow a queue by."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import ContactOutcome
from certification.queues.queries import OVERDUE_QUEUE, queue_due_buckets
from certification.queues.rules import (
    AGING_BUCKETS,
    deadline_range_for_bucket,
    deadline_range_for_days_left,
)
from pensioners.filters import AGE_BANDS, ANY, YES_NO, AreaDrillDownFilter, years_before
from pensioners.models import BenefitLine, CertificationState, Scheme
from portal.filtersets import CompactFilterForm
from portal.models import User

BUCKET_CHOICES = [(code, label) for code, label, _first, _last in AGING_BUCKETS]
ASSIGNED_OUTSIDE = "outside"
CONTACT_CHOICES = [("none", _("Never contacted")), *ContactOutcome.choices]


class QueueFilter(django_filters.FilterSet):
    area = AreaDrillDownFilter(code_field="area_code")
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
