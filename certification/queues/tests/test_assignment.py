from datetime import date

import pytest
from django.urls import reverse

from certification.models import HomeVisit, VisitTeam
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner


@pytest.fixture
def overdue_people(areas):
    return [make_pensioner(name=f"逾期{i}", certified_on=date(2025, 1, 10)) for i in range(3)]


def test_street_staff_assign_people_in_bulk_to_a_community_worker(client_for, staff, overdue_people):
    client = client_for(staff["street"])
    response = client.post(
        reverse("queue-assign"),
        {
            "target": f"user:{staff['community'].pk}",
            "selected": [p.pk for p in overdue_people[:2]],
            "next": "/certification/overdue/",
        },
    )
    assert response.status_code == 302
    assert set(
        CertificationState.objects.filter(assigned_to=staff["community"]).values_list(
            "pensioner_id", flat=True
        )
    ) == {p.pk for p in overdue_people[:2]}
    mine = client_for(staff["community"]).get(reverse("queue-mine"))
    assert {row.record.pensioner.name for row in mine.context["table"].page.object_list} == {"逾期0", "逾期1"}


def test_assigning_someone_outside_the_area_is_refused_and_nothing_is_saved(
    client_for, staff, overdue_people
):
    elsewhere = make_pensioner(name="江北", community="500105001001", certified_on=date(2025, 1, 10))
    client = client_for(staff["street"])
    response = client.post(
        reverse("queue-assign"),
        {"target": f"user:{staff['community'].pk}", "selected": [overdue_people[0].pk, elsewhere.pk]},
        follow=True,
    )
    assert "未做任何分派" in response.content.decode()
    assert not CertificationState.objects.filter(assigned_to__isnull=False).exists()


def test_a_worker_outside_the_area_cannot_be_chosen(client_for, staff, overdue_people):
    response = client_for(staff["street"]).post(
        reverse("queue-assign"),
        {"target": f"user:{staff['other_street'].pk}", "selected": [overdue_people[0].pk]},
        follow=True,
    )
    assert "error" in response.content.decode() or "alert-danger" in response.content.decode()
    assert not CertificationState.objects.filter(assigned_to__isnull=False).exists()


def test_assigning_to_a_home_visit_team_puts_visit_requests_on_its_list(
    client_for, staff, overdue_people, areas
):
    team = VisitTeam.objects.create(name="一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    client_for(staff["street"]).post(
        reverse("queue-assign"), {"target": f"team:{team.pk}", "selected": [p.pk for p in overdue_people]}
    )
    assert HomeVisit.objects.filter(team=team, status="requested").count() == 3
    waiting = client_for(staff["visit"]).get(reverse("my-visits")).content.decode()
    assert "逾期0" in waiting


def test_community_workers_cannot_assign(client_for, staff, overdue_people):
    response = client_for(staff["community"]).post(
        reverse("queue-assign"), {"target": "nobody", "selected": [overdue_people[0].pk]}
    )
    assert response.status_code == 403
