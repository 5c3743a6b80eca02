"""The death-case list's filters."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy

from certification.models import DeathCase, DeathCaseOrigin, DeathCaseStatus
from portal.filtersets import CompactFilterForm


class DeathCaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=DeathCaseStatus.choices, empty_label=gettext_lazy("All")
    )
    origin = django_filters.ChoiceFilter(
        label=gettext_lazy("Origin"), choices=DeathCaseOrigin.choices, empty_label=gettext_lazy("All")
    )

    class Meta:
        model = DeathCase
        fields = ["status", "origin"]
        form = CompactFilterForm
