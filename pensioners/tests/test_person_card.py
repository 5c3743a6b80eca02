from datetime import date

import pytest
import time_machine
from django.urls import reverse

from pensioners.tests.factories import make_pensioner
from portal.models import AuditEvent


@pytest.fixture
def ma(areas):
    return make_pensioner(
        name="马桂英",
        id_number="500103194702141029",
        born=date(1947, 2, 14),
        male=False,
        certified_on=date(2025, 5, 20),
    )


@time_machine.travel("2026-11-27 10:00 +0800")
def test_card_shows_identity_masked_contact_area_and_deadline(client_for, staff, ma):
    response = client_for(staff["street"]).get(reverse("pensioner-card", args=[ma.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "500103********1029" in body and "500103194702141029" not in body
    assert "13800001234" in body  # staff in scope see the phone on the card ...
    assert AuditEvent.objects.filter(
        action="pensioner.viewed", object_id=str(ma.pk)
    ).exists()  # ... and it is logged
    assert "解放碑街道" in body
    assert "2026年5月20日" in body  # deadline = 2025-05-20 + 365 days
    assert "已逾期" in body


def test_revealing_the_full_number_needs_a_reason(client_for, staff, ma):
    response = client_for(staff["street"]).post(reverse("pensioner-reveal", args=[ma.pk]), {"reason": ""})
    assert "500103194702141029" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="pensioner.revealed").exists()


def test_revealing_the_full_number_is_audited_with_its_reason(client_for, staff, ma):
    client = client_for(staff["street"])
    response = client.post(
        reverse("pensioner-reveal", args=[ma.pk]),
        {"reason": "窗口核对身份证"},
        HTTP_HX_REQUEST="true",
        REMOTE_ADDR="10.0.0.7",
    )
    assert "500103194702141029" in response.content.decode()
    event = AuditEvent.objects.get(action="pensioner.revealed")
    assert (event.actor, event.note, event.object_id, event.area_code) == (
        staff["street"],
        "窗口核对身份证",
        str(ma.pk),
        "500103003001",
    )
    assert event.client_address == "10.0.0.7"


def test_card_of_someone_out_of_scope_is_not_found(client_for, staff, ma):
    assert client_for(staff["other_street"]).get(reverse("pensioner-card", args=[ma.pk])).status_code == 404
    assert (
        client_for(staff["other_community"]).get(reverse("pensioner-card", args=[ma.pk])).status_code == 404
    )
