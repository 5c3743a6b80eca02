"""Forms of the channel-client and review screens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.api.models import API_CHANNEL_CHOICES, ChannelClient, Scope
from pensioners.forms import FormTokenMixin
from portal.forms import StyledFormMixin


class ChannelClientForm(StyledFormMixin, FormTokenMixin, forms.Form):
    name = forms.CharField(
        label=_("Client name"), max_length=80, help_text=_("The system's name, e.g. 重庆人社app.")
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels it may report"), choices=API_CHANNEL_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    may_read_status = forms.BooleanField(
        label=Scope.STATUS.label, required=False, help_text=_("GET /api/v1/pensioners/<ID number>/status")
    )

    @classmethod
    def for_client(cls, client: ChannelClient, data=None):
        initial = {
            "name": client.name,
            "channels": client.channels,
            "may_read_status": Scope.STATUS in client.scopes,
            "active": client.active,
        }
        form = cls(data, initial=initial)
        del form.fields["form_token"]  # an edit saved twice is the same edit
        form.fields["active"] = forms.BooleanField(
            label=_("Active"),
            required=False,
            initial=client.active,
            disabled=client.revoked_at is not None,
            help_text=_(
                "Off: calls with its token get 401 until it is switched on again (the token is kept)."
            ),
        )
        return form

    @property
    def scopes(self) -> list[str]:
        return [Scope.STATUS] if self.cleaned_data.get("may_read_status") else []


class RevokeTokenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why revoke"), max_length=200)


class ReviewRejectForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why reject"),
        max_length=200,
        help_text=_("For example: the face does not match the photo on file; the video was of someone else."),
    )
