"""A FilterSet base whose form looks like the rest of the portal."""

import django_filters
from django import forms

from portal.forms import StyledFormMixin


class CompactFilterForm(StyledFormMixin, forms.Form):
    compact = True


class StyledFilterSet(django_filters.FilterSet):
    class Meta:
        form = CompactFilterForm
