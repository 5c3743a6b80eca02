"""Filters of the registry search: area drill-down within the user's scope, scheme, status, deadline state,
age band, abroad, home service."""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pensioners.models import Area, BenefitLine, PaymentStatus, Pensioner, Scheme
from portal.deadlines import CURRENT, DUE_SOON, OVERDUE, due_soon_until
from portal.filtersets import CompactFilterForm

ANY = _("Any")
AGE_BANDS = (("80", _("80 and over")), ("90", _("90 and over")))
DEADLINE_STATES = ((CURRENT, _("Current")), (DUE_SOON, _("Due soon")), (OVERDUE, _("Overdue")))
YES_NO = (("yes", _("Yes")), ("no", _("No")))


def years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class AreaDrillDown:
    """The chain of areas from the user's own area down to the chosen one, with each level's choices.

    Only areas inside the user's scope can be chosen; anything else falls back to the user's own area.
    """

    def __init__(self, scope, chosen_code: str):
        self.root = scope.area
        chosen = None
        if self.root is not None and chosen_code and chosen_code.startswith(self.root.scope_prefix):
            chosen = Area.objects.filter(code=chosen_code).select_related("parent").first()
        self.chosen = chosen or self.root
        self.levels = self._levels()

    def _levels(self) -> list[dict]:
        if self.root is None:
            return []
        chain = self.chosen.path()
        chain = chain[[area.code for area in chain].index(self.root.code) :]
        levels = []
        for depth, area in enumerate(chain):
            children = list(Area.objects.filter(parent=area).order_by("code").values_list("code", "name"))
            if not children:
                break
            selected = chain[depth + 1].code if depth + 1 < len(chain) else ""
            levels.append({"parent": area, "children": children, "selected": selected})
        return levels


class AreaDrillDownFilter(django_filters.CharFilter):
    """The area chosen in the drill-down (a hidden field), within the user's scope: an area outside it is
    ignored. Filters by the chosen area's scope prefix, as scoping does: the city's own code (500000,
    which the form sends for a city administrator) is no prefix of its communities' codes."""

    def __init__(self, *, code_field: str, **kwargs):
        super().__init__(widget=forms.HiddenInput, **kwargs)
        self.code_field = code_field

    def filter(self, queryset, value):
        scope = getattr(self.parent, "scope", None)
        if not value or scope is None or scope.area is None or not value.startswith(scope.area.scope_prefix):
            return queryset
        chosen = Area.objects.filter(code=value).first()
        if chosen is None:
            return queryset.none()
        return queryset.filter(**{f"{self.code_field}__startswith": chosen.scope_prefix})


class PensionerFilter(django_filters.FilterSet):
    area = AreaDrillDownFilter(code_field="community__code")
    scheme = django_filters.ChoiceFilter(
        label=_("Scheme"), choices=Scheme.choices, empty_label=ANY, method="filter_scheme"
    )
    status = django_filters.ChoiceFilter(
        label=_("Payment status"), choices=PaymentStatus.choices, empty_label=ANY, field_name="state__status"
    )
    deadline_state = django_filters.ChoiceFilter(
        label=_("Deadline"), choices=DEADLINE_STATES, empty_label=ANY, method="filter_deadline_state"
    )
    age = django_filters.ChoiceFilter(label=_("Age"), choices=AGE_BANDS, empty_label=ANY, method="filter_age")
    abroad = django_filters.ChoiceFilter(
        label=_("Lives abroad"), choices=YES_NO, empty_label=ANY, method="filter_abroad"
    )
    home_service = django_filters.ChoiceFilter(
        label=_("Needs home service"), choices=YES_NO, empty_label=ANY, method="filter_home_service"
    )

    class Meta:
        model = Pensioner
        fields = ["area", "scheme", "status", "deadline_state", "age", "abroad", "home_service"]
        form = CompactFilterForm

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.today = timezone.localdate()

    def filter_scheme(self, queryset, name, value):
        return queryset.filter(Exists(BenefitLine.objects.filter(pensioner=OuterRef("pk"), scheme=value)))

    def filter_deadline_state(self, queryset, name, value):
        if value == OVERDUE:
            return queryset.filter(state__next_due_on__lt=self.today)
        if value == DUE_SOON:
            return queryset.filter(
                state__next_due_on__gte=self.today, state__next_due_on__lte=due_soon_until(self.today)
            )
        return queryset.filter(state__next_due_on__gt=due_soon_until(self.today))

    def filter_age(self, queryset, name, value):
        return queryset.born_on_or_before(years_before(self.today, int(value)))

    def filter_abroad(self, queryset, name, value):
        return queryset.exclude(abroad_country="") if value == "yes" else queryset.filter(abroad_country="")

    def filter_home_service(self, queryset, name, value):
        return queryset.filter(needs_home_service=(value == "yes"))

    @property
    def is_filtering(self) -> bool:
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return any(value not in (None, "") for value in data.values())
