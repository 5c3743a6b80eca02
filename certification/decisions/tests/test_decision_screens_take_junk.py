"""Junk and faults on the decision screens: junk query parameters, junk posts, a second click, a maker's
post sent by hand, and formats nobody offers. Each ends in a page or a message, never a 500, and changes
nothing it should not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from certification.decisions.services import stop_propose
from certification.models import ContactKind, ContactOutcome, DecisionBatch, PaymentDecision
from certification.queues.services import contact_attempt_record
from pensioners.models import CertificationState, PaymentStatus
from pensioners.tests.factories import make_pensioner
from portal.models import Role

CANDIDATES = "/certification/payments/candidates/"


@pytest.fixture
def candidate(staff):
    person = make_pensioner(name="候选人", certified_on=timezone.localdate() - timedelta(days=365 + 150))
    for kind in (ContactKind.PHONE_CALL, ContactKind.SMS):
        contact_attempt_record(
            pensioner=person, actor=staff["street"], kind=kind, outcome=ContactOutcome.NOT_REACHABLE
        )
    return person


@pytest.mark.parametrize(
    "query",
    [
        "overdue_days=abc",
        "overdue_days=-5",
        "overdue_days=99999999999999999999",
        "show=nonsense",
        "exclusion=drop table",
        "area=500105",
        "area='\"<script>",
        "abroad=maybe",
        "sort=nonexistent",
        "page=9999",
        "_export=json",
    ],
)
def test_junk_query_parameters_show_the_list(client_for, staff, candidate, query):
    response = client_for(staff["supervisor"]).get(f"{CANDIDATES}?{query}")
    assert response.status_code == 200


def test_a_proposal_with_junk_filters_or_a_300_character_name_says_why(client_for, staff, candidate):
    client = client_for(staff["street"])
    response = client.post(f"{CANDIDATES}propose/", {"name": "批" * 300, "query": ""}, follow=True)
    assert response.status_code == 200 and not DecisionBatch.objects.exists()
    response = client.post(
        f"{CANDIDATES}propose/", {"name": "第1批", "query": "overdue_days=abc"}, follow=True
    )
    assert response.status_code == 200 and not DecisionBatch.objects.exists()


def test_a_second_click_on_propose_makes_no_second_batch(client_for, staff, candidate):
    client = client_for(staff["street"])
    for _ in range(2):
        response = client.post(f"{CANDIDATES}propose/", {"name": "第1批", "query": ""}, follow=True)
        assert response.status_code == 200
    assert DecisionBatch.objects.count() == 1
    assert PaymentDecision.objects.filter(pensioner=candidate).count() == 1


def test_a_makers_hand_made_approval_is_refused_and_changes_nothing(client_for, staff, candidate):
    client = client_for(staff["supervisor"])
    client.post(f"{CANDIDATES}propose/", {"name": "第1批", "query": ""})
    batch = DecisionBatch.objects.get()
    response = client.post(
        f"/certification/payments/batches/{batch.pk}/decide/", {"decision": "approve"}, follow=True
    )
    assert response.status_code == 200
    assert "另一名审批人" in response.content.decode()
    assert CertificationState.objects.get(pensioner=candidate).status == PaymentStatus.ACTIVE
    batch.refresh_from_db()
    assert batch.status == "proposed"


def test_street_staff_cannot_decide_or_download(client_for, staff, candidate):
    batch = stop_propose(
        actor=staff["supervisor"],
        pensioner=candidate,
        reference="(2026)渝0103刑初1号",
        court_date=timezone.localdate(),
    )
    client = client_for(staff["street"])
    assert (
        client.post(
            f"/certification/payments/batches/{batch.pk}/decide/", {"decision": "approve"}
        ).status_code
        == 403
    )
    assert client.get(f"/certification/payments/batches/{batch.pk}/file.csv").status_code == 403


def test_a_double_approval_and_unknown_formats(client_for, staff, candidate, make_staff):
    checker = make_staff(Role.DISTRICT_SUPERVISOR, "500103", username="t_supervisor2")
    batch = stop_propose(
        actor=staff["supervisor"],
        pensioner=candidate,
        reference="(2026)渝0103刑初1号",
        court_date=timezone.localdate(),
    )
    client = client_for(checker)
    url = f"/certification/payments/batches/{batch.pk}/"
    assert client.get(f"{url}file.csv", follow=True).status_code == 200  # not approved yet: a message
    for _ in range(2):
        assert client.post(f"{url}decide/", {"decision": "approve"}, follow=True).status_code == 200
    assert PaymentDecision.objects.get(batch=batch).status == "approved"
    assert client.post(f"{url}decide/", {"decision": "explode"}, follow=True).status_code == 200
    assert client.get(f"{url}file.pdf").status_code == 404
    assert client.get(f"{url}file.csv?headers=<script>").status_code == 200


def test_an_extension_form_with_junk_answers_400_with_the_errors(client_for, staff):
    response = client_for(staff["supervisor"]).post(
        "/certification/payments/extensions/new/",
        {"area": "500105", "due_from": "2026-13-01", "due_until": "x", "days": "-3", "reason": ""},
    )
    assert response.status_code == 400
