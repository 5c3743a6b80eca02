"""Home visits from request to outcome, the visitor's scope, the sheet and the standing list."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.models import Certification, DeathCase, HomeVisit, VisitTeam
from certification.tests.helpers import JPEG
from certification.visits.services import home_visit_request, home_visit_schedule
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.errors import Refused
from portal.models import AuditEvent

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


@pytest.fixture
def team(areas, staff):
    team = VisitTeam.objects.create(name="解放碑一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    return team


@pytest.fixture
def visit(staff, team):
    person = make_pensioner(
        name="刘奶奶",
        male=False,
        certified_on=date(2025, 10, 1),
        address="民生路8号",
        needs_home_service=True,
    )
    visit, _ = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="hotline", reason="illness"
    )
    home_visit_schedule(visits=[visit], team=team, visit_date=TODAY, actor=staff["street"])
    return visit


def test_a_visit_goes_from_requested_to_scheduled(visit, team):
    visit.refresh_from_db()
    assert (visit.status, visit.team, visit.scheduled_on) == ("scheduled", team, TODAY)


def test_a_visit_cannot_be_scheduled_in_the_past(staff, team, areas):
    person = make_pensioner()
    request, _ = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="family", reason="age"
    )
    with pytest.raises(Refused):
        home_visit_schedule(
            visits=[request], team=team, visit_date=TODAY - timedelta(days=1), actor=staff["street"]
        )


def test_a_team_only_visits_its_own_street(staff, team, areas):
    person = make_pensioner(community="500103001001")
    request, _ = home_visit_request(
        pensioner=person, actor=staff["supervisor"], requested_via="family", reason="age"
    )
    with pytest.raises(Refused):
        home_visit_schedule(visits=[request], team=team, visit_date=TODAY, actor=staff["supervisor"])


def test_the_visitor_sees_the_days_visits_and_only_those(client_for, staff, visit):
    make_pensioner(name="别人")  # in the street, but not on the team's list
    client = client_for(staff["visit"])
    body = client.get(reverse("my-visits")).content.decode()
    assert "刘奶奶" in body
    assert client.get(reverse("home-visit", args=[visit.pk])).status_code == 200
    assert client.get(reverse("pensioner-search"), {"q": "别人"}).context["match_count"] == 0


def test_not_at_home_schedules_a_revisit_for_the_same_team(client_for, staff, visit, team):
    response = client_for(staff["visit"]).post(
        reverse("home-visit-outcome", args=[visit.pk]), {"outcome": "not_home", "revisit_on": "2026-12-01"}
    )
    assert response.status_code == 302
    revisit = HomeVisit.objects.exclude(pk=visit.pk).get()
    assert (revisit.revisit_of_id, revisit.team, revisit.scheduled_on, revisit.status) == (
        visit.pk,
        team,
        date(2026, 12, 1),
        "scheduled",
    )


def test_an_outcome_without_its_required_fields_is_refused(client_for, staff, visit):
    client = client_for(staff["visit"])
    assert (
        client.post(reverse("home-visit-outcome", args=[visit.pk]), {"outcome": "not_home"}).status_code
        == 400
    )
    assert (
        client.post(reverse("home-visit-outcome", args=[visit.pk]), {"outcome": "moved"}).status_code == 400
    )
    visit.refresh_from_db()
    assert visit.is_open


def test_died_opens_a_death_case(client_for, staff, visit):
    client_for(staff["visit"]).post(
        reverse("home-visit-outcome", args=[visit.pk]),
        {"outcome": "died", "note": "家属说上周去世", "died_on": "2026-11-20"},
    )
    case = DeathCase.objects.get()
    assert (case.origin, case.reported_death_date) == ("visit", date(2026, 11, 20))


def test_certified_at_home_records_a_home_visit_certification_and_closes_the_visit(client_for, staff, visit):
    response = client_for(staff["visit"]).post(
        reverse("home-visit-certify", args=[visit.pk]),
        {
            "certified_on": "2026-11-27",
            "visitors": [staff["visit"].pk],
            "address_visited": "民生路8号",
            "signer": "本人",
            "reason": "illness",
            "photo": SimpleUploadedFile("sign.jpg", JPEG, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    certification = Certification.objects.get()
    assert (visit.status, visit.outcome, visit.certification) == ("visited", "certified", certification)
    assert certification.evidence["visit_request"] == visit.pk
    assert CertificationState.objects.get(pensioner=visit.pensioner).next_due_on == date(2027, 11, 27)


def test_cancelling_needs_a_reason(client_for, staff, visit):
    client_for(staff["street"]).post(reverse("home-visit-cancel", args=[visit.pk]), {"reason": ""})
    visit.refresh_from_db()
    assert visit.is_open


def test_the_visit_sheet_groups_by_community_and_is_logged(client_for, staff, visit, team):
    other = make_pensioner(name="张大爷", community="500103003002", certified_on=date(2025, 10, 1))
    second, _ = home_visit_request(
        pensioner=other, actor=staff["street"], requested_via="family", reason="age"
    )
    home_visit_schedule(visits=[second], team=team, visit_date=TODAY, actor=staff["street"])
    response = client_for(staff["visit"]).get(reverse("visit-sheet"), {"team": team.pk, "date": "2026-11-27"})
    groups = response.context["groups"]
    assert [[v.pensioner.name for v in visits] for _community, visits in groups] == [["刘奶奶"], ["张大爷"]]
    assert AuditEvent.objects.filter(action="visit_sheet.viewed").exists()


def test_the_standing_list_holds_everyone_who_needs_home_service(client_for, staff, visit):
    make_pensioner(name="不需要")
    body = client_for(staff["street"]).get(reverse("home-service-list")).content.decode()
    assert "刘奶奶" in body and "不需要" not in body


def test_scheduling_never_sends_anyone_to_another_site(client_for, staff, visit, team):
    response = client_for(staff["street"]).post(
        reverse("home-visits-schedule"),
        {
            "selected": [visit.pk],
            "team": team.pk,
            "visit_date": "2026-11-30",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("home-visits")
