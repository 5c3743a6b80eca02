"""Forms of the supervisor's decisions on death cases."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pensioners.forms import DateInput
from portal.forms import StyledFormMixin


class DismissCaseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why dismiss"), max_length=300)


class MonthInput(forms.DateInput):
    """The browser's month picker (<input type=month>): it sends YYYY-MM."""

    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class MonthField(forms.Field):
    """A calendar month, typed or picked as YYYY-MM; cleaned to the first day of that month.

    Anything else (a full date, 2026-13, 9999-12, letters) is a form error, never a server error."""

    widget = MonthInput
    EARLIEST_YEAR = 1950
    default_error_messages = {
        "invalid": _("Enter a month as year-month, for example 2026-05."),
        "out_of_range": _("Choose a month between %(earliest)s and %(latest)s."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", str(value))
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        month = date(int(match.group(1)), int(match.group(2)), 1)
        latest = timezone.localdate().replace(day=1)
        if not date(self.EARLIEST_YEAR, 1, 1) <= month <= date(latest.year + 1, latest.month, 1):
            raise forms.ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={
                    "earliest": f"{self.EARLIEST_YEAR}-01",
                    "latest": f"{latest.year + 1}-{latest.month:02d}",
                },
            )
        return month


class ConfirmCaseForm(StyledFormMixin, forms.Form):
    died_on = forms.DateField(label=_("Date of death"), widget=DateInput())
    paid_through = MonthField(
        label=_("Pension paid through (month)"),
        help_text=_("The last month for which the pension was paid"),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_died_on(self):
        value = self.cleaned_data["died_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of death cannot be in the future."))
        return value
