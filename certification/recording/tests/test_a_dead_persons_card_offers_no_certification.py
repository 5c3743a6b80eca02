"""A confirmed death: the card shows the date, the month payment stops, the overpayment and the case, and
no screen offers or accepts a certification."""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from certification.decisions.services import death_case_confirm, death_case_open
from certification.models import Certification
from pensioners.tests.factories import make_pensioner
from portal.errors import Refused


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


@pytest.fixture
def dead(staff):
    # Overdue since 2026-03-01: the card used to show a red overdue badge and the certify buttons.
    person = make_pensioner(
        name="故人",
        id_number="500103194702141029",
        born=date(1947, 2, 14),
        male=False,
        certified_on=date(2025, 3, 1),
    )
    person.benefit_lines.update(monthly_amount=2000)
    case, _ = death_case_open(pensioner=person, origin="contact", actor=staff["community"])
    death_case_confirm(
        case=case, actor=staff["supervisor"], died_on=date(2026, 5, 10), paid_through=date(2026, 11, 1)
    )
    person.refresh_from_db()
    return person, case


def test_the_card_shows_the_death_and_no_overdue_badge_nor_certify_buttons(client_for, staff, dead):
    person, case = dead
    body = client_for(staff["supervisor"]).get(reverse("pensioner-card", args=[person.pk])).content.decode()
    assert 'data-testid="death-confirmed"' in body
    assert "2026-06" in body  # payment stops from the month after the death
    assert "12000" in body  # six months at ¥2000 to recover
    assert reverse("death-case", args=[case.pk]) in body
    badge = re.search(r'data-testid="deadline-state">(.*?)</span>', body, re.S).group(1)
    assert "逾期" not in badge and "2026" in badge  # "died on ..." instead of an overdue badge
    assert "天逾期" not in body and "逾期 " not in body.split('data-testid="deadline-card"')[1][:600]
    for name in ("record-counter", "record-home-visit", "contact-attempt", "home-visit-request"):
        assert reverse(name, args=[person.pk]) not in body


def test_the_recording_screens_refuse_a_dead_person(client_for, staff, dead):
    person, _ = dead
    client = client_for(staff["street"])
    for name in ("record-counter", "record-home-visit"):
        response = client.get(reverse(name, args=[person.pk]))
        assert response.status_code == 302 and response["Location"] == reverse(
            "pensioner-card", args=[person.pk]
        )
    response = client.post(
        reverse("record-counter", args=[person.pk]),
        {"certified_on": "2026-05-01", "id_document": "id_card", "method": "face"},
    )
    assert response.status_code == 302
    assert not Certification.objects.exists()


def test_the_counter_desk_shows_the_death_and_no_form(client_for, staff, dead):
    person, _ = dead
    client = client_for(staff["street"])
    found = client.post(reverse("counter-desk"), {"id_number": person.id_number})
    body = found.content.decode()
    assert 'data-testid="death-confirmed"' in body and 'data-testid="record-form"' not in body
    certify = client.post(
        reverse("counter-desk"),
        {
            "id_number": person.id_number,
            "certify": "1",
            "certified_on": "2026-05-01",
            "id_document": "id_card",
            "method": "face",
        },
    )
    assert certify.status_code == 400
    assert not Certification.objects.exists()


def test_the_service_refuses_a_staff_record_for_a_dead_person_even_dated_before_the_death(staff, dead):

    from certification.tests.helpers import record_counter

    person, _ = dead
    with pytest.raises(Refused):
        record_counter(person, staff["street"], date(2026, 5, 1))
