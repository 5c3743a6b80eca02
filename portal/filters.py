"""Filters for the portal's own list screens."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.filtersets import CompactFilterForm
from portal.models import AuditEvent, User


class DateInput(forms.DateInput):
    input_type = "date"


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(label=_("Who"), queryset=User.objects.none())
    action = django_filters.CharFilter(
        label=_("Action"), lookup_expr="startswith", help_text=_("e.g. certification. or pensioner.revealed")
    )
    since = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=DateInput
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "since", "until"]
        form = CompactFilterForm

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if request is not None and request.scope.area is not None:
            # Only staff of the user's own area can be picked: choosing is seeing.
            staff = User.objects.filter(area__code__startswith=request.scope.area.scope_prefix)
            self.filters["actor"].queryset = staff.order_by("username")
