"""The staff screens' forms. Whether the actor may hold the account is the services' rule, not the form's."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from portal.forms import StyledFormMixin
from portal.models import User
from portal.roles import Role
from portal.staff.rules import manageable_roles


def _area_model():
    from django.apps import apps

    return apps.get_model("pensioners", "Area")


class StaffAccountForm(StyledFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("Login name"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": _("Letters, digits and . @ + - _ only.")},
    )
    full_name = forms.CharField(label=_("Real name"), max_length=60)
    role = forms.ChoiceField(label=_("Role"))
    area_code = forms.CharField(
        label=_("Area code"),
        max_length=12,
        help_text=_("District 6 digits, street 9, community 12 (the national division code)."),
    )
    team = forms.CharField(
        label=_("Home-visit team"),
        max_length=60,
        required=False,
        help_text=_("Home-visit team members only: the team's name in their street."),
    )
    phone = forms.RegexField(
        label=_("Phone"),
        max_length=20,
        required=False,
        regex=r"^[0-9+\- ]{5,20}$",
        error_messages={"invalid": _("Digits, spaces, + and - only.")},
    )

    def __init__(self, *args, actor, editing: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        roles = manageable_roles(actor.role)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]
        self.fields["area_code"].widget.attrs.update({"list": "area-codes", "inputmode": "numeric"})
        self.fields["team"].widget.attrs["list"] = "team-names"
        if editing is not None:
            del self.fields["username"]

    def account_fields(self) -> dict:
        """The cleaned account, as the staff services take it (create and update alike)."""
        data = self.cleaned_data
        fields = ("full_name", "role", "area", "phone", "team")
        return {name: data[name] for name in fields}

    def clean_area_code(self):
        code = self.cleaned_data["area_code"].strip()
        area = _area_model().objects.filter(code=code).first()
        if area is None:
            raise forms.ValidationError(_("No area has this code."))
        self.cleaned_data["area"] = area
        return code


class DisableForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500)


class StaffPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    """Django's form (current password, the new one twice); the change itself is the service's."""


class SecondFactorCodeForm(StyledFormMixin, forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^\s*[0-9A-Za-z]{6,16}\s*$",
        max_length=20,
        error_messages={"invalid": _("Type the 6 digits from the app, or a recovery code.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class LockClearForm(forms.Form):
    username = forms.CharField(required=False, max_length=150)
    ip_address = forms.GenericIPAddressField(required=False)
