"""Queue screens: due soon, overdue, my queue; bulk assignment; contact attempts."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.display import person_summary
from certification.models import ContactOutcome
from certification.queues.filters import QueueFilter
from certification.queues.forms import AssignForm, ContactAttemptForm
from certification.queues.queries import (
    DUE_SOON_QUEUE,
    MY_QUEUE,
    OVERDUE_QUEUE,
    capped_total,
    due_bucket_counts,
    overdue_bucket_counts,
    queue_due_buckets,
    queue_rows,
)
from certification.queues.rules import AGING_BUCKETS
from certification.queues.services import contact_attempt_record, queue_assign
from certification.queues.tables import QueueTable
from certification.visits.services import home_visits_assign_team
from pensioners.filters import AreaDrillDown
from pensioners.models import CertificationState, Pensioner
from portal.audit import audit_read, audit_record
from portal.errors import Refused
from portal.roles import Capability
from portal.views_base import (
    ScopedListView,
    capability_required,
    redirect_back,
    require_capability,
    safe_next,
)

QUEUE_TITLES = {
    OVERDUE_QUEUE: gettext_lazy("Overdue"),
    DUE_SOON_QUEUE: gettext_lazy("Due soon"),
    MY_QUEUE: gettext_lazy("My queue"),
}


class QueueView(ScopedListView):
    capability = Capability.WORK_QUEUES
    queue = OVERDUE_QUEUE
    template_name = "certification/queues/queue.html"
    table_class = QueueTable
    filterset_class = QueueFilter
    export_action = "queue"

    @property
    def export_name(self):
        return f"queue-{self.queue}-{timezone.localdate():%Y%m%d}"

    def base_queryset(self):
        return CertificationState.objects.all()

    def scoped_rows(self, scoped):
        self.today = timezone.localdate()
        include_snoozed = self.request.GET.get("snoozed") == "1"
        rows = queue_rows(
            scoped, self.queue, self.today, user=self.request.user, include_snoozed=include_snoozed
        )
        # The page's people and their workers are fetched after the page is chosen (two small queries):
        # joined into the page query, a street's two thousand overdue people were each looked up in the
        # registry before the first fifty were kept (30 ms of a 100 ms budget).
        return rows.prefetch_related(
            Prefetch("pensioner", queryset=Pensioner.objects.select_related("community")), "assigned_to"
        )

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        table.queue = self.queue  # the row template words a few things differently on my queue
        return table

    def get_table_pagination(self, table):
        # The buckets split the filtered queue with no gap or overlap: their sum is the list's length.
        return {
            **super().get_table_pagination(table),
            "known_count": capped_total(self.bucket_counts.values()),
        }

    @cached_property
    def drill_down(self) -> AreaDrillDown:
        """The area chosen in the drill-down (the user's own by default), read once per request."""
        return AreaDrillDown(self.request.scope, self.request.GET.get("area", ""))

    @cached_property
    def bucket_counts(self) -> dict[str, int]:
        """People in each bucket of the summary, counted once for the summary and the pages."""
        # The rows are limited to the user's area and the drill-down's: name their district, if any.
        area = self.drill_down.chosen
        district = area.scope_prefix[:6] if area is not None and len(area.scope_prefix) >= 6 else ""
        if self.queue == OVERDUE_QUEUE:
            return overdue_bucket_counts(self.filterset.qs, self.today, district=district)
        return due_bucket_counts(self.filterset.qs, self.today, self.queue, district=district)

    def get_filterset_kwargs(self, filterset_class):
        return {
            **super().get_filterset_kwargs(filterset_class),
            "scope": self.request.scope,
            "queue": self.queue,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = self.bucket_counts
        if self.queue == OVERDUE_QUEUE:
            buckets = [(code, label, counts[code]) for code, label, _first, _last in AGING_BUCKETS]
        else:
            buckets = [(code, label, counts[code]) for code, label, _f, _l in queue_due_buckets(self.queue)]
        total = capped_total(counts.values())
        drill_down = self.drill_down
        context.update(
            queue=self.queue,
            title=QUEUE_TITLES[self.queue],
            buckets=buckets,
            total=total,
            drill_down=drill_down,
            assign_form=AssignForm(scope=self.request.scope, holding=drill_down.chosen)
            if self.request.scope.can(Capability.ASSIGN_WORK)
            else None,
            include_snoozed=self.request.GET.get("snoozed") == "1",
        )
        return context


class OverdueQueueView(QueueView):
    queue = OVERDUE_QUEUE


class DueSoonQueueView(QueueView):
    queue = DUE_SOON_QUEUE


class MyQueueView(QueueView):
    queue = MY_QUEUE


@capability_required(Capability.ASSIGN_WORK)
def queue_assign_view(request):
    """Bulk assignment from a queue page: to a worker, or to a home-visit team (as visit requests)."""
    if request.method != "POST":
        return redirect("queue-overdue")
    form = AssignForm(request.POST, scope=request.scope)
    # Row keys only; junk (letters, numbers too big for a key) is not a person and is ignored.
    selected = [int(pk) for pk in request.POST.getlist("selected") if pk.isdigit() and len(pk) <= 15]
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect_back(request, "queue-overdue")
    if not selected:
        messages.error(request, _("Select at least one person."))
        return redirect_back(request, "queue-overdue")
    try:
        worker, team = form.chosen_target()
        if team is not None:
            count = home_visits_assign_team(
                actor=request.user, scope=request.scope, pensioner_ids=selected, team=team
            )
            messages.success(
                request,
                _("%(count)s people were given to %(team)s as visit requests.")
                % {"count": count, "team": team},
            )
        else:
            count = queue_assign(
                actor=request.user, scope=request.scope, pensioner_ids=selected, assignee=worker
            )
            who = worker or _("nobody")
            messages.success(
                request, _("%(count)s people were assigned to %(who)s.") % {"count": count, "who": who}
            )
    except Refused as refusal:
        for problem in refusal.problems:
            messages.error(request, problem)
    return redirect_back(request, "queue-overdue")


def contact_attempt_view(request, pk: int):
    """Log a contact attempt for a person in scope (from a queue row or the person card)."""
    pensioner = request.scope.get_or_404(
        Pensioner.objects.select_related("community__parent", "state"), pk=pk
    )
    require_capability(request, Capability.WORK_QUEUES)
    if request.method == "GET":  # the form shows the person's phones
        audit_read(
            request=request,
            action="pensioner.viewed",
            pensioners=[pensioner],
            target=pensioner,
            note=_("contact form"),
        )
    form = ContactAttemptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact_attempt_record(pensioner=pensioner, actor=request.user, **form.service_arguments())
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(
                request, _("The contact attempt for %(name)s was logged.") % {"name": pensioner.name}
            )
            return redirect_back(request, "queue-overdue")
    context = {**person_summary(pensioner), "form": form, "next": safe_next(request)}
    return render(
        request,
        "certification/queues/contact_attempt.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


CALL_SHEET_LIMIT = 200


@capability_required(Capability.WORK_QUEUES)
def call_sheet(request):
    """My queue as a printable call list: full phones and addresses of the people assigned to me in my
    area, with a blank column for the outcome. It takes personal data off the screen, so every view is
    audited, naming the people on it."""
    today = timezone.localdate()
    base = request.scope.restrict(CertificationState.objects.all())
    rows = (
        queue_rows(base, MY_QUEUE, today, user=request.user)
        .select_related("pensioner__community")
        .order_by("next_due_on", "pensioner_id")
    )
    total = rows.count()
    people = []
    for state in rows[:CALL_SHEET_LIMIT]:
        days = (state.next_due_on - today).days
        contact = state.last_contact_outcome
        people.append(
            {
                "person": state.pensioner,
                "deadline": state.next_due_on,
                "days": days,
                "days_label": (_("%(days)s overdue") % {"days": -days})
                if days < 0
                else (_("%(days)s left") % {"days": days}),
                "contact": ContactOutcome(contact).label if contact in ContactOutcome.values else "",
                "contact_on": state.last_contact_on,
            }
        )
    audit_record(
        actor=request.user,
        action="call_sheet.viewed",
        area_code=request.scope.area.code,
        after={
            "date": today,
            "people": len(people),
            "pensioners": [row["person"].pk for row in people],
        },
    )
    context = {"rows": people, "total": total, "shown": len(people), "today": today}
    return render(request, "certification/queues/call_sheet.html", context)
