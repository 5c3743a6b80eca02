"""Each role's dashboard shows its own work: queues, visits, pending decisions, job health."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.decisions.services import death_case_open
from certification.models import VisitTeam
from certification.visits.services import home_visit_request, home_visit_schedule
from pensioners.tests.factories import make_pensioner


@pytest.fixture
def work(areas, staff):
    make_pensioner(name="逾期", certified_on=date(2025, 1, 1))
    person = make_pensioner(name="上门", certified_on=date(2025, 1, 1))
    team = VisitTeam.objects.create(name="一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    visit, _ = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="hotline", reason="age"
    )
    home_visit_schedule(visits=[visit], team=team, visit_date=timezone.localdate(), actor=staff["street"])
    death_case_open(pensioner=make_pensioner(name="报死亡"), origin="contact", actor=staff["street"])


def panels(client, user):
    client.force_login(user)
    return {panel.get("url"): panel for panel in client.get(reverse("dashboard")).context["panels"]}


def test_street_staff_see_their_queue_counts(client, staff, work):
    found = panels(client, staff["street"])
    assert found["queue-overdue"]["value"] == 2
    assert found["pensioner-search"]["value"] == 3


def test_the_visitor_sees_todays_visits(client, staff, work):
    found = panels(client, staff["visit"])
    assert found["my-visits"]["value"] == 1
    assert "queue-overdue" not in found


def test_the_supervisor_sees_pending_death_reports_and_the_jobs(client, staff, work):
    client.force_login(staff["supervisor"])
    response = client.get(reverse("dashboard"))
    found = {panel.get("url"): panel for panel in response.context["panels"]}
    assert found["death-cases"]["value"] == 1
    assert 'data-testid="dashboard-plan-stale"' in response.content.decode()  # no planning run yet
