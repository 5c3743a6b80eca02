"""Forms of home-visit work: requests, scheduling, outcomes at the door, cancellation."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import (
    VisitOutcome,
    VisitReason,
    VisitSource,
    VisitTeam,
)
from pensioners.forms import DateInput
from portal.forms import StyledFormMixin


class VisitRequestForm(StyledFormMixin, forms.Form):
    requested_via = forms.ChoiceField(label=_("Requested via"), choices=VisitSource.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=VisitReason.choices)
    reason_note = forms.CharField(label=_("Details"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == VisitReason.OTHER and not cleaned.get("reason_note"):
            self.add_error("reason_note", _("Describe the reason."))
        return cleaned


class VisitScheduleForm(StyledFormMixin, forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=VisitTeam.objects.none(), empty_label=_("Choose a team…")
    )
    visit_date = forms.DateField(label=_("Visit date"), widget=DateInput())

    compact = True

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = scope.restrict(VisitTeam.objects.active())
        self.fields["visit_date"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean_visit_date(self):
        value = self.cleaned_data["visit_date"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("A visit cannot be scheduled in the past."))
        return value


class VisitOutcomeForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happened"),
        choices=[(value, label) for value, label in VisitOutcome.choices if value != VisitOutcome.CERTIFIED],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    revisit_on = forms.DateField(label=_("Revisit on"), required=False, widget=DateInput())
    died_on = forms.DateField(label=_("Date of death, if known"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == VisitOutcome.NOT_HOME:
            revisit_on = cleaned.get("revisit_on")
            if not revisit_on:
                self.add_error("revisit_on", _("Choose the date of the revisit."))
            elif revisit_on < timezone.localdate():
                self.add_error("revisit_on", _("A visit cannot be scheduled in the past."))
        if outcome in (
            VisitOutcome.MOVED,
            VisitOutcome.HOSPITALISED,
            VisitOutcome.REFUSED,
        ) and not cleaned.get("note"):
            self.add_error("note", _("Add a note: where, or why."))
        return cleaned


class CancelVisitForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why cancel"), max_length=200)


class VisitTeamCreateForm(StyledFormMixin, forms.Form):
    street = forms.ChoiceField(label=_("Street"))
    name = forms.CharField(label=_("Team name"), max_length=60)

    def __init__(self, *args, scope, **kwargs):
        from pensioners.models import Area

        super().__init__(*args, **kwargs)
        streets = scope.restrict(Area.objects.streets()) if not scope.is_visitor else Area.objects.none()
        self.fields["street"].choices = [(a.code, f"{a.name} {a.code}") for a in streets[:2000]]

    def clean_street(self):
        from pensioners.models import Area

        return Area.objects.get(code=self.cleaned_data["street"])


class VisitTeamRenameForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=60)


class VisitTeamMembersForm(StyledFormMixin, forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, team, **kwargs):
        from portal.models import User
        from portal.roles import Role

        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(
            role=Role.VISIT_TEAM, area_id=team.street_id, is_active=True
        ).order_by("username")
        self.fields["members"].label_from_instance = lambda user: (
            f"{user.full_name or user.username} ({user.username})"
        )


class VisitTeamRetireForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500, required=False)
