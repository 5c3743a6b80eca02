"""Registry forms: every error says what is wrong with the field, and what was typed is kept."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pensioners.models import Area, AreaLevel, BenefitLine, Pensioner
from pensioners.rules import IdNumberError, normalise_phone, parse_id_number
from pensioners.services import EDITABLE_FIELDS, pensioner_lookup_by_id
from portal.errors import Refused
from portal.forms import StyledFormMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class FormTokenMixin(forms.Form):
    """A hidden random token per rendered page: the service does the page's work once, however many
    times the page is submitted (pensioners.services.form_submission_begin)."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_token"] = uuid.uuid4()

    def clean_form_token(self) -> uuid.UUID | None:
        # A mangled token is no reason to refuse the page: it is then simply recorded without one.
        return self.posted_token()

    def posted_token(self) -> uuid.UUID | None:
        """The token as posted, readable before (and whether or not) the rest of the form is valid."""
        try:
            return uuid.UUID(str(self.data.get(self.add_prefix("form_token"), "")))
        except ValueError:
            return None


def clean_phone_text(text: str) -> str:
    phone = normalise_phone(text)
    if phone and not (7 <= len(phone.lstrip("+")) <= 15):
        raise forms.ValidationError(_("A phone number has 7 to 15 digits."))
    return phone


def already_registered_message(existing: Pensioner):
    """The refusal names the registered person's card (only a link: the card checks who may open it)."""
    from django.urls import reverse
    from django.utils.html import format_html

    return format_html(
        '{} <a href="{}" data-testid="registered-card">{}</a>',
        _("This ID number is already registered."),
        reverse("pensioner-card", args=[existing.pk]),
        _("Open the card"),
    )


class PensionerForm(StyledFormMixin, FormTokenMixin, forms.ModelForm):
    id_number = forms.CharField(
        label=_("ID number"), max_length=24, help_text=_("18 characters, or a legacy 15-digit number")
    )

    class Meta:
        model = Pensioner
        fields = ["id_number", *EDITABLE_FIELDS]  # what the edit service accepts, and the ID number

    def __init__(self, *args, scope, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.actor = actor
        communities = scope.restrict(Area.objects.filter(level=AreaLevel.COMMUNITY)).select_related("parent")
        self.fields["community"].queryset = communities.order_by("code")
        self.fields["community"].label_from_instance = lambda area: (
            f"{area.parent.name} {area.name} ({area.code})"
        )
        if self.instance.pk:
            # The ID number is the person's identity: it is shown, not edited.
            del self.fields["id_number"]
            del self.fields["form_token"]  # an edit saved twice is the same edit

    def clean_id_number(self):
        text = self.cleaned_data["id_number"]
        try:
            parsed = parse_id_number(text, today=timezone.localdate())
        except IdNumberError as error:
            raise forms.ValidationError(str(error)) from error
        if self.actor is not None:
            # Whether an ID number is registered is itself personal data: asking is audited and counted
            # like a counter lookup, and only a person in the user's own area is named with a link.
            try:
                existing = pensioner_lookup_by_id(
                    actor=self.actor, id_number=parsed.number, place=str(_("registration form"))
                )
            except Refused as refusal:
                raise forms.ValidationError(refusal.message) from refusal
        else:
            existing = Pensioner.objects.filter(id_number=parsed.number).first()
        if existing is not None:
            if self.scope.restrict(Pensioner.objects.filter(pk=existing.pk)).exists():
                raise forms.ValidationError(already_registered_message(existing))
            raise forms.ValidationError(
                _("This ID number cannot be registered in your area. If the person is a pensioner elsewhere "
                  "in the city, the counter desk finds them; moving a record is for the city administrator.")
            )  # fmt: skip
        self.parsed_id = parsed
        return parsed.number

    def _get_validation_exclusions(self):
        """The ID number's uniqueness is checked by clean_id_number (with a link to the card) and, for two
        registrations at the same moment, by the database through the service; not a third time here."""
        return {*super()._get_validation_exclusions(), "id_number"}

    def clean_name(self):
        name = self.cleaned_data["name"].replace(" ", "").replace("\u3000", "")
        if not name:
            raise forms.ValidationError(_("Please enter the name."))
        return name

    def clean_phone(self):
        return clean_phone_text(self.cleaned_data.get("phone", ""))

    def clean_alternate_phone(self):
        return clean_phone_text(self.cleaned_data.get("alternate_phone", ""))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("needs_home_service") and not cleaned.get("home_service_reason"):
            self.add_error("home_service_reason", _("Say why this person needs home service."))
        return cleaned

    def details(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name != "id_number" and name in self.cleaned_data
        }


class BenefitLineForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = BenefitLine
        fields = ["scheme", "first_benefit_date", "monthly_amount"]
        widgets = {"first_benefit_date": DateInput()}

    def clean_first_benefit_date(self):
        value = self.cleaned_data["first_benefit_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The first benefit date cannot be in the future."))
        return value

    def clean_monthly_amount(self):
        value = self.cleaned_data.get("monthly_amount")
        if value is not None and value < 0:
            raise forms.ValidationError(_("The amount cannot be negative."))
        return value


class BaseBenefitLineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        schemes = []
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            schemes.append(form.cleaned_data.get("scheme"))
        if not schemes:
            raise forms.ValidationError(_("Enter at least one benefit line."))
        if len(schemes) != len(set(schemes)):
            raise forms.ValidationError(_("Each scheme may appear only once."))


BenefitLineFormSet = forms.inlineformset_factory(
    Pensioner,
    BenefitLine,
    form=BenefitLineForm,
    formset=BaseBenefitLineFormSet,
    extra=1,
    can_delete=True,
    min_num=0,
)


class RevealForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full number?"),
        max_length=200,
        min_length=2,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. checking the ID card at the counter")}),
    )
