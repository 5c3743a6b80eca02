"""Forms of the daily work: assignment, contact attempts, visit requests, scheduling, outcomes, decisions."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import (
    ContactKind,
    ContactOutcome,
    VisitOutcome,
    VisitReason,
    VisitSource,
    VisitTeam,
)
from pensioners.forms import DateInput
from portal.forms import StyledFormMixin
from portal.models import User
from portal.roles import Role


class AssignForm(StyledFormMixin, forms.Form):
    """Choose a worker or a team; the value says which ("user:12", "team:3", or "nobody")."""

    target = forms.ChoiceField(label=_("Assign the selected people to"))

    compact = True

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        choices = [("", _("Choose…")), ("nobody", _("Nobody (take back)"))]
        if scope.area is not None:
            prefix = scope.area.scope_prefix
            workers = User.objects.filter(
                is_active=True,
                role__in=(Role.COMMUNITY_WORKER, Role.STREET_STAFF),
                area__code__startswith=prefix,
            ).select_related("area")
            teams = VisitTeam.objects.filter(street__code__startswith=prefix)
            choices += [
                (f"user:{user.pk}", f"{user} · {user.area.name}")
                for user in workers.order_by("area_id", "username")
            ]
            choices += [
                (f"team:{team.pk}", _("Home-visit team: %(team)s") % {"team": team}) for team in teams
            ]
        self.fields["target"].choices = choices

    def chosen_target(self):
        value = self.cleaned_data["target"]
        if value == "nobody":
            return None, None
        kind, _sep, pk = value.partition(":")
        if kind == "team":
            return None, VisitTeam.objects.get(pk=pk)
        return User.objects.get(pk=pk), None


class ContactAttemptForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("How"), choices=ContactKind.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactOutcome.choices)
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    moved_to = forms.CharField(label=_("Moved to (where)"), max_length=200, required=False)
    visit_reason = forms.ChoiceField(
        label=_("Reason for the home visit"), choices=[("", "—"), *VisitReason.choices], required=False
    )
    died_on = forms.DateField(label=_("Date of death, if known"), required=False, widget=DateInput())
    snooze_until = forms.DateField(label=_("Hide from the queue until"), required=False, widget=DateInput())
    snooze_reason = forms.CharField(label=_("Why hide"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == ContactOutcome.MOVED_AWAY and not cleaned.get("moved_to"):
            self.add_error("moved_to", _("Say where the person moved to."))
        if outcome == ContactOutcome.NEEDS_HOME_VISIT and not cleaned.get("visit_reason"):
            self.add_error("visit_reason", _("Choose the reason for the home visit."))
        if cleaned.get("snooze_until") and not cleaned.get("snooze_reason"):
            self.add_error("snooze_reason", _("Say why this person is hidden from the queue."))
        died_on = cleaned.get("died_on")
        if died_on and died_on > timezone.localdate():
            self.add_error("died_on", _("The date of death cannot be in the future."))
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "outcome": data["outcome"],
            "note": data["note"],
            "moved_to": data["moved_to"],
            "visit_reason": data["visit_reason"],
            "died_on": data["died_on"],
            "snooze_until": data["snooze_until"],
            "snooze_reason": data["snooze_reason"],
        }


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
    team = forms.ModelChoiceField(label=_("Team"), queryset=VisitTeam.objects.none())
    visit_date = forms.DateField(label=_("Visit date"), widget=DateInput())

    compact = True

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = scope.restrict(VisitTeam.objects.all())

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


class DismissCaseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why dismiss"), max_length=300)


class ConfirmCaseForm(StyledFormMixin, forms.Form):
    died_on = forms.DateField(label=_("Date of death"), widget=DateInput())
    paid_through = forms.DateField(
        label=_("Pension paid through (month)"),
        widget=DateInput(),
        help_text=_("Any day in the last month paid"),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_died_on(self):
        value = self.cleaned_data["died_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of death cannot be in the future."))
        return value
