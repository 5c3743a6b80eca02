from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from certification.models import ContactAttempt, DeathCase, HomeVisit
from certification.queues.services import contact_attempt_record
from pensioners.models import CertificationState, Pensioner
from pensioners.tests.factories import make_pensioner
from portal.errors import Refused

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


@pytest.fixture
def overdue(areas):
    return make_pensioner(name="逾期人", certified_on=date(2025, 6, 1))


def test_every_attempt_is_logged_with_kind_outcome_and_who(staff, overdue):
    contact_attempt_record(
        pensioner=overdue, actor=staff["street"], kind="phone_call", outcome="not_reachable", note="无人接听"
    )
    attempt = ContactAttempt.objects.get()
    assert (attempt.kind, attempt.outcome, attempt.made_by, attempt.note) == (
        "phone_call",
        "not_reachable",
        staff["street"],
        "无人接听",
    )
    state = CertificationState.objects.get(pensioner=overdue)
    assert (state.last_contact_outcome, state.last_contact_on) == ("not_reachable", TODAY)


def test_wrong_number_flags_the_phone(staff, overdue):
    contact_attempt_record(
        pensioner=overdue, actor=staff["street"], kind="phone_call", outcome="wrong_number"
    )
    assert Pensioner.objects.get(pk=overdue.pk).phone_known_wrong


def test_reported_dead_opens_a_death_case_and_leaves_the_queues(staff, overdue):
    contact_attempt_record(
        pensioner=overdue,
        actor=staff["community"],
        kind="asked_community",
        outcome="reported_dead",
        died_on=date(2026, 10, 3),
    )
    case = DeathCase.objects.get()
    assert (case.status, case.origin, case.reported_death_date) == ("open", "contact", date(2026, 10, 3))
    assert not CertificationState.objects.overdue(TODAY).filter(pensioner=overdue).exists()


def test_needs_home_visit_opens_a_visit_request(staff, overdue):
    contact_attempt_record(
        pensioner=overdue,
        actor=staff["street"],
        kind="phone_call",
        outcome="needs_home_visit",
        visit_reason="illness",
    )
    visit = HomeVisit.objects.get()
    assert (visit.status, visit.reason, visit.requested_via) == ("requested", "illness", "staff")


def test_snoozing_without_a_reason_is_refused_and_nothing_is_saved(staff, overdue):
    with pytest.raises(Refused):
        contact_attempt_record(
            pensioner=overdue,
            actor=staff["street"],
            kind="phone_call",
            outcome="will_certify",
            snooze_until=TODAY + timedelta(days=7),
            snooze_reason="",
        )
    assert not ContactAttempt.objects.exists()
    assert CertificationState.objects.get(pensioner=overdue).snoozed_until is None


def test_snoozing_hides_the_person_until_the_date(staff, overdue):
    contact_attempt_record(
        pensioner=overdue,
        actor=staff["street"],
        kind="phone_call",
        outcome="will_certify",
        snooze_until=TODAY + timedelta(days=7),
        snooze_reason="本人下周来社保所",
    )
    assert not CertificationState.objects.overdue(TODAY).not_snoozed(TODAY).filter(pensioner=overdue).exists()


def test_the_form_explains_errors_and_keeps_what_was_typed(client_for, staff, overdue):
    response = client_for(staff["street"]).post(
        reverse("contact-attempt", args=[overdue.pk]),
        {"kind": "visit", "outcome": "moved_away", "note": "邻居说搬走了", "snooze_until": "2026-12-10"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "请填写迁往何处" in body and "请填写暂缓跟进的原因" in body
    assert "邻居说搬走了" in body
    assert not ContactAttempt.objects.exists()


def test_the_form_goes_back_to_the_queue_page_it_came_from(client_for, staff, overdue):
    response = client_for(staff["street"]).post(
        reverse("contact-attempt", args=[overdue.pk]),
        {
            "kind": "phone_call",
            "outcome": "not_reachable",
            "contacted_at": "2026-11-27T09:30",
            "next": "/certification/overdue/?bucket=90%2B",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/certification/overdue/?bucket=90%2B"


def test_the_form_never_sends_anyone_to_another_site(client_for, staff, overdue):
    response = client_for(staff["street"]).post(
        reverse("contact-attempt", args=[overdue.pk]),
        {
            "kind": "phone_call",
            "outcome": "not_reachable",
            "contacted_at": "2026-11-27T09:30",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("queue-overdue")


def test_the_card_lists_the_attempts(client_for, staff, overdue):
    contact_attempt_record(
        pensioner=overdue, actor=staff["street"], kind="letter", outcome="not_reachable", note="挂号信退回"
    )
    body = client_for(staff["street"]).get(reverse("pensioner-card", args=[overdue.pk])).content.decode()
    assert "挂号信退回" in body
