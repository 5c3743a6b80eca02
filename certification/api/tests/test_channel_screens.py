"""The channel API's staff screens: who may open them, the token shown once, refusals as messages (never
a 500), the review queue in the clerk's area, and a review decided once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from certification.api.models import ChannelClient, ChannelRecord, ReviewStatus
from certification.api.services import channel_client_create, channel_records_report
from certification.decisions.services import death_case_open
from certification.models import Certification
from pensioners.tests.factories import make_pensioner
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def waiting_review(community="500103003001", name="海外人"):
    today = timezone.localdate()
    person = make_pensioner(name=name, community=community, certified_on=today - timedelta(days=400))
    gateway = (
        ChannelClient.objects.filter(name="领事网关").first()
        or channel_client_create(actor=None, name="领事网关", channels=["abroad_app"], scopes=[])[0]
    )
    channel_records_report(
        client=gateway,
        records=[
            {
                "reference": f"LS-{person.pk}",
                "id_number": person.id_number,
                "name": person.name,
                "channel": "abroad_app",
                "certified_on": (today - timedelta(days=2)).isoformat(),
            }
        ],
    )
    return person, ChannelRecord.objects.get(pensioner=person)


@pytest.mark.parametrize("role", ["supervisor", "street", "community", "visit"])
def test_only_the_city_administrator_manages_clients(client_for, staff, role):
    assert client_for(staff[role]).get("/certification/channels/clients/").status_code == 403
    assert client_for(staff[role]).get("/certification/channels/clients/new/").status_code == 403


def test_the_token_is_shown_once_after_registering(client_for, staff):
    admin = client_for(staff["admin"])
    response = admin.post(
        "/certification/channels/clients/new/",
        {"name": "渝快办", "channels": ["other_app"], "may_read_status": "on"},
    )
    client = ChannelClient.objects.get(name="渝快办")
    assert response.status_code == 302 and client.scopes == ["status"]
    first = admin.get(response["Location"]).content.decode()
    assert 'data-testid="token-value"' in first and client.token_hint in first
    assert 'data-testid="token-value"' not in admin.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="channel_client.created", object_id=str(client.pk)).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "channels": ["app_self"]},
        {"name": "x", "channels": []},
        {"name": "x", "channels": ["counter"]},
        {"name": "=HYPERLINK(1)" * 30, "channels": ["app_self"]},
    ],
)
def test_a_bad_client_form_is_answered_on_the_form(client_for, staff, data):
    response = client_for(staff["admin"]).post("/certification/channels/clients/new/", data)
    assert response.status_code == 400 and not ChannelClient.objects.exists()


def test_a_duplicate_name_revoke_without_reason_and_junk_actions_are_messages(client_for, staff):
    channel_client_create(actor=None, name="甲", channels=["app_self"], scopes=[])
    client, _token = channel_client_create(actor=None, name="乙", channels=["app_self"], scopes=[])
    admin = client_for(staff["admin"])
    url = f"/certification/channels/clients/{client.pk}/"
    assert admin.post(url, {"action": "edit", "name": "甲", "channels": ["app_self"]}).status_code == 400
    assert admin.post(url, {"action": "revoke", "reason": "  "}).status_code == 400
    assert admin.post(url, {"action": "drop tables"}).status_code == 400
    assert admin.get(url + "?status=%27&reference=%00").status_code == 200
    client.refresh_from_db()
    assert client.name == "乙" and client.revoked_at is None


def test_the_review_queue_shows_the_clerks_area_only(client_for, staff):
    mine, _record = waiting_review()
    theirs, elsewhere = waiting_review(community="500105001001", name="江北海外")
    page = client_for(staff["street"]).get("/certification/channels/reviews/").content.decode()
    assert mine.name in page and theirs.name not in page
    assert (
        client_for(staff["street"]).get(f"/certification/channels/reviews/{elsewhere.pk}/").status_code == 404
    )
    assert client_for(staff["community"]).get("/certification/channels/reviews/").status_code == 403


def test_a_review_is_decided_once(client_for, staff, make_staff):
    person, record = waiting_review()
    url = f"/certification/channels/reviews/{record.pk}/"
    assert client_for(staff["street"]).post(url, {"decision": "accept"}).status_code == 302
    second = client_for(staff["supervisor"]).post(url, {"decision": "reject", "reason": "晚了"})
    assert second.status_code == 400 and "已审核" in second.content.decode()
    assert Certification.objects.filter(pensioner=person).count() == 1
    record.refresh_from_db()
    assert record.review_status == ReviewStatus.ACCEPTED and record.reviewed_by == staff["street"]
    certification = Certification.objects.get(pensioner=person)
    assert certification.evidence["review_decision"] == "accepted" and certification.evidence["reviewer"]


def test_a_death_case_opened_while_waiting_stops_the_acceptance(client_for, staff):
    person, record = waiting_review()
    death_case_open(pensioner=person, origin="contact", actor=staff["street"])
    response = client_for(staff["street"]).post(
        f"/certification/channels/reviews/{record.pk}/", {"decision": "accept"}
    )
    assert response.status_code == 400 and "死亡" in response.content.decode()
    assert not Certification.objects.filter(pensioner=person).exists()


def test_a_rejected_review_needs_a_reason_and_certifies_nothing(client_for, staff):
    person, record = waiting_review()
    url = f"/certification/channels/reviews/{record.pk}/"
    assert client_for(staff["street"]).post(url, {"decision": "reject", "reason": ""}).status_code == 400
    assert (
        client_for(staff["street"]).post(url, {"decision": "reject", "reason": "非本人"}).status_code == 302
    )
    record.refresh_from_db()
    assert record.review_status == ReviewStatus.REJECTED and record.review_reason == "非本人"
    assert not Certification.objects.filter(pensioner=person).exists()
    assert AuditEvent.objects.filter(action="channel_review.rejected", after__pensioners=[person.pk]).exists()


def test_the_card_says_a_certification_from_abroad_waits_and_links_the_review(client_for, staff):
    person, record = waiting_review()
    card = client_for(staff["street"]).get(f"/pensioners/{person.pk}/").content.decode()
    assert 'data-testid="waiting-review"' in card and f"/certification/channels/reviews/{record.pk}/" in card
    client_for(staff["street"]).post(f"/certification/channels/reviews/{record.pk}/", {"decision": "accept"})
    card = client_for(staff["street"]).get(f"/pensioners/{person.pk}/").content.decode()
    assert 'data-testid="waiting-review"' not in card


def test_the_registration_page_sent_twice_registers_once_and_shows_the_token(client_for, staff):
    admin = client_for(staff["admin"])
    page = admin.get("/certification/channels/clients/new/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {"name": "掌上12333", "channels": ["other_app"], "form_token": token}
    first = admin.post("/certification/channels/clients/new/", data)
    second = admin.post("/certification/channels/clients/new/", data)
    client = ChannelClient.objects.get()
    assert first["Location"] == second["Location"] == f"/certification/channels/clients/{client.pk}/"
    assert 'data-testid="token-value"' in admin.get(second["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="channel_client.created").count() == 1
