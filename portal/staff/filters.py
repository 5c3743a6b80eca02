"""The staff list's filters: role, area, active or not, last log-in, and a name or login."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.filtersets import CompactFilterForm
from portal.models import User
from portal.roles import Role

LAST_LOGIN_CHOICES = [
    ("7", _("In the last 7 days")),
    ("30", _("In the last 30 days")),
    ("over30", _("Not for 30 days or more")),
    ("over90", _("Not for 90 days or more")),
    ("never", _("Never")),
]


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or login"),
        method="filter_name",
        widget=forms.TextInput(attrs={"placeholder": _("Name or login")}),
    )
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, empty_label=_("Any"))
    area = django_filters.CharFilter(
        label=_("Area code"),
        method="filter_area",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("Code or its start")}),
    )
    active = django_filters.ChoiceFilter(
        label=_("Account"),
        choices=[("yes", _("Account enabled")), ("no", _("Account disabled"))],
        method="filter_active",
        empty_label=_("Any"),
    )
    last_login = django_filters.ChoiceFilter(
        label=_("Last log-in"), choices=LAST_LOGIN_CHOICES, method="filter_last_login", empty_label=_("Any")
    )

    class Meta:
        model = User
        fields = ["q", "role", "area", "active", "last_login"]
        form = CompactFilterForm

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def filter_name(self, queryset, name, value):
        value = value.strip()[:60]
        if not value:
            return queryset
        return queryset.filter(Q(full_name__icontains=value) | Q(username__icontains=value))

    def filter_area(self, queryset, name, value):
        value = "".join(ch for ch in value if ch.isdigit())[:12]
        return queryset.filter(area__code__startswith=value) if value else queryset

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=(value == "yes"))

    def filter_last_login(self, queryset, name, value):
        now = timezone.now()
        if value == "never":
            return queryset.filter(last_login__isnull=True)
        if value.startswith("over"):
            days = int(value[4:])
            return queryset.filter(Q(last_login__lt=now - timedelta(days=days)) | Q(last_login__isnull=True))
        return queryset.filter(last_login__gte=now - timedelta(days=int(value)))
