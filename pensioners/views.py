"""Registry screens: search, person card, reveal, create and edit. Thin: scope, form, service, message."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import LazyPaginator
from django_tables2.data import TableListData

from pensioners.filters import AreaDrillDown, PensionerFilter
from pensioners.forms import BenefitLineFormSet, PensionerForm, RevealForm, already_registered_message
from pensioners.models import Pensioner
from pensioners.rules import age_on, normalise_id_text
from pensioners.search import ID_FULL, NOTHING, UNRECOGNISED, plan_search, search_pensioner_ids
from pensioners.services import (
    AlreadyRegistered,
    AlreadySubmitted,
    BenefitLineData,
    form_submission_find,
    pensioner_create,
    pensioner_edit,
    pensioner_reveal_identity,
)
from pensioners.tables import PensionerTable
from portal.audit import audit_read, audit_record
from portal.contracts import card_extras
from portal.deadlines import days_overdue, deadline_state
from portal.masking import mask_id_number
from portal.roles import Capability
from portal.views_base import (
    ScopedListView,
    capability_required,
    is_htmx,
    require_capability,
)


class RecordsByKey(Sequence):
    """A list of records known by their keys, fetched a page at a time (one query per page)."""

    def __init__(self, keys: list[int], queryset):
        self.keys = keys
        self.queryset = queryset

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):
        if isinstance(index, slice):
            wanted = self.keys[index]
            found = self.queryset.in_bulk(wanted)
            return [found[key] for key in wanted if key in found]
        return self[index : index + 1][0]

    def __iter__(self):
        for start in range(0, len(self.keys), 500):
            yield from self[start : start + 500]


class PensionerSearchView(ScopedListView):
    capability = Capability.VIEW_REGISTRY
    template_name = "pensioners/search.html"
    table_class = PensionerTable
    filterset_class = PensionerFilter
    table_pagination = {"per_page": 25}
    export_name = "pensioners"
    export_action = "pensioners"

    def get(self, request, *args, **kwargs):
        found = self.exact_id_match()
        if found is not None:
            return redirect("pensioner-card", pk=found)
        return super().get(request, *args, **kwargs)

    def exact_id_match(self) -> int | None:
        """A full 18-character ID number that matches exactly one person in scope opens their card:
        at a desk, the ID card read out or scanned is the person, not a list of one."""
        if self.request.GET.get("_export") or is_htmx(self.request):
            return None
        text = self.request.GET.get("q", "")
        plan = plan_search(text, today=timezone.localdate())
        if (
            plan.kinds != (ID_FULL,)
            or len(plan.value) != 18
            or len(normalise_id_text(text).replace(" ", "")) != 18
        ):
            return None  # a legacy 15-digit number still lists what it finds
        matches = list(self.get_queryset().filter(id_number=plan.value).values_list("pk", flat=True)[:2])
        return matches[0] if len(matches) == 1 else None

    def base_queryset(self):
        return Pensioner.objects.all()

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "scope": self.request.scope}

    def get_table_data(self):
        cap = settings.SEARCH_COUNT_CAP
        self.plan = plan_search(self.request.GET.get("q", ""), today=timezone.localdate())
        filtered = self.filterset.qs
        if self.plan.kinds in ((NOTHING,), (UNRECOGNISED,)):
            self.searching = False
            rows = filtered.order_by("name", "pk") if self.plan.kinds == (NOTHING,) else filtered.none()
            # Count no further than the cap: a city has millions of records.
            self.match_count = rows.order_by()[: cap + 1].count()
        else:
            self.searching = True
            found = search_pensioner_ids(filtered, self.plan, cap=cap)
            self.match_count = len(found)
            people = Pensioner.objects.select_related("state").prefetch_related("community")
            if not self.request.GET.get("sort"):
                # The best readings first, as the probes found them: fetch only the page shown. (Handed to
                # django-tables2 as TableData, which it takes as it is instead of listing every record.)
                return TableListData(RecordsByKey(found[:cap], people))
            return people.filter(pk__in=found[:cap])
        return rows.select_related("community", "state")

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        if not self.searching:
            pagination["paginator_class"] = LazyPaginator
        return pagination

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = self.request.scope
        context.update(
            query=self.request.GET.get("q", ""),
            plan=self.plan,
            match_count=min(self.match_count, settings.SEARCH_COUNT_CAP),
            capped=self.match_count > settings.SEARCH_COUNT_CAP,
            count_cap=settings.SEARCH_COUNT_CAP,
            drill_down=AreaDrillDown(scope, self.request.GET.get("area", "")),
            searching_or_filtering=self.searching or self.filterset.is_filtering,
            registry_empty=self.match_count == 0 and not self.get_queryset().exists(),
            can_create=scope.can(Capability.EDIT_REGISTRY),
        )
        return context


def _card_context(request, pensioner: Pensioner) -> dict:
    today = timezone.localdate()
    state = pensioner.state
    # The certification app adds its sections (history, attempts, messages) and actions to the card,
    # registered in its AppConfig.ready(): the registry never imports it.
    extras = card_extras(request, pensioner)
    return {
        "pensioner": pensioner,
        "state": state,
        "age": age_on(pensioner.birth_date, today),
        "masked_id": mask_id_number(pensioner.id_number),
        "masked_legacy_id": mask_id_number(pensioner.legacy_id_number),
        "deadline_state": deadline_state(state.next_due_on, today),
        "days_left": (state.next_due_on - today).days,
        "days_overdue": days_overdue(state.next_due_on, today),
        "benefit_lines": pensioner.benefit_lines.all(),
        "reveal_form": RevealForm(),
        "can_edit": request.scope.can(Capability.EDIT_REGISTRY),
        "sections": extras.get("sections", []),
        "actions": extras.get("actions", []),
        "latest_channel_label": extras.get("latest_channel_label", ""),
        "death": extras.get("death"),
        "top_sections": extras.get("top_sections", []),
    }


def _card_queryset():
    return Pensioner.objects.select_related("community__parent__parent", "state")


@capability_required(Capability.VIEW_REGISTRY)
def pensioner_card(request, pk: int):
    pensioner = request.scope.get_or_404(_card_queryset(), pk=pk)
    # The card shows phone and address in full: opening it is a logged view of personal data.
    audit_record(actor=request.user, action="pensioner.viewed", target=pensioner)
    return render(request, "pensioners/card.html", _card_context(request, pensioner))


def pensioner_reveal(request, pk: int):
    """Show the full ID number once, for a stated reason; the reveal is audited."""
    pensioner = request.scope.get_or_404(_card_queryset(), pk=pk)
    require_capability(request, Capability.REVEAL_IDENTITY)
    if request.method != "POST":
        return redirect("pensioner-card", pk=pk)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        revealed = pensioner_reveal_identity(
            actor=request.user, pensioner=pensioner, reason=form.cleaned_data["reason"]
        )
    template = "pensioners/includes/_identity.html" if is_htmx(request) else "pensioners/card.html"
    context = {**_card_context(request, pensioner), "reveal_form": form, "revealed_id_number": revealed}
    return render(request, template, context)


class PensionerEditView(View):
    """Create (no pk) or edit a pensioner and their benefit lines."""

    template_name = "pensioners/edit.html"

    def dispatch(self, request, *args, pk=None, **kwargs):
        self.pensioner = request.scope.get_or_404(_card_queryset(), pk=pk) if pk is not None else None
        require_capability(request, Capability.EDIT_REGISTRY)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if self.pensioner is not None:  # the form shows the full ID number, phones and address
            audit_read(
                request=request,
                action="pensioner.viewed",
                pensioners=[self.pensioner],
                target=self.pensioner,
                note=_("edit form"),
            )
        form = PensionerForm(instance=self.pensioner, scope=request.scope)
        lines = BenefitLineFormSet(instance=self.pensioner or Pensioner(), prefix="lines")
        return self.render(form, lines)

    def post(self, request):
        form = PensionerForm(request.POST, instance=self.pensioner, scope=request.scope, actor=request.user)
        if self.pensioner is None:
            # The same page submitted again (double click, reload): show what the first one registered,
            # before validation would call its own ID number "already registered".
            done = form_submission_find(token=form.posted_token(), kind="pensioner")
            if done is not None:
                return self.already_done(done.object_id)
        lines = BenefitLineFormSet(request.POST, instance=self.pensioner or Pensioner(), prefix="lines")
        if not (form.is_valid() and lines.is_valid()):
            messages.error(request, _("Please correct the fields marked in red."))
            return self.render(form, lines, status=400)
        line_data = [
            BenefitLineData(
                scheme=line.cleaned_data["scheme"],
                first_benefit_date=line.cleaned_data["first_benefit_date"],
                monthly_amount=line.cleaned_data.get("monthly_amount"),
            )
            for line in lines.forms
            if line.cleaned_data and not line.cleaned_data.get("DELETE")
        ]
        if self.pensioner is None:
            try:
                pensioner = pensioner_create(
                    actor=request.user,
                    id_number=form.cleaned_data["id_number"],
                    details=form.details(),
                    benefit_lines=line_data,
                    form_token=form.cleaned_data.get("form_token"),
                )
            except AlreadySubmitted as repeat:
                return self.already_done(repeat.object_id)
            except AlreadyRegistered as taken:
                form.add_error("id_number", already_registered_message(taken.pensioner))
                return self.render(form, lines, status=400)
            messages.success(request, _("%(name)s was registered.") % {"name": pensioner.name})
        else:
            pensioner = pensioner_edit(
                actor=request.user, pensioner=self.pensioner, changes=form.details(), benefit_lines=line_data
            )
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": pensioner.name})
        return redirect("pensioner-card", pk=pensioner.pk)

    def already_done(self, pensioner_id: int):
        messages.info(self.request, _("This form was already submitted; here is the person it registered."))
        return redirect("pensioner-card", pk=pensioner_id)

    def render(self, form, lines, status=200):
        context = {"form": form, "lines": lines, "pensioner": self.pensioner}
        return render(self.request, self.template_name, context, status=status)
