"""The call sheet: my queue on paper, full phones for the worker they are assigned to, every view audited."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.models import AuditEvent


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


def give(person, worker):
    CertificationState.objects.filter(pensioner=person).update(assigned_to=worker)
    return person


@pytest.fixture
def people(staff, areas):
    worker = staff["community"]
    return {
        "mine": give(
            make_pensioner(
                name="我的甲", phone="13912345678", address="民生路1号", certified_on=date(2025, 10, 1)
            ),
            worker,
        ),
        "mine_due": give(
            make_pensioner(name="我的乙", phone="13700001111", certified_on=date(2025, 12, 10)), worker
        ),
        "colleague": give(
            make_pensioner(name="同事的", phone="13600002222", certified_on=date(2025, 10, 1)),
            staff["street"],
        ),
        "nobody": make_pensioner(name="未分派", phone="13500003333", certified_on=date(2025, 10, 1)),
        # Given to her by mistake in another community: outside her scope, never on her sheet.
        "outside": give(
            make_pensioner(
                name="外社区", phone="13400004444", community="500103003002", certified_on=date(2025, 10, 1)
            ),
            worker,
        ),
        "current": give(
            make_pensioner(name="未到期", phone="13300005555", certified_on=date(2026, 10, 1)), worker
        ),
    }


def test_the_sheet_lists_only_my_people_in_my_area_with_full_phones(client_for, staff, people):
    response = client_for(staff["community"]).get(reverse("call-sheet"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "我的甲" in body and "13912345678" in body and "民生路1号" in body
    assert "我的乙" in body and "13700001111" in body
    for name, phone in [
        ("同事的", "13600002222"),
        ("未分派", "13500003333"),
        ("外社区", "13400004444"),
        ("未到期", "13300005555"),
    ]:
        assert name not in body and phone not in body
    assert "逾期57天" in body  # deadline 2026-10-01


def test_every_view_of_the_sheet_is_audited_with_the_people_on_it(client_for, staff, people):
    client_for(staff["community"]).get(reverse("call-sheet"))
    event = AuditEvent.objects.get(action="call_sheet.viewed")
    assert event.actor == staff["community"]
    assert event.area_code == "500103003001"
    assert sorted(event.after["pensioners"]) == sorted([people["mine"].pk, people["mine_due"].pk])


def test_my_queue_itself_still_masks_phones_and_links_to_the_sheet(client_for, staff, people):
    body = client_for(staff["community"]).get(reverse("queue-mine")).content.decode()
    assert "139****5678" in body and "13912345678" not in body
    assert reverse("call-sheet") in body


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("call-sheet"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_home_visit_team_members_cannot_open_a_call_sheet(client_for, staff, people):
    assert client_for(staff["visit"]).get(reverse("call-sheet")).status_code == 403
    assert not AuditEvent.objects.filter(action="call_sheet.viewed").exists()
