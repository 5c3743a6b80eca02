"""Home-visit screens: planning list, request, schedule, cancel, the printable sheet, the visitor's phone
screen (one person at a time), and the standing list of people who always need home service."""

from __future__ import annotations

from datetime import date
from itertools import groupby

from django.contrib import messages
from django.db.models import Exists, F, OuterRef
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from certification.display import person_summary
from certification.models import HomeVisit, VisitTeam
from certification.recording.forms import HomeVisitForm
from certification.visits.filters import HomeVisitFilter
from certification.visits.forms import (
    CancelVisitForm,
    VisitOutcomeForm,
    VisitRequestForm,
    VisitScheduleForm,
    VisitTeamCreateForm,
    VisitTeamMembersForm,
    VisitTeamRenameForm,
    VisitTeamRetireForm,
)
from certification.visits.services import (
    home_visit_cancel,
    home_visit_certify,
    home_visit_close,
    home_visit_request,
    home_visit_schedule,
    visit_team_create,
    visit_team_rename,
    visit_team_retire,
    visit_team_set_members,
)
from certification.visits.tables import HomeVisitTable, StandingListTable
from pensioners.models import Pensioner
from pensioners.services import AlreadySubmitted, form_submission_find
from portal.audit import audit_read, audit_record
from portal.errors import Refused
from portal.middleware import accepts_uploads
from portal.roles import Capability
from portal.views_base import (
    ScopedListView,
    capability_required,
    redirect_back,
    require_capability,
)


class HomeVisitListView(ScopedListView):
    capability = Capability.PLAN_VISITS
    template_name = "certification/visits/visits.html"
    table_class = HomeVisitTable
    filterset_class = HomeVisitFilter
    export_name = "home-visits"
    export_action = "home_visits"

    def base_queryset(self):
        return HomeVisit.objects.select_related("pensioner__community", "team")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["schedule_form"] = VisitScheduleForm(scope=self.request.scope)
        context["teams"] = self.request.scope.restrict(VisitTeam.objects.all())
        context["today"] = timezone.localdate()
        return context


@capability_required(Capability.PLAN_VISITS)
def home_visit_schedule_view(request):
    if request.method != "POST":
        return redirect("home-visits")
    form = VisitScheduleForm(request.POST, scope=request.scope)
    selected = [int(pk) for pk in request.POST.getlist("select") if pk.isdigit()]
    visits = list(
        request.scope.restrict(HomeVisit.objects.filter(pk__in=selected)).select_related("pensioner")
    )
    if not selected:
        messages.error(request, _("Select at least one visit."))
    elif len(visits) != len(set(selected)):
        messages.error(
            request, _("Some of the selected visits are outside your area; nothing was scheduled.")
        )
    elif not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            count = home_visit_schedule(
                visits=visits,
                team=form.cleaned_data["team"],
                visit_date=form.cleaned_data["visit_date"],
                actor=request.user,
            )
        except Refused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("%(count)s visits were scheduled.") % {"count": count})
    return redirect_back(request, "home-visits")


def home_visit_request_view(request, pk: int):
    pensioner = request.scope.get_or_404(
        Pensioner.objects.select_related("community__parent", "state"), pk=pk
    )
    require_capability(request, Capability.PLAN_VISITS)
    form = VisitRequestForm(request.POST or None, initial={"requested_via": "staff"})
    if request.method == "POST" and form.is_valid():
        visit, created = home_visit_request(pensioner=pensioner, actor=request.user, **form.cleaned_data)
        if created:
            messages.success(
                request, _("A home visit was requested for %(name)s.") % {"name": pensioner.name}
            )
        else:
            messages.info(request, _("%(name)s is already waiting for a visit.") % {"name": pensioner.name})
        return redirect("home-visit", pk=visit.pk)
    context = {**person_summary(pensioner), "form": form}
    return render(
        request,
        "certification/visits/visit_request.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _visit_for(request, pk: int) -> HomeVisit:
    queryset = HomeVisit.objects.select_related(
        "pensioner__community__parent", "pensioner__state", "team", "certification"
    )
    return request.scope.get_or_404(queryset, pk=pk)


def home_visit_detail(request, pk: int):
    """The visitor's screen: one person, their address and phone, and the outcome buttons."""
    visit = _visit_for(request, pk)
    require_capability(request, Capability.DO_VISITS if request.scope.is_visitor else Capability.PLAN_VISITS)
    audit_read(
        request=request,
        action="pensioner.viewed",
        pensioners=[visit.pensioner],
        target=visit.pensioner,
        note=_("home visit %(number)s") % {"number": visit.pk},
    )
    context = {
        **person_summary(visit.pensioner),
        "visit": visit,
        "outcome_form": VisitOutcomeForm(),
        "cancel_form": CancelVisitForm(),
        "next_visit": _next_visit(request, visit),
        "can_plan": request.scope.can(Capability.PLAN_VISITS),
    }
    return render(request, "certification/visits/visit_detail.html", context)


def _next_visit(request, visit: HomeVisit):
    if not visit.team_id or not visit.scheduled_on:
        return None
    return (
        request.scope.restrict(HomeVisit.objects.open())
        .filter(team_id=visit.team_id, scheduled_on=visit.scheduled_on)
        .exclude(pk=visit.pk)
        .order_by("area_code", "pk")
        .first()
    )


def home_visit_outcome_view(request, pk: int):
    """Not at home, in hospital, moved, died, refused: recorded at the door."""
    visit = _visit_for(request, pk)
    require_capability(request, Capability.DO_VISITS)
    form = VisitOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            home_visit_close(
                visit=visit,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                revisit_on=form.cleaned_data["revisit_on"],
                died_on=form.cleaned_data["died_on"],
            )
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(
                request, _("The visit to %(name)s was recorded.") % {"name": visit.pensioner.name}
            )
            return redirect("my-visits")
    context = {
        **person_summary(visit.pensioner),
        "visit": visit,
        "outcome_form": form,
        "cancel_form": CancelVisitForm(),
        "next_visit": _next_visit(request, visit),
        "can_plan": request.scope.can(Capability.PLAN_VISITS),
    }
    return render(request, "certification/visits/visit_detail.html", context, status=400)


@accepts_uploads("EVIDENCE_PHOTO_MAX_BYTES")
def home_visit_certify_view(request, pk: int):
    """Certified at home: the home-visit certification form, tied to this visit."""
    visit = _visit_for(request, pk)
    require_capability(request, Capability.RECORD_HOME_VISIT)
    pensioner = visit.pensioner
    if request.method == "GET":
        audit_read(
            request=request,
            action="pensioner.viewed",
            pensioners=[pensioner],
            target=pensioner,
            note=_("home visit %(number)s") % {"number": visit.pk},
        )
    form = HomeVisitForm(
        request.POST or None,
        request.FILES or None,
        pensioner=pensioner,
        user=request.user,
        visit_request=visit,
        initial={"reason": visit.reason, "reason_note": visit.reason_note},
    )
    if request.method == "POST":
        # The same page sent twice (double click, a retry on a weak phone signal): the first one's result.
        done = form_submission_find(token=form.posted_token(), kind="certification")
        if done is not None:
            messages.info(
                request,
                _("This form was already submitted once; here is its receipt. Nothing new was recorded."),
            )
            return redirect("certification-receipt", pk=done.object_id)
    if request.method == "POST" and form.is_valid():
        if not visit.is_open:
            form.add_error(None, _("This visit is already closed."))
        else:
            try:
                certification = home_visit_certify(
                    visit=visit,
                    actor=request.user,
                    channel=form.channel,
                    certified_on=form.cleaned_data["certified_on"],
                    evidence=form.evidence(),
                    acting_office=request.user.area,
                    files=form.files_to_store(),
                    form_token=form.cleaned_data.get("form_token"),
                )
            except AlreadySubmitted as repeat:
                messages.info(
                    request,
                    _("This form was already submitted once; here is its receipt. Nothing new was recorded."),
                )
                return redirect("certification-receipt", pk=repeat.object_id)
            except Refused as refusal:
                refusal.add_to_form(form)
            else:
                messages.success(
                    request,
                    _("%(name)s is certified. Receipt number %(receipt)s.")
                    % {"name": pensioner.name, "receipt": certification.receipt_number},
                )
                return (
                    redirect("my-visits")
                    if request.scope.is_visitor
                    else redirect("certification-receipt", pk=certification.pk)
                )
    context = {
        **person_summary(pensioner),
        "form": form,
        "title": _("Home-visit certification"),
        "visit": visit,
    }
    return render(
        request,
        "certification/recording/record.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def home_visit_cancel_view(request, pk: int):
    visit = _visit_for(request, pk)
    require_capability(request, Capability.PLAN_VISITS)
    form = CancelVisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            home_visit_cancel(visit=visit, actor=request.user, reason=form.cleaned_data["reason"])
        except Refused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("The visit was cancelled."))
        return redirect("home-visits")
    return redirect("home-visit", pk=pk)


def _day_from(request) -> tuple[date, str]:
    """The ?date= of a day screen (today when absent), and a message when it is not a real date."""
    text = request.GET.get("date", "").strip()
    if not text:
        return timezone.localdate(), ""
    try:
        day = parse_date(text)
    except ValueError:  # well-formed but impossible, such as 2026-02-30
        day = None
    if day is None:
        return timezone.localdate(), _("%(text)s is not a real date; showing today.") % {"text": text[:20]}
    return day, ""


@capability_required(Capability.DO_VISITS)
def my_visits(request):
    """A visitor's list for a day (today by default), in the order of the sheet."""
    day, problem = _day_from(request)
    visits = list(
        request.scope.restrict(HomeVisit.objects.select_related("pensioner__community", "team"))
        .filter(scheduled_on=day)
        .order_by("area_code", "pk")
    )
    # Lists, not querysets: the audit below and the template read the same rows (one query each).
    upcoming = list(
        request.scope.restrict(HomeVisit.objects.open())
        .filter(scheduled_on__gt=day)
        .select_related("pensioner")
        .order_by("scheduled_on")[:20]
    )
    waiting = list(
        request.scope.restrict(HomeVisit.objects.open())
        .filter(scheduled_on__isnull=True)
        .select_related("pensioner")[:20]
    )
    shown = [visit.pensioner_id for visit in (*visits, *upcoming, *waiting)]
    audit_read(
        request=request,
        action="pensioners.listed",
        pensioners=shown,
        note=_("my visits, %(date)s") % {"date": day.isoformat()},
    )
    context = {"visits": visits, "day": day, "upcoming": upcoming, "waiting": waiting, "problem": problem}
    return render(request, "certification/visits/my_visits.html", context, status=400 if problem else 200)


@capability_required(Capability.DO_VISITS)
def visit_sheet(request):
    """The printable sheet of one team's visits for one day, grouped by community."""
    teams = request.scope.restrict(VisitTeam.objects.all())
    day, problem = _day_from(request)
    team_text = request.GET.get("team", "").strip()
    team = None
    if team_text.isdigit() and len(team_text) < 10:
        team = teams.filter(pk=int(team_text)).first()
    if team_text and team is None:
        problem = problem or _("There is no such team in your area; showing your first team.")
    team = team or teams.first()
    visits = []
    if team is not None:
        visits = list(
            request.scope.restrict(HomeVisit.objects.select_related("pensioner__community__parent"))
            .filter(team=team, scheduled_on=day)
            .order_by("area_code", "pk")
        )
    if visits:
        # The sheet carries full phone numbers and addresses out of the office: every view is logged.
        audit_record(
            actor=request.user,
            action="visit_sheet.viewed",
            area_code=team.street_id,
            after={
                "team": team.pk,
                "date": day,
                "visits": len(visits),
                "pensioners": sorted({visit.pensioner_id for visit in visits}),
            },
        )
    groups = [
        (community, list(items))
        for community, items in groupby(visits, key=lambda visit: visit.pensioner.community)
    ]
    context = {
        "team": team,
        "teams": teams,
        "day": day,
        "groups": groups,
        "count": len(visits),
        "problem": problem,
    }
    return render(request, "certification/visits/visit_sheet.html", context, status=400 if problem else 200)


class StandingListView(ScopedListView):
    """台账: everyone in the area who always needs home service, with their deadline."""

    capability = Capability.PLAN_VISITS
    template_name = "certification/visits/standing_list.html"
    table_class = StandingListTable
    export_name = "home-service-list"
    export_action = "standing_list"

    def base_queryset(self):
        return Pensioner.objects.filter(needs_home_service=True)

    def scoped_rows(self, scoped):
        open_visit = HomeVisit.objects.open().filter(pensioner=OuterRef("pk"))
        return scoped.select_related("community", "state").annotate(has_open_visit=Exists(open_visit))


# ---- the street's teams ----------------------------------------------------------------------------


@capability_required(Capability.MANAGE_TEAMS)
def visit_teams(request):
    """The teams of the user's area: create one; each links to its page (rename, members, retire)."""
    form = VisitTeamCreateForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        try:
            team = visit_team_create(
                actor=request.user,
                scope=request.scope,
                street=form.cleaned_data["street"],
                name=form.cleaned_data["name"],
            )
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("Team %(team)s is created. Add its members.") % {"team": team.name})
            return redirect("visit-team", pk=team.pk)
    teams = (
        request.scope.restrict(VisitTeam.objects.all())
        .select_related("street")
        .prefetch_related("members")
        .order_by(F("retired_at").asc(nulls_first=True), "street_id", "name")
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "certification/visits/teams.html", {"form": form, "teams": teams}, status=status)


def visit_team_detail(request, pk: int):
    team = request.scope.get_or_404(VisitTeam.objects.select_related("street"), pk=pk)
    require_capability(request, Capability.MANAGE_TEAMS)
    action = request.POST.get("action", "")
    rename_form = VisitTeamRenameForm(
        request.POST if action == "rename" else None, initial={"name": team.name}
    )
    members_form = VisitTeamMembersForm(
        request.POST if action == "members" else None, team=team, initial={"members": team.members.all()}
    )
    retire_form = VisitTeamRetireForm(request.POST if action == "retire" else None)
    forms_by_action = {"rename": rename_form, "members": members_form, "retire": retire_form}
    form = forms_by_action.get(action)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            if action == "rename":
                visit_team_rename(actor=request.user, team=team, name=form.cleaned_data["name"])
                messages.success(request, _("The team is renamed."))
            elif action == "members":
                visit_team_set_members(actor=request.user, team=team, members=form.cleaned_data["members"])
                messages.success(request, _("The team's members are saved."))
            else:
                visit_team_retire(actor=request.user, team=team, reason=form.cleaned_data["reason"])
                messages.success(request, _("Team %(team)s is retired.") % {"team": team.name})
                return redirect("visit-teams")
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            return redirect("visit-team", pk=team.pk)
    context = {
        "team": team,
        "rename_form": rename_form,
        "members_form": members_form,
        "retire_form": retire_form,
        "scheduled": team.visits.filter(status="scheduled").count(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "certification/visits/team_detail.html", context, status=status)
