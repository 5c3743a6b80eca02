"""Death reports and cases: the supervisor's list, and the decision on each (dismiss, or confirm)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.decisions.filters import DeathCaseFilter
from certification.decisions.forms import ConfirmCaseForm, DismissCaseForm
from certification.decisions.services import death_case_confirm, death_case_dismiss
from certification.decisions.tables import DeathCaseTable
from certification.display import person_summary
from certification.models import DeathCase, DeathCaseOrigin, DeathCaseStatus
from portal.errors import Refused
from portal.roles import Capability
from portal.views_base import (
    ScopedListView,
    require_capability,
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
