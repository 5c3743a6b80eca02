"""Filters for the portal's own list screens."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.contracts import find_person
from portal.filtersets import CompactFilterForm
from portal.models import AuditEvent, User


class DateInput(forms.DateInput):
    input_type = "date"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        from portal.audit import staff_label

        return staff_label(obj)


class StaffChoiceFilter(django_filters.ModelChoiceFilter):
    """Staff shown as everywhere in the log: "real name (login)"."""

    field_class = StaffChoiceField


class AuditEventFilter(django_filters.FilterSet):
    actor = StaffChoiceFilter(label=_("Who"), queryset=User.objects.none(), empty_label=_("Any"))
    action = django_filters.ChoiceFilter(label=_("Action"), empty_label=_("Any"))
    person = django_filters.CharFilter(
        label=_("Person"),
        method="filter_person",
        widget=forms.TextInput(attrs={"placeholder": _("Full ID number or record number")}),
    )
    since = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=DateInput
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "person", "since", "until"]
        form = CompactFilterForm

    def __init__(self, *args, request=None, **kwargs):
        from portal.audit import action_choices

        super().__init__(*args, **kwargs)
        self.request = request
        self.person_found = None
        self.filters["action"].extra["choices"] = action_choices()
        if request is not None and request.scope.area is not None:
            # Only staff of the user's own area can be picked: choosing is seeing.
            staff = User.objects.filter(area__code__startswith=request.scope.area.scope_prefix)
            self.filters["actor"].queryset = staff.order_by("username")

    def filter_person(self, queryset, name, value):
        """Events about one person, found by the exact ID number or the record number, in scope only.

        Looking a person up by ID number in the log is itself a look at their data: it is audited."""
        from portal.audit import audit_record, events_about_person

        value = value.strip().upper()
        if self.request is None or not value:
            return queryset
        person = find_person(self.request.scope, value)  # the registry's finder (portal.contracts)
        if person is None:
            return queryset.none()
        self.person_found = person
        audit_record(actor=self.request.user, action="audit.person_searched", target=person)
        return events_about_person(queryset, person)
