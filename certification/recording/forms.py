"""Recording forms, one per channel staff record. They collect and check input; services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import Certification, Channel, VisitReason
from certification.recording.photos import reencode_photo
from certification.recording.rules import (
    CONSULAR_BODIES,
    COUNTER_METHODS,
    ID_DOCUMENTS,
)
from certification.recording.scans import PDF_MAGIC, pdf_refusal
from certification.recording.services import EvidenceUpload, reference_taken_message
from certification.recording.widgets import CameraOrFileInput
from pensioners.forms import DateInput, FormTokenMixin
from portal.forms import StyledFormMixin
from portal.models import User
from portal.roles import Role


def evidence_upload_from(upload) -> EvidenceUpload:
    """Check an uploaded photo or scan by its content (not the name the browser sent). A photo must
    decode in full and is stored re-encoded, without metadata or trailing bytes; a phone photo (3-8 MB, or
    HEIC) becomes a JPEG of sensible size (certification.recording.photos). A PDF must hold no active
    content (certification.recording.scans). Anything else is refused."""
    photo = reencode_photo(upload)
    if photo is not None and photo.content_type in settings.EVIDENCE_CONTENT_TYPES:
        if len(photo.content) > settings.EVIDENCE_MAX_BYTES:
            raise _too_large(len(photo.content))
        return photo
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise _too_large(upload.size)
    content = upload.read()
    upload.seek(0)
    if "application/pdf" in settings.EVIDENCE_CONTENT_TYPES and content.startswith(PDF_MAGIC):
        refusal = pdf_refusal(content)
        if refusal:
            raise forms.ValidationError(refusal)
        return EvidenceUpload(name=upload.name, content_type="application/pdf", content=content)
    raise forms.ValidationError(_("Only JPEG or PNG photos and PDF scans are accepted."))


def _too_large(size: int) -> forms.ValidationError:
    return forms.ValidationError(
        _("The file is %(size)s MB; the limit is %(limit)s MB.")
        % {"size": round(size / 1024 / 1024, 1), "limit": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
    )


class RecordFormBase(StyledFormMixin, FormTokenMixin, forms.Form):
    """Every recording form carries its page's token (FormTokenMixin): a page records once."""

    certified_on = forms.DateField(label=_("Certification date"), widget=DateInput())

    def __init__(self, *args, pensioner, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.pensioner = pensioner
        self.user = user
        if not self.is_bound:
            self.initial.setdefault("certified_on", timezone.localdate())

    def clean_certified_on(self):
        value = self.cleaned_data["certified_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("A certification date cannot be in the future."))
        return value


class CounterForm(RecordFormBase):
    # Defaults that are true of nearly every visit, so that the desk is one Enter away: people show
    # their resident ID card, and staff see them in person. Face or fingerprint needs the office's
    # device and is a stronger claim, so staff choose it when the device was used.
    id_document = forms.ChoiceField(
        label=_("ID document checked"), choices=ID_DOCUMENTS, widget=forms.RadioSelect, initial="id_card"
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=COUNTER_METHODS, widget=forms.RadioSelect, initial="in_person"
    )

    channel = Channel.COUNTER

    def evidence(self) -> dict:
        office = self.user.area
        return {
            "office": office.code,
            "office_name": office.full_name(),
            "id_document": self.cleaned_data["id_document"],
            "method": self.cleaned_data["method"],
        }


class VisitorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{user} ({user.get_role_display()})"


class HomeVisitForm(RecordFormBase):
    visitors = VisitorChoiceField(
        label=_("Visitors (one or two)"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    address_visited = forms.CharField(label=_("Address visited"), max_length=200)
    signer = forms.CharField(
        label=_("Signed by"), max_length=40, help_text=_("The pensioner, or the family member who signed")
    )
    reason = forms.ChoiceField(label=_("Reason for home service"), choices=VisitReason.choices)
    reason_note = forms.CharField(label=_("Details"), max_length=200, required=False)
    photo = forms.FileField(
        label=_("Photo or scan of the signed form"),
        widget=CameraOrFileInput(attrs={"accept": "image/*,.heic,.heif,application/pdf"}),
    )

    channel = Channel.HOME_VISIT

    def __init__(self, *args, visit_request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit_request = visit_request
        street_prefix = self.pensioner.community_id[:9]
        # Visitors are the staff of the person's street office and its visit teams.
        self.fields["visitors"].queryset = User.objects.filter(
            is_active=True,
            role__in=(Role.VISIT_TEAM, Role.STREET_STAFF, Role.COMMUNITY_WORKER),
            area__code__startswith=street_prefix,
        ).order_by("role", "username")
        if not self.is_bound:
            self.initial.setdefault("address_visited", self.pensioner.address)
            if self.user.role in (Role.VISIT_TEAM, Role.STREET_STAFF):
                self.initial.setdefault("visitors", [self.user.pk])

    def clean_visitors(self):
        visitors = self.cleaned_data["visitors"]
        if not 1 <= len(visitors) <= 2:
            raise forms.ValidationError(_("Choose one or two visitors."))
        return visitors

    def clean_photo(self):
        return evidence_upload_from(self.cleaned_data["photo"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == "other" and not cleaned.get("reason_note"):
            self.add_error("reason_note", _("Describe the reason."))
        return cleaned

    def evidence(self) -> dict:
        data = self.cleaned_data
        return {
            "visit_request": self.visit_request.pk if self.visit_request else None,
            "address_visited": data["address_visited"],
            "visitors": [{"id": user.pk, "name": str(user)} for user in data["visitors"]],
            "signer": data["signer"],
            "reason": data["reason"],
            "reason_note": data["reason_note"],
        }

    def files_to_store(self) -> list[EvidenceUpload]:
        return [self.cleaned_data["photo"]]


PROXY_CHOICES = (("in_person", _("In person")), ("proxy", _("By proxy")))
REVIEW_CHOICES = (("accepted", _("Accepted")), ("rejected", _("Rejected on review")))


class ConsularPaperForm(RecordFormBase):
    form_serial = forms.CharField(label=_("Form serial (编号)"), max_length=40)
    body_kind = forms.ChoiceField(label=_("Issued by"), choices=CONSULAR_BODIES)
    issuing_body = forms.CharField(label=_("Embassy, consulate or body"), max_length=100)
    country = forms.CharField(label=_("Country or region"), max_length=40)
    received_on = forms.DateField(label=_("Date received"), widget=DateInput())
    filed = forms.ChoiceField(label=_("Filed"), choices=PROXY_CHOICES, widget=forms.RadioSelect)
    review = forms.ChoiceField(
        label=_("Review"), choices=REVIEW_CHOICES, widget=forms.RadioSelect, initial="accepted"
    )
    rejection_reason = forms.CharField(label=_("Why it was rejected"), max_length=200, required=False)
    scan = forms.FileField(
        label=_("Scan of the form"),
        widget=CameraOrFileInput(attrs={"accept": "image/*,.heic,.heif,application/pdf"}),
    )
    proxy_warning_given = forms.BooleanField(
        label=_("I have told the pensioner that the next form must be filed in person"), required=False
    )

    channel = Channel.CONSULAR_PAPER

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certified_on"].label = _("Date on the form")
        self.fields["certified_on"].help_text = _("Copy the date written on the paper form.")
        if not self.is_bound:
            # The date on the form is copied from the paper, never assumed: today would be wrong for
            # nearly every form (they arrive weeks later) and would move the deadline too far.
            self.initial.pop("certified_on", None)
            self.initial.setdefault("country", self.pensioner.abroad_country)
            self.initial.setdefault("received_on", timezone.localdate())
        self.proxy_warning_needed = False

    def clean_form_serial(self):
        serial = self.cleaned_data["form_serial"].strip().upper()
        holder = (
            Certification.objects.filter(
                channel=Channel.CONSULAR_PAPER, reference=serial, voided_at__isnull=True
            )
            .select_related("pensioner")
            .first()
        )
        if holder is not None:
            raise forms.ValidationError(reference_taken_message(holder))
        return serial

    def clean_scan(self):
        return evidence_upload_from(self.cleaned_data["scan"])

    def clean(self):
        from certification.recording.queries import proxy_warning_for

        cleaned = super().clean()
        form_date, received_on = cleaned.get("certified_on"), cleaned.get("received_on")
        if form_date and received_on and received_on < form_date:
            self.add_error("received_on", _("The form cannot be received before the date on it."))
        if received_on and received_on > timezone.localdate():
            self.add_error("received_on", _("The date received cannot be in the future."))
        if cleaned.get("review") == "rejected" and not cleaned.get("rejection_reason"):
            self.add_error("rejection_reason", _("Say why the form was rejected."))
        if form_date and cleaned.get("filed") == "proxy" and cleaned.get("review") == "accepted":
            self.proxy_warning_needed = proxy_warning_for(self.pensioner, form_date)
            if self.proxy_warning_needed and not cleaned.get("proxy_warning_given"):
                self.add_error(
                    "proxy_warning_given",
                    _(
                        "This is the third consecutive year by proxy: the next form must be filed in person. "
                        "Tell the pensioner, then tick this box."
                    ),
                )
        return cleaned

    @property
    def outcome(self) -> str:
        return "failed" if self.cleaned_data["review"] == "rejected" else "passed"

    def evidence(self) -> dict:
        data = self.cleaned_data
        return {
            "form_serial": data["form_serial"],
            "body_kind": data["body_kind"],
            "issuing_body": data["issuing_body"],
            "country": data["country"],
            "received_on": data["received_on"].isoformat(),
            "proxy": data["filed"] == "proxy",
            "review": data["review"],
            "rejection_reason": data["rejection_reason"],
            "proxy_warning_given": bool(data.get("proxy_warning_given")),
        }

    def files_to_store(self) -> list[EvidenceUpload]:
        return [self.cleaned_data["scan"]]


class CounterLookupForm(StyledFormMixin, forms.Form):
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs["data-testid"] = "counter-id"

    def hand_focus_to_the_form(self) -> None:
        """Once a person is found, the keyboard belongs to the recording form below."""
        self.fields["id_number"].widget.attrs.pop("autofocus", None)


class VoidForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for voiding"), max_length=200, min_length=2)
