"""Registry forms: every error says what is wrong with the field, and what was typed is kept."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pensioners.models import Area, AreaLevel, BenefitLine, Pensioner
from pensioners.rules import IdNumberError, normalise_phone, parse_id_number
from portal.forms import StyledFormMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def clean_phone_text(text: str) -> str:
    phone = normalise_phone(text)
    if phone and not (7 <= len(phone.lstrip("+")) <= 15):
        raise forms.ValidationError(_("A phone number has 7 to 15 digits."))
    return phone


class PensionerForm(StyledFormMixin, forms.ModelForm):
    id_number = forms.CharField(
        label=_("ID number"), max_length=24, help_text=_("18 characters, or a legacy 15-digit number")
    )

    class Meta:
        model = Pensioner
        fields = [
            "id_number",
            "name",
            "phone",
            "alternate_phone",
            "address",
            "community",
            "abroad_country",
            "needs_home_service",
            "home_service_reason",
            "phone_known_wrong",
        ]

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        communities = scope.restrict(Area.objects.filter(level=AreaLevel.COMMUNITY)).select_related("parent")
        self.fields["community"].queryset = communities.order_by("code")
        self.fields["community"].label_from_instance = lambda area: (
            f"{area.parent.name} {area.name} ({area.code})"
        )
        if self.instance.pk:
            # The ID number is the person's identity: it is shown, not edited.
            del self.fields["id_number"]

    def clean_id_number(self):
        text = self.cleaned_data["id_number"]
        try:
            parsed = parse_id_number(text, today=timezone.localdate())
        except IdNumberError as error:
            raise forms.ValidationError(str(error)) from error
        if Pensioner.objects.filter(id_number=parsed.number).exists():
            raise forms.ValidationError(_("This ID number is already registered."))
        self.parsed_id = parsed
        return parsed.number

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
