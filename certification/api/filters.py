"""Filters of the review queue and a client's records."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from certification.api.models import ChannelRecord, RecordStatus, ReviewStatus
from portal.filtersets import CompactFilterForm


class ReviewFilter(django_filters.FilterSet):
    # Empty means "waiting" (the view's default); "all" shows every reviewed record too.
    review_status = django_filters.ChoiceFilter(
        label=_("Review"),
        choices=[
            (ReviewStatus.ACCEPTED.value, ReviewStatus.ACCEPTED.label),
            (ReviewStatus.REJECTED.value, ReviewStatus.REJECTED.label),
            ("all", _("All")),
        ],
        empty_label=ReviewStatus.PENDING.label,
        method="filter_review",
    )

    def filter_review(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(review_status=value)

    class Meta:
        model = ChannelRecord
        fields = ["review_status"]
        form = CompactFilterForm


class ChannelRecordFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Answer"),
        choices=[c for c in RecordStatus.choices if c[0] != RecordStatus.DUPLICATE],
        empty_label=_("All"),
    )
    reference = django_filters.CharFilter(label=_("Reference"), lookup_expr="exact")

    class Meta:
        model = ChannelRecord
        fields = ["status", "reference"]
        form = CompactFilterForm
