"""The planning list's filters."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy

from certification.models import HomeVisit, VisitStatus
from portal.filtersets import CompactFilterForm


class HomeVisitFilter(django_filters.FilterSet):
    # Only the status here: the page's one team/date pair is the schedule form's (a second pair, for
    # filtering, was taken for it). A team's day is its visit sheet.
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=VisitStatus.choices, empty_label=gettext_lazy("Open")
    )

    class Meta:
        model = HomeVisit
        fields = ["status"]
        form = CompactFilterForm

    @property
    def qs(self):
        queryset = super().qs
        chosen = self.form.cleaned_data.get("status") if self.form.is_bound and self.form.is_valid() else ""
        return queryset if chosen else queryset.open()
