"""Decisions that move money: death cases (dismiss or confirm), suspension candidates and batches,
resumptions, imprisonment stops, and deadline extensions. Every write is a service call; views only read
forms and show the outcome."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from certification.decisions.filters import (
    DeadlineExtensionFilter,
    DeathCaseFilter,
    DecisionBatchFilter,
    ResumptionFilter,
    SuspensionCandidateFilter,
)
from certification.decisions.forms import (
    ApproveBatchForm,
    BatchNameForm,
    ConfirmCaseForm,
    DismissCaseForm,
    ExcludeForm,
    ExtensionForm,
    RejectForm,
    RevokeForm,
    StopForm,
)
from certification.decisions.payment_file import CONTENT_TYPES, FORMATS, payment_file_for
from certification.decisions.queries import eligible_only, suspension_candidates
from certification.decisions.rules import DROP_LABELS
from certification.decisions.services import (
    batch_approve,
    batch_reject,
    death_case_confirm,
    death_case_dismiss,
    extension_approve,
    extension_propose,
    extension_reject,
    extension_revoke,
    resumption_batch_propose,
    stop_propose,
    suspension_batch_propose,
)
from certification.decisions.services import suspension_exclude as suspension_exclude_service
from certification.decisions.tables import (
    BatchDecisionTable,
    DeadlineExtensionTable,
    DeathCaseTable,
    DecisionBatchTable,
    ResumptionTable,
    SuspensionCandidateTable,
    area_name,
)
from certification.display import person_summary
from certification.models import (
    DeadlineExtension,
    DeathCase,
    DeathCaseOrigin,
    DeathCaseStatus,
    DecisionBatch,
    DecisionKind,
    DecisionStatus,
    PaymentDecision,
)
from pensioners.filters import AreaDrillDown
from pensioners.models import Area, CertificationState, Pensioner
from portal.errors import Refused
from portal.roles import Capability
from portal.views_base import (
    ScopedListView,
    redirect_back,
    require_capability,
    safe_next,
)


class DeathCaseListView(ScopedListView):
    capability = Capability.DECIDE
    template_name = "certification/decisions/death_cases.html"
    table_class = DeathCaseTable
    filterset_class = DeathCaseFilter
    export_name = "death-cases"
    export_action = "death_cases"

    def base_queryset(self):
        return DeathCase.objects.select_related("pensioner__community")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if kwargs["data"] is None or "status" not in kwargs["data"]:
            kwargs["data"] = {"status": DeathCaseStatus.OPEN}  # nothing waits unseen: open cases first
        return kwargs


EVIDENCE_LABELS = {
    "origin": gettext_lazy("Origin"),
    "source": gettext_lazy("Source"),
    "reference": gettext_lazy("Reference"),
    "death_date": gettext_lazy("Date of death"),
    "note": gettext_lazy("Note"),
    "contact_attempt": gettext_lazy("Contact attempt"),
    "visit": gettext_lazy("Home visit"),
}


def evidence_items(case: DeathCase) -> list[list[tuple[str, str]]]:
    """Each piece of evidence as labelled facts (internal keys such as source_id are left out)."""
    items = []
    for item in case.evidence:
        facts = []
        for key, label in EVIDENCE_LABELS.items():
            value = item.get(key)
            if value in (None, ""):
                continue
            if key == "origin":
                value = DeathCaseOrigin(value).label if value in DeathCaseOrigin.values else value
            facts.append((str(label), str(value)))
        items.append(facts)
    return items


def death_case_detail(request, pk: int):
    case = request.scope.get_or_404(
        DeathCase.objects.select_related(
            "pensioner__community__parent", "pensioner__state", "reported_by", "decided_by"
        ),
        pk=pk,
    )
    require_capability(request, Capability.DECIDE)
    dismiss_form = DismissCaseForm(request.POST if request.POST.get("decision") == "dismiss" else None)
    confirm_form = ConfirmCaseForm(
        request.POST if request.POST.get("decision") == "confirm" else None,
        initial={"died_on": case.reported_death_date},
    )
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "dismiss" and dismiss_form.is_valid():
                death_case_dismiss(case=case, actor=request.user, reason=dismiss_form.cleaned_data["reason"])
                messages.success(
                    request,
                    _("The case was dismissed; %(name)s is back in the queues.")
                    % {"name": case.pensioner.name},
                )
                return redirect("death-cases")
            if request.POST.get("decision") == "confirm" and confirm_form.is_valid():
                decision = death_case_confirm(case=case, actor=request.user, **confirm_form.cleaned_data)
                messages.success(
                    request,
                    _(
                        "Death confirmed. Payment stops from %(month)s; %(months)s months overpaid (¥%(amount)s) to recover."
                    )
                    % {
                        "month": decision.effective_month.strftime("%Y-%m"),
                        "months": decision.overpaid_months,
                        "amount": decision.overpaid_amount,
                    },
                )
                return redirect("death-cases")
        except Refused as refusal:
            messages.error(request, refusal.message)
    context = {
        **person_summary(case.pensioner),
        "case": case,
        "evidence": evidence_items(case),
        "dismiss_form": dismiss_form,
        "confirm_form": confirm_form,
    }
    return render(
        request,
        "certification/decisions/death_case.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


# =====================================================================================================
# Payment decisions (issue 15): candidates, batches, resumptions, stops, extensions
# =====================================================================================================


class SuspensionCandidateListView(ScopedListView):
    """Who may be suspended here, why, and what keeps anyone out; the maker proposes a batch from it."""

    capability = Capability.PROPOSE_PAYMENT
    template_name = "certification/decisions/candidates.html"
    table_class = SuspensionCandidateTable
    filterset_class = SuspensionCandidateFilter
    export_name = "suspension-candidates"
    export_action = "suspension_candidates"

    def base_queryset(self):
        return CertificationState.objects.all()

    def scoped_rows(self, scoped):
        return (
            suspension_candidates(scoped, today=timezone.localdate(), within=self.request.scope.area)
            .select_related("pensioner")
            .prefetch_related("pensioner__community")
        )
        # (The community's name comes in a second small query: joined, the area table was scanned once
        # per candidate when PostgreSQL misjudged the number of rows.)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "scope": self.request.scope}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The figures describe the rows listed: the list's own count, and of those the eligible (one
        # query whose exclusions run as anti-joins); the excluded are the rest.
        listed = context["table"].paginator.count
        eligible = eligible_only(self.filterset.qs).aggregate(
            people=Count("pk"), monthly=Sum("monthly_total")
        )
        context.update(
            drill_down=AreaDrillDown(self.request.scope, self.request.GET.get("area", "")),
            eligible_count=eligible["people"] or 0,
            eligible_monthly=eligible["monthly"] or Decimal("0"),
            excluded_count=listed - (eligible["people"] or 0),
            grace_days=settings.SUSPENSION_GRACE_DAYS,
            propose_form=BatchNameForm(
                initial={"name": default_batch_name(self.request, DecisionKind.SUSPEND)}
            ),
            query=self.request.GET.urlencode(),
        )
        return context


def form_errors_text(form) -> str:
    """A small form's errors as one message (the form posts from a list page, then returns to it)."""
    return " ".join(
        f"{form.fields[name].label}: {error}" for name, errors in form.errors.items() for error in errors
    )


def default_batch_name(request, kind: str) -> str:
    area = request.scope.area
    label = {DecisionKind.SUSPEND: "暂停发放", DecisionKind.RESUME: "恢复发放"}[kind]
    return f"{timezone.localdate():%Y年%m月} {area.name if area else ''} {label}"


@require_POST
def suspension_propose(request):
    """Propose every eligible candidate the list shows with its filters (carried in `query`)."""
    require_capability(request, Capability.PROPOSE_PAYMENT)
    query = QueryDict(request.POST.get("query", ""))
    form = BatchNameForm(request.POST)
    back = f"{reverse('suspension-candidates')}?{query.urlencode()}"
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(back)
    scoped = request.scope.restrict(CertificationState.objects.all())
    candidates = suspension_candidates(scoped, today=timezone.localdate(), within=request.scope.area)
    filterset = SuspensionCandidateFilter(query, queryset=candidates, scope=request.scope)
    if not filterset.is_valid():
        messages.error(request, _("The filters were not valid; nothing was proposed."))
        return redirect(back)
    try:
        batch = suspension_batch_propose(
            actor=request.user,
            area=request.scope.area,
            name=form.cleaned_data["name"],
            candidates=filterset.qs,
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    messages.success(
        request,
        _(
            "Batch proposed: %(count)s people, ¥%(amount)s a month. A supervisor other than you must approve it."
        )
        % {"count": batch.people_count, "amount": batch.monthly_amount},
    )
    return redirect("decision-batch", pk=batch.pk)


def suspension_exclude(request, pensioner_id: int):
    state = request.scope.get_or_404(
        CertificationState.objects.select_related("pensioner__community"), pensioner_id=pensioner_id
    )
    require_capability(request, Capability.PROPOSE_PAYMENT)
    form = ExcludeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            suspension_exclude_service(actor=request.user, state=state, reason=form.cleaned_data["reason"])
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(
                request,
                _("%(name)s is kept out of suspension for this deadline.") % {"name": state.pensioner.name},
            )
            return redirect_back(request, reverse("suspension-candidates"))
    return render(
        request,
        "certification/decisions/exclude.html",
        {**person_summary(state.pensioner), "state": state, "form": form, "next": safe_next(request)},
        status=400 if request.method == "POST" else 200,
    )


class DecisionBatchListView(ScopedListView):
    capability = Capability.PROPOSE_PAYMENT
    template_name = "certification/decisions/batches.html"
    table_class = DecisionBatchTable
    filterset_class = DecisionBatchFilter
    export_name = "decision-batches"
    export_action = "decision_batches"

    def base_queryset(self):
        return DecisionBatch.objects.select_related("proposed_by", "decided_by")


class DecisionBatchView(ScopedListView):
    """One batch: its totals, its people, the checker's decision, and the payment file once approved."""

    capability = Capability.PROPOSE_PAYMENT
    template_name = "certification/decisions/batch.html"
    table_class = BatchDecisionTable
    filterset_class = None
    export_name = "batch"
    export_action = "decision_batch"

    def dispatch(self, request, *args, **kwargs):
        self.batch = request.scope.get_or_404(
            DecisionBatch.objects.select_related("proposed_by", "decided_by"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        return PaymentDecision.objects.filter(batch=self.batch).select_related("pensioner__community")

    def get_table_kwargs(self):
        # Back pay belongs to resumptions, a court reference to stops: other batches leave them out.
        exclude = []
        if self.batch.kind != DecisionKind.RESUME:
            exclude += ["back_pay_months", "back_pay_amount"]
        if self.batch.kind != DecisionKind.STOP:
            exclude.append("reference")
        return {**super().get_table_kwargs(), "exclude": exclude}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.batch
        is_maker = batch.proposed_by_id == self.request.user.pk
        context.update(
            batch=batch,
            is_maker=is_maker,
            may_decide=self.request.scope.can(Capability.DECIDE) and not is_maker,
            may_download=self.request.scope.can(Capability.DECIDE),
            approve_form=ApproveBatchForm(),
            reject_form=RejectForm(),
            dropped=[(DROP_LABELS.get(code, code), count) for code, count in batch.dropped_reasons.items()],
            file_formats=FORMATS,
        )
        return context


def decision_batch_decide(request, pk: int):
    batch = request.scope.get_or_404(DecisionBatch.objects.all(), pk=pk)
    require_capability(request, Capability.DECIDE)
    if request.method != "POST":
        return redirect("decision-batch", pk=batch.pk)
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            form = ApproveBatchForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            batch = batch_approve(batch=batch, actor=request.user, note=note)
            message = _("Approved: %(approved)s people. Dropped at approval: %(dropped)s.") % {
                "approved": batch.approved_count,
                "dropped": batch.dropped_count,
            }
            if batch.dropped_reasons:
                message += (
                    " ("
                    + "; ".join(
                        f"{DROP_LABELS.get(code, code)}: {count}"
                        for code, count in batch.dropped_reasons.items()
                    )
                    + ")"
                )
            messages.success(request, message)
        elif decision == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise Refused(_("Give a reason for rejecting the batch."))
            batch_reject(batch=batch, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("The batch was rejected; no one's payment changed."))
        else:
            messages.error(request, _("Choose approve or reject."))
    except Refused as refusal:
        messages.error(request, refusal.message)
    return redirect("decision-batch", pk=batch.pk)


def payment_file_download(request, pk: int, file_format: str):
    batch = request.scope.get_or_404(DecisionBatch.objects.all(), pk=pk)
    require_capability(request, Capability.DECIDE)
    if file_format not in FORMATS:
        raise Http404
    if batch.status != DecisionStatus.APPROVED:
        messages.error(request, _("A payment file exists only for an approved batch."))
        return redirect("decision-batch", pk=batch.pk)
    headers = "zh" if request.GET.get("headers") == "zh" else "en"
    payment_file = payment_file_for(
        batch=batch, file_format=file_format, headers=headers, actor=request.user, request=request
    )
    response = HttpResponse(bytes(payment_file.content), content_type=CONTENT_TYPES[file_format])
    filename = f"payment-batch-{batch.pk}-{batch.kind}-{headers}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-SHA256"] = payment_file.sha256
    return response


class ResumptionListView(ScopedListView):
    """Resumptions a certification proposed, waiting to go into a batch for a supervisor's approval."""

    capability = Capability.PROPOSE_PAYMENT
    template_name = "certification/decisions/resumptions.html"
    table_class = ResumptionTable
    filterset_class = ResumptionFilter
    export_name = "resumptions"
    export_action = "resumptions"

    def base_queryset(self):
        return PaymentDecision.objects.filter(
            kind=DecisionKind.RESUME, status=DecisionStatus.PROPOSED
        ).select_related("pensioner__community", "certification", "resumes", "batch")

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "scope": self.request.scope}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unbatched = self.filterset.qs.filter(batch__isnull=True).aggregate(
            people=Count("pk"), back_pay=Sum("back_pay_amount")
        )
        context.update(
            drill_down=AreaDrillDown(self.request.scope, self.request.GET.get("area", "")),
            unbatched_count=unbatched["people"] or 0,
            unbatched_back_pay=unbatched["back_pay"] or Decimal("0"),
            propose_form=BatchNameForm(
                initial={"name": default_batch_name(self.request, DecisionKind.RESUME)}
            ),
            query=self.request.GET.urlencode(),
        )
        return context


@require_POST
def resumption_propose(request):
    require_capability(request, Capability.PROPOSE_PAYMENT)
    query = QueryDict(request.POST.get("query", ""))
    back = f"{reverse('resumptions')}?{query.urlencode()}"
    form = BatchNameForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(back)
    scoped = request.scope.restrict(PaymentDecision.objects.all())
    filterset = ResumptionFilter(query, queryset=scoped, scope=request.scope)
    filtered = filterset.qs if filterset.is_valid() else scoped.none()
    try:
        batch = resumption_batch_propose(
            actor=request.user, area=request.scope.area, name=form.cleaned_data["name"], decisions=filtered
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    messages.success(
        request,
        _(
            "Batch proposed: %(count)s resumptions, ¥%(amount)s back pay. A supervisor other than you must approve it."
        )
        % {"count": batch.people_count, "amount": batch.back_pay_amount},
    )
    return redirect("decision-batch", pk=batch.pk)


def payment_stop(request, pensioner_id: int):
    """Enter an imprisonment stop from the court document; a supervisor approves it as a batch of one."""
    pensioner = request.scope.get_or_404(
        Pensioner.objects.select_related("community", "state"), pk=pensioner_id
    )
    require_capability(request, Capability.PROPOSE_PAYMENT)
    form = StopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = stop_propose(actor=request.user, pensioner=pensioner, **form.cleaned_data)
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("The stop is proposed; a supervisor other than you must approve it."))
            return redirect("decision-batch", pk=batch.pk)
    return render(
        request,
        "certification/decisions/stop.html",
        {**person_summary(pensioner), "form": form},
        status=400 if request.method == "POST" else 200,
    )


class DeadlineExtensionListView(ScopedListView):
    capability = Capability.DECIDE
    template_name = "certification/decisions/extensions.html"
    table_class = DeadlineExtensionTable
    filterset_class = DeadlineExtensionFilter
    export_name = "deadline-extensions"
    export_action = "deadline_extensions"

    def base_queryset(self):
        return DeadlineExtension.objects.select_related("proposed_by", "decided_by")


def extension_areas(scope) -> list[tuple[str, str]]:
    """The areas a supervisor may extend deadlines in: their own and the streets below it."""
    area = scope.area
    below = Area.objects.filter(parent=area).order_by("code").values_list("code", "name")
    return [(area.code, area.name), *[(code, f"— {name}") for code, name in below]]


def deadline_extension_new(request):
    require_capability(request, Capability.DECIDE)
    areas = extension_areas(request.scope)
    form = ExtensionForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = Area.objects.get(pk=data["area"])
        try:
            extension = extension_propose(
                actor=request.user,
                area=area,
                due_from=data["due_from"],
                due_until=data["due_until"],
                days=data["days"],
                reason=data["reason"],
            )
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(
                request,
                _("Extension proposed for %(count)s people; a supervisor other than you must approve it.")
                % {"count": extension.people_count},
            )
            return redirect("deadline-extension", pk=extension.pk)
    return render(
        request,
        "certification/decisions/extension_new.html",
        {"form": form, "max_days": settings.DEADLINE_EXTENSION_MAX_DAYS},
        status=400 if request.method == "POST" else 200,
    )


def deadline_extension_detail(request, pk: int):
    extension = request.scope.get_or_404(
        DeadlineExtension.objects.select_related("proposed_by", "decided_by", "revoked_by"), pk=pk
    )
    require_capability(request, Capability.DECIDE)
    decision = request.POST.get("decision")
    reject_form = RejectForm(request.POST if decision == "reject" else None)
    revoke_form = RevokeForm(request.POST if decision == "revoke" else None)
    if request.method == "POST":
        try:
            if decision == "approve":
                extension = extension_approve(
                    extension=extension, actor=request.user, note=request.POST.get("note", "")
                )
                messages.success(
                    request,
                    _("Approved: %(count)s deadlines moved by %(days)s days.")
                    % {"count": extension.people_count, "days": extension.days},
                )
                return redirect("deadline-extension", pk=extension.pk)
            if decision == "reject" and reject_form.is_valid():
                extension_reject(
                    extension=extension, actor=request.user, reason=reject_form.cleaned_data["reason"]
                )
                messages.success(request, _("The extension was rejected; no deadline moved."))
                return redirect("deadline-extension", pk=extension.pk)
            if decision == "revoke" and revoke_form.is_valid():
                extension = extension_revoke(
                    extension=extension, actor=request.user, reason=revoke_form.cleaned_data["reason"]
                )
                messages.success(
                    request,
                    _("Revoked: %(count)s deadlines are back to their old dates.")
                    % {"count": extension.restored_count},
                )
                return redirect("deadline-extension", pk=extension.pk)
        except Refused as refusal:
            messages.error(request, refusal.message)
    return render(
        request,
        "certification/decisions/extension.html",
        {
            "extension": extension,
            "area_label": area_name(extension.area_code),
            "is_maker": extension.proposed_by_id == request.user.pk,
            "reject_form": reject_form,
            "revoke_form": revoke_form,
        },
        status=400 if request.method == "POST" else 200,
    )
