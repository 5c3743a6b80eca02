from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class StaffLoginForm(AuthenticationForm):
    # One message for every failure, so the form never tells whether a username exists.
    error_messages = {
        "invalid_login": _("The username or password is not correct. Please try again."),
        "inactive": _("The username or password is not correct. Please try again."),
    }


def style_form(form) -> None:
    """Give every widget the Bootstrap class it needs (keeps templates free of per-field markup)."""
    from django import forms

    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm" if getattr(form, "compact", False) else "form-select"
        else:
            css = "form-control form-control-sm" if getattr(form, "compact", False) else "form-control"
        existing = widget.attrs.get("class", "")
        if css not in existing:
            widget.attrs["class"] = f"{existing} {css}".strip()


class StyledFormMixin:
    """Mixed into every form of the portal: Bootstrap widgets, and `is-invalid` on fields with errors."""

    compact = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
