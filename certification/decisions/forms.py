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


class BatchNameForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Batch name"),
        max_length=120,
        help_text=_("For example: 2026年12月 渝中区 暂停发放 第1批"),
    )


class ApproveBatchForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)


class RejectForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why reject"), max_length=300)


class ExcludeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why keep this person out of suspension"),
        max_length=200,
        help_text=_("For example: in hospital, family will bring them to the counter next week."),
    )


class StopForm(StyledFormMixin, forms.Form):
    reference = forms.CharField(
        label=_("Court document reference"),
        max_length=80,
        help_text=_("For example: (2026)渝0103刑初123号"),
    )
    court_date = forms.DateField(label=_("Date of the judgment"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_court_date(self):
        value = self.cleaned_data["court_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The court document cannot be dated in the future."))
        return value


class ExtensionForm(StyledFormMixin, forms.Form):
    area = forms.ChoiceField(label=_("Area"))
    due_from = forms.DateField(label=_("Deadlines from"), widget=DateInput())
    due_until = forms.DateField(label=_("Deadlines until"), widget=DateInput())
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=3650)
    reason = forms.CharField(
        label=_("Reason"), max_length=300, help_text=_("The flood, the epidemic, the outage")
    )

    def __init__(self, *args, areas: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("due_from"), cleaned.get("due_until")
        if start and end and end < start:
            self.add_error("due_until", _("The window ends before it starts."))
        return cleaned


class RevokeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why revoke"), max_length=300)
