"""Forms of the queue work: bulk assignment and contact attempts."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import (
    ContactKind,
    ContactOutcome,
    VisitReason,
    VisitTeam,
)
from certification.queues.rules import (
    OPTIONAL_OUTCOME_FIELDS,
    OUTCOME_FIELDS,
    contact_problems,
    fields_for_outcome,
)
from pensioners.forms import DateInput
from portal.forms import StyledFormMixin
from portal.models import User
from portal.roles import Role


class AssignForm(StyledFormMixin, forms.Form):
    """Choose a worker or a team; the value says which ("user:12", "team:3", or "nobody")."""

    target = forms.ChoiceField(label=_("Assign the selected people to"))

    compact = True

    def __init__(self, *args, scope, holding=None, **kwargs):
        """`holding`: the area the queue is narrowed to, if any. Then only workers and teams whose area
        holds all of it are offered (anyone else would be refused by queue_assign: her own queue could
        not show people outside her area)."""
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
            teams = VisitTeam.objects.active().filter(street__code__startswith=prefix)
            if holding is not None and holding != scope.area and len(holding.code) >= 9:
                ancestors = [holding.code[:length] for length in (9, 12) if length <= len(holding.code)]
                workers = workers.filter(area_id__in=ancestors)
                teams = teams.filter(street_id__in=ancestors)
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


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is wall-clock time in the portal's zone (Shanghai)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ContactAttemptForm(StyledFormMixin, forms.Form):
    """One contact attempt. Nothing is preselected: a worker who saves without choosing an outcome must
    not log a success. Fields an outcome does not use are hidden on the page (queue_work.js) and dropped
    here, using the same table as the service (rules_queue.OUTCOME_FIELDS)."""

    kind = forms.ChoiceField(label=_("How"), choices=ContactKind.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Choose…")), *ContactOutcome.choices],
        error_messages={"required": _("Choose the outcome of the contact.")},
    )
    contacted_at = forms.DateTimeField(
        label=_("When was the contact made"),
        widget=DateTimeLocalInput(),
        help_text=_("Beijing time. Change it if you are logging an earlier call."),
    )
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime()
        self.fields["contacted_at"].initial = now.replace(second=0, microsecond=0)
        self.fields["contacted_at"].widget.attrs["max"] = now.strftime("%Y-%m-%dT%H:%M")
        for name in OPTIONAL_OUTCOME_FIELDS:
            shown_for = [outcome for outcome, names in OUTCOME_FIELDS.items() if name in names]
            self.fields[name].widget.attrs["data-shown-for"] = " ".join(shown_for)

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        needed = fields_for_outcome(outcome or "")
        for name in OPTIONAL_OUTCOME_FIELDS:
            if name not in needed:
                # Hidden on the page: whatever it holds was typed for another outcome.
                cleaned[name] = None if name in ("died_on", "snooze_until") else ""
                self.errors.pop(name, None)
        # A time that did not parse is already an error of its own; the other rules still speak.
        contacted_at = cleaned.get("contacted_at") or timezone.now()
        if outcome:
            for field, problem in contact_problems(
                outcome=outcome,
                contacted_at=contacted_at,
                now=timezone.now(),
                today=timezone.localdate(),
                contacted_on=timezone.localdate(contacted_at),
                moved_to=cleaned.get("moved_to") or "",
                visit_reason=cleaned.get("visit_reason") or "",
                died_on=cleaned.get("died_on"),
                snooze_until=cleaned.get("snooze_until"),
                snooze_reason=cleaned.get("snooze_reason") or "",
            ):
                self.add_error(field, problem)
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "outcome": data["outcome"],
            "contacted_at": data["contacted_at"],
            "note": data["note"],
            "moved_to": data["moved_to"],
            "visit_reason": data["visit_reason"],
            "died_on": data["died_on"],
            "snooze_until": data["snooze_until"],
            "snooze_reason": data["snooze_reason"],
        }
