"""What each role sees first: their queues, today's visits, pending decisions, the jobs' health."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import (
    ChannelRecord,
    DeathCase,
    DeathCaseStatus,
    DecisionBatch,
    DecisionStatus,
    HomeVisit,
    JobRun,
    ReportSnapshot,
)
from certification.queues.queries import DUE_SOON_QUEUE, MY_QUEUE, queue_rows
from certification.reminders.views import plan_is_stale
from pensioners.models import CertificationState
from portal.counting import capped_count
from portal.models import ImportJob
from portal.roles import Capability


def _stat(label, value, url, icon, order, css="", query="", note=""):
    return {
        "template": "portal/includes/_stat_panel.html",
        "label": label,
        "value": value,
        "url": url,
        "query": query,
        "icon": icon,
        "order": order,
        "css": css,
        "note": note,
    }


def _queue_figures(scope, base, today):
    """(overdue, due soon, as of): the city's and a district's from their report snapshot, which the
    coverage report shows too; a street's or community's counted now, up to the list cap ("10,000+")."""
    if figures := ReportSnapshot.objects.figures_for(scope.area):
        values, computed_at = figures
        return values["overdue"], values["due_soon"], computed_at
    overdue = capped_count(base.overdue(today))
    return overdue, capped_count(queue_rows(base, DUE_SOON_QUEUE, today)), None


def panels(request) -> list[dict]:
    scope = request.scope
    today = timezone.localdate()
    found = []
    if scope.can(Capability.WORK_QUEUES):
        base = scope.restrict(CertificationState.objects.all())
        overdue, due_soon, as_of = _queue_figures(scope, base, today)
        as_of_note = (
            _("As of %(when)s.") % {"when": timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M")}
            if as_of
            else ""
        )
        # The report's definition, from the same verb: people hidden from the queue for now are still
        # overdue, so the link opens the queue with them shown.
        found.append(
            _stat(
                _("Overdue"),
                overdue,
                "queue-overdue",
                "bi-alarm",
                20,
                "text-danger",
                query="?snoozed=1",
                note=_(
                    "Overdue: paid, no death reported, and the deadline has passed; people hidden from"
                    " the queue for now are included."
                )
                + (" " + as_of_note if as_of_note else ""),
            )
        )
        found.append(
            _stat(
                _("Due in the next 30 days"),
                due_soon,
                "queue-due-soon",
                "bi-hourglass-split",
                30,
                "text-warning",
                query="?snoozed=1" if as_of else "",
                note=as_of_note,
            )
        )
        mine = capped_count(queue_rows(base, MY_QUEUE, today, user=request.user))
        if mine:
            found.append(_stat(_("Assigned to me"), mine, "queue-mine", "bi-person-lines-fill", 35))
    if scope.can(Capability.DO_VISITS):
        visits = scope.restrict(HomeVisit.objects.open()).filter(scheduled_on=today).count()
        found.append(
            _stat(
                _("Home visits today"),
                visits,
                "my-visits",
                "bi-signpost-split",
                15 if scope.is_visitor else 40,
            )
        )
    if scope.can(Capability.DECIDE):
        pending = capped_count(scope.restrict(DeathCase.objects.filter(status=DeathCaseStatus.OPEN)))
        found.append(
            _stat(
                _("Death reports waiting"),
                pending,
                "death-cases",
                "bi-exclamation-octagon",
                45,
                "text-danger" if pending else "",
            )
        )
    if scope.can(Capability.DECIDE):
        waiting = scope.restrict(DecisionBatch.objects.filter(status=DecisionStatus.PROPOSED)).exclude(
            proposed_by=request.user
        )
        count = waiting.count()
        found.append(
            _stat(
                _("Decisions waiting for your approval"),
                count,
                "decision-batches",
                "bi-cash-coin",
                46,
                "text-danger" if count else "",
                query="?status=proposed",
            )
        )
    if scope.can(Capability.REVIEW_ABROAD):
        waiting_reviews = scope.restrict(ChannelRecord.objects.waiting_for_review()).count()
        if waiting_reviews:
            found.append(
                _stat(
                    _("Reviews from abroad waiting"),
                    waiting_reviews,
                    "channel-reviews",
                    "bi-globe-asia-australia",
                    47,
                )
            )
    if scope.can(Capability.VIEW_JOBS):
        found.append(
            {
                "template": "certification/reminders/_jobs_panel.html",
                "order": 90,
                "last_plan": JobRun.objects.filter(kind="plan").order_by("-started_at").first(),
                "last_dispatch": JobRun.objects.filter(kind="dispatch").order_by("-started_at").first(),
                "stale": plan_is_stale(),
                "stale_hours": settings.REMINDER_RUN_STALE_HOURS,
                "last_imports": list(scope.restrict(ImportJob.objects.order_by("-created_at"))[:3]),
                "recent": timezone.now() - timedelta(hours=settings.REMINDER_RUN_STALE_HOURS),
            }
        )
    return found
