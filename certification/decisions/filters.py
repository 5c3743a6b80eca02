"""The decision lists' filters: death cases, suspension candidates, batches, resumptions, extensions."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from certification.decisions.queries import ALL_EXCLUSIONS, eligible_only, excluded_only
from certification.decisions.rules import EXCLUSION_LABELS
from certification.models import (
    DeadlineExtension,
    DeathCase,
    DeathCaseOrigin,
    DeathCaseStatus,
    DecisionBatch,
    DecisionKind,
    DecisionStatus,
    PaymentDecision,
)
from pensioners.filters import ANY, YES_NO, AreaDrillDownFilter
from pensioners.models import CertificationState
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


ELIGIBLE, EXCLUDED = "eligible", "excluded"
CANDIDATE_SHOW = [(ELIGIBLE, _("Eligible to propose")), (EXCLUDED, _("Excluded"))]


class SuspensionCandidateFilter(django_filters.FilterSet):
    """The candidate list's filters: the area, eligible or excluded (and why), how long overdue, abroad."""

    area = AreaDrillDownFilter(code_field="area_code")
    show = django_filters.ChoiceFilter(
        label=_("Show"), choices=CANDIDATE_SHOW, empty_label=_("All candidates"), method="filter_show"
    )
    exclusion = django_filters.ChoiceFilter(
        label=_("Excluded because"),
        choices=[(name, EXCLUSION_LABELS[name]) for name in ALL_EXCLUSIONS],
        empty_label=_("Any reason"),
        method="filter_exclusion",
    )
    overdue_days = django_filters.NumberFilter(
        label=_("Overdue at least (days)"), method="filter_overdue_days", min_value=0, max_value=3650
    )
    abroad = django_filters.ChoiceFilter(
        label=_("Lives abroad"), choices=YES_NO, empty_label=ANY, method="filter_abroad"
    )

    class Meta:
        model = CertificationState
        fields = ["area", "show", "exclusion", "overdue_days", "abroad"]
        form = CompactFilterForm

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.today = timezone.localdate()

    def filter_show(self, queryset, name, value):
        return eligible_only(queryset) if value == ELIGIBLE else excluded_only(queryset)

    def filter_exclusion(self, queryset, name, value):
        return queryset.filter(**{f"x_{value}": True})

    def filter_overdue_days(self, queryset, name, value):
        return queryset.filter(next_due_on__lte=self.today - timedelta(days=int(value)))

    def filter_abroad(self, queryset, name, value):
        lives_abroad = Q(pensioner__abroad_country="")
        return queryset.exclude(lives_abroad) if value == "yes" else queryset.filter(lives_abroad)


class DecisionBatchFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Decision"), choices=DecisionKind.choices, empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[c for c in DecisionStatus.choices if c[0] != DecisionStatus.DROPPED],
        empty_label=_("All"),
    )

    class Meta:
        model = DecisionBatch
        fields = ["kind", "status"]
        form = CompactFilterForm


class ResumptionFilter(django_filters.FilterSet):
    area = AreaDrillDownFilter(code_field="area_code")

    class Meta:
        model = PaymentDecision
        fields = ["area"]
        form = CompactFilterForm

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope


class DeadlineExtensionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[c for c in DecisionStatus.choices if c[0] != DecisionStatus.DROPPED],
        empty_label=_("All"),
    )

    class Meta:
        model = DeadlineExtension
        fields = ["status"]
        form = CompactFilterForm
