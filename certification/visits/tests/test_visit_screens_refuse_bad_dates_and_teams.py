"""The visitor's list and the visit sheet answer impossible dates and teams with a message, never a 500."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from certification.models import VisitTeam
from certification.visits.services import home_visit_request, home_visit_schedule
from pensioners.tests.factories import make_pensioner


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-30 10:00 +0800", tick=False):
        yield


@pytest.fixture
def team(areas, staff):
    team = VisitTeam.objects.create(name="解放碑一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    person = make_pensioner(name="刘奶奶", certified_on=date(2025, 10, 1))
    visit, _created = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="hotline", reason="age"
    )
    home_visit_schedule(visits=[visit], team=team, visit_date=date(2026, 11, 30), actor=staff["street"])
    return team


@pytest.mark.parametrize("text", ["2026-02-30", "9999-99-99", "2026-13-01", "abc", "2026-02-30x"])
def test_the_visitors_list_answers_an_impossible_date_with_a_message(client_for, staff, team, text):
    response = client_for(staff["visit"]).get(reverse("my-visits"), {"date": text})
    assert response.status_code == 400
    assert response.context["problem"]
    assert response.context["day"] == date(2026, 11, 30)
    assert "刘奶奶" in response.content.decode()  # today's list, under the message


@pytest.mark.parametrize(
    "query",
    [
        {"team": "abc"},
        {"team": "1.5"},
        {"team": "-1"},
        {"team": "99999999999999999999"},
        {"date": "2026-02-30"},
    ],
)
def test_the_visit_sheet_answers_a_bad_team_or_date_with_a_message(client_for, staff, team, query):
    response = client_for(staff["visit"]).get(reverse("visit-sheet"), query)
    assert response.status_code == 400
    assert response.context["problem"]
    assert response.context["team"] == team


def test_a_good_date_and_team_still_answer_200(client_for, staff, team):
    client = client_for(staff["visit"])
    assert client.get(reverse("my-visits"), {"date": "2026-11-30"}).status_code == 200
    sheet = client.get(reverse("visit-sheet"), {"team": str(team.pk), "date": "2026-11-30"})
    assert sheet.status_code == 200 and "刘奶奶" in sheet.content.decode()
