"""The planning page: one team/date pair, readable empty options, the address, and ticked rows scheduled."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from certification.models import HomeVisit, VisitTeam
from certification.visits.services import home_visit_request
from pensioners.tests.factories import make_pensioner


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-30 10:00 +0800", tick=False):
        yield


@pytest.fixture
def team(areas, staff):
    team = VisitTeam.objects.create(name="解放碑一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    return team


@pytest.fixture
def requests(staff):
    made = []
    for number, name in enumerate(["刘奶奶", "陈大爷"]):
        person = make_pensioner(
            name=name, address=f"重庆市渝中区民生路{number + 8}号", born=date(1940, 1, number + 1)
        )
        visit, _created = home_visit_request(
            pensioner=person, actor=staff["street"], requested_via="hotline", reason="age"
        )
        made.append(visit)
    return made


def test_the_page_has_one_team_and_date_pair_readable_options_and_the_address(
    client_for, staff, team, requests
):
    page = client_for(staff["street"]).get(reverse("home-visits")).content.decode()
    assert page.count('name="team"') == 1
    assert page.count('type="date"') == 1
    assert "---------" not in page
    assert "重庆市渝中区民生路8号" in page and "重庆市渝中区民生路9号" in page
    assert page.count('name="select"') == 2
    assert 'data-select-all="input[name=select][form=schedule-form]"' in page


def test_the_ticked_rows_are_scheduled(client_for, staff, team, requests):
    response = client_for(staff["street"]).post(
        reverse("home-visits-schedule"),
        {"select": [str(visit.pk) for visit in requests], "team": team.pk, "visit_date": "2026-12-02"},
    )
    assert response.status_code == 302
    assert set(HomeVisit.objects.values_list("status", "team_id", "scheduled_on")) == {
        ("scheduled", team.pk, date(2026, 12, 2))
    }
