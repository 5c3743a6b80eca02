"""Recording screens (counter, home visit, consular form), receipts, evidence files, voiding."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from certification.display import person_summary
from certification.models import Certification, EvidenceFile
from certification.recording.forms import (
    ConsularPaperForm,
    CounterForm,
    CounterLookupForm,
    HomeVisitForm,
    VoidForm,
)
from certification.recording.queries import proxy_years_so_far
from certification.recording.services import certification_record, certification_void, death_confirmed
from pensioners.models import CertificationState, Pensioner
from pensioners.rules import IdNumberError, parse_id_number
from pensioners.services import AlreadySubmitted, form_submission_find, pensioner_lookup_by_id
from portal.audit import audit_read
from portal.errors import Refused
from portal.roles import Capability
from portal.views_base import capability_required, require_capability


def _pensioner_queryset():
    return Pensioner.objects.select_related("community__parent", "state")


def _record(request, form, pensioner: Pensioner, *, reference: str = "", acting_office=None):
    """Call the service for a valid form; a refusal becomes form errors and nothing is saved.

    Returns the certification, or a redirect to the receipt of the page's first submission, or None.
    """
    try:
        return certification_record(
            pensioner=pensioner,
            channel=form.channel,
            certified_on=form.cleaned_data["certified_on"],
            actor=request.user,
            evidence=form.evidence(),
            outcome=getattr(form, "outcome", "passed"),
            acting_office=acting_office or request.user.area,
            reference=reference,
            files=form.files_to_store() if hasattr(form, "files_to_store") else [],
            form_token=form.cleaned_data.get("form_token"),
        )
    except AlreadySubmitted as repeat:
        return _already_recorded(request, repeat.object_id)
    except Refused as refusal:
        refusal.add_to_form(form)
        return None


def _already_recorded(request, certification_id: int):
    """The same page was submitted again: answer with the first submission's receipt, record nothing."""
    messages.info(
        request, _("This form was already submitted once; here is its receipt. Nothing new was recorded.")
    )
    return redirect("certification-receipt", pk=certification_id)


def _first_submission(request, form):
    done = form_submission_find(token=form.posted_token(), kind="certification")
    return _already_recorded(request, done.object_id) if done is not None else None


def _recorded(request, certification: Certification):
    if not isinstance(certification, Certification):
        return certification  # the redirect to an earlier submission's receipt
    if certification.counts:
        # The deadline the service has just written, read back from the database: the pensioner object
        # the view loaded still holds the deadline from before the write.
        deadline = CertificationState.objects.values_list("next_due_on", flat=True).get(
            pensioner_id=certification.pensioner_id
        )
        messages.success(
            request,
            _("Certified. Receipt number %(receipt)s; next deadline %(deadline)s.")
            % {"receipt": certification.receipt_number, "deadline": deadline.isoformat()},
        )
    else:
        messages.warning(
            request,
            _("Recorded as not passed (receipt %(receipt)s): the deadline did not move.")
            % {"receipt": certification.receipt_number},
        )
    return redirect("certification-receipt", pk=certification.pk)


class RecordView(View):
    """Record a certification for a person in the user's scope (reached from the person card)."""

    form_class = None
    capability = ""
    title = ""
    upload_limit_setting = "EVIDENCE_PHOTO_MAX_BYTES"
    audit_note = gettext_lazy("recording form")  # the form shows who is being certified: a look on the record
    template_name = "certification/recording/record.html"

    def dispatch(self, request, *args, pk, **kwargs):
        self.pensioner = request.scope.get_or_404(_pensioner_queryset(), pk=pk)
        require_capability(request, self.capability)
        if death_confirmed(self.pensioner):
            messages.error(
                request, _("The death of this person is confirmed: no certification can be recorded.")
            )
            return redirect("pensioner-card", pk=self.pensioner.pk)
        return super().dispatch(request, *args, **kwargs)

    def form_kwargs(self) -> dict:
        return {"pensioner": self.pensioner, "user": self.request.user}

    def get(self, request):
        audit_read(
            request=request,
            action="pensioner.viewed",
            pensioners=[self.pensioner],
            target=self.pensioner,
            note=str(self.audit_note),
        )
        return self.render(self.form_class(**self.form_kwargs()))

    def post(self, request):
        form = self.form_class(request.POST, request.FILES, **self.form_kwargs())
        # Checked before validation: the first submission's serial would make this one look invalid.
        repeat = _first_submission(request, form)
        if repeat is not None:
            return repeat
        if form.is_valid():
            reference = form.cleaned_data.get("form_serial", "")
            certification = _record(request, form, self.pensioner, reference=reference)
            if certification is not None:
                return _recorded(request, certification)
        return self.render(form, status=400)

    def extra_context(self) -> dict:
        return {}

    def render(self, form, status=200):
        context = {
            **person_summary(self.pensioner),
            "form": form,
            "title": self.title,
            **self.extra_context(),
        }
        return render(self.request, self.template_name, context, status=status)


class CounterRecordView(RecordView):
    form_class = CounterForm
    capability = Capability.RECORD_COUNTER
    title = _("Counter certification")


class HomeVisitRecordView(RecordView):
    form_class = HomeVisitForm
    capability = Capability.RECORD_HOME_VISIT
    title = _("Home-visit certification")


class ConsularRecordView(RecordView):
    form_class = ConsularPaperForm
    capability = Capability.RECORD_CONSULAR
    title = _("Consular paper form")

    def extra_context(self) -> dict:
        return {"proxy_years": proxy_years_so_far(self.pensioner)}


@capability_required(Capability.RECORD_COUNTER)
def counter_desk(request):
    """The counter: any office certifies anyone in the city, found by the exact ID number only.

    The ID number travels in the POST body, never in the address, and each lookup is audited.
    """
    lookup = CounterLookupForm(request.POST or None)
    context = {"lookup": lookup}
    if request.method != "POST" or not lookup.is_valid():
        return render(request, "certification/recording/counter_desk.html", context)
    try:
        id_number = parse_id_number(lookup.cleaned_data["id_number"], today=timezone.localdate()).number
    except IdNumberError as error:
        lookup.add_error("id_number", str(error))
        return render(request, "certification/recording/counter_desk.html", context, status=400)
    certifying = "certify" in request.POST
    try:  # audited, hit or miss, and limited per staff member (pensioners.services)
        found = pensioner_lookup_by_id(actor=request.user, id_number=id_number, place=_("counter desk"))
    except Refused as refusal:
        refusal.add_to_form(lookup)
        return render(request, "certification/recording/counter_desk.html", context, status=429)
    if found is None:
        lookup.add_error("id_number", _("No pensioner is registered with this ID number."))
        return render(request, "certification/recording/counter_desk.html", context, status=404)
    pensioner = _pensioner_queryset().get(pk=found.pk)
    form = CounterForm(request.POST if certifying else None, pensioner=pensioner, user=request.user)
    context.update(person_summary(pensioner), id_number=id_number)
    if death_confirmed(pensioner):
        # Who it is and why nothing can be recorded; no form to fill.
        context["death_confirmed"] = True
        return render(
            request, "certification/recording/counter_desk.html", context, status=400 if certifying else 200
        )
    if certifying:
        repeat = _first_submission(request, form)
        if repeat is not None:
            return repeat
        if form.is_valid():
            certification = _record(request, form, pensioner)
            if certification is not None:
                return _recorded(request, certification)
    lookup.hand_focus_to_the_form()
    form.fields["certified_on"].widget.attrs["autofocus"] = True
    context["form"] = form
    return render(
        request, "certification/recording/counter_desk.html", context, status=400 if certifying else 200
    )


def _certification_for(request, pk: int) -> Certification:
    queryset = Certification.objects.select_related(
        "pensioner__community__parent", "pensioner__state", "recorded_by", "acting_office", "voided_by"
    )
    return request.scope.get_or_404(queryset, pk=pk)


def receipt(request, pk: int):
    certification = _certification_for(request, pk)
    # "Back" goes to the person's card; an office that certified someone from elsewhere at its counter
    # may print the receipt but not browse the person, so its way back is the counter desk.
    card_visible = request.scope.restrict(Pensioner.objects.filter(pk=certification.pensioner_id)).exists()
    context = {
        "certification": certification,
        **person_summary(certification.pensioner),
        "back_url": reverse("pensioner-card", args=[certification.pensioner_id])
        if card_visible
        else reverse("counter-desk"),
        "back_label": _("Back to the card") if card_visible else _("Back to the counter"),
        "can_void": not certification.is_voided and request.scope.can(Capability.VOID_CERTIFICATION),
    }
    return render(request, "certification/recording/receipt.html", context)


def evidence_file(request, pk: int):
    """A photo or scan, to staff who may see its certification; never from a public media URL."""
    stored = request.scope.get_or_404(EvidenceFile.objects.select_related("certification__pensioner"), pk=pk)
    person = stored.certification.pensioner
    audit_read(
        request=request,
        action="pensioner.viewed",
        pensioners=[person],
        target=person,
        note=_("evidence file %(number)s") % {"number": stored.pk},
    )
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type)
    response["Content-Disposition"] = f'inline; filename="{stored.certification_id}-{stored.pk}"'
    response["Cache-Control"] = "private, no-store"
    return response


def void(request, pk: int):
    certification = _certification_for(request, pk)
    require_capability(request, Capability.VOID_CERTIFICATION)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certification_void(
                certification=certification, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("The certification was voided and the deadline recomputed."))
            if request.scope.restrict(Pensioner.objects.filter(pk=certification.pensioner_id)).exists():
                return redirect("pensioner-card", pk=certification.pensioner_id)
            return redirect("certification-receipt", pk=certification.pk)
    status = 400 if request.method == "POST" else 200
    context = {"certification": certification, "form": form, **person_summary(certification.pensioner)}
    return render(request, "certification/recording/void.html", context, status=status)
