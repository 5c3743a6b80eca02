"""The counter desk works from the keyboard, the banner after recording says the new deadline, and the
receipt prints once, shows a void plainly and leads back to the card."""

import re
from datetime import date

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from certification.models import Certification
from certification.recording.services import certification_void
from certification.tests.helpers import record_counter
from pensioners.tests.factories import make_pensioner


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


def test_the_banner_names_the_new_deadline_for_a_person_from_another_district(client_for, staff):
    # Lives in 江北区, overdue since 2026-01-08; certified at a 渝中区 counter today.
    make_pensioner(id_number="500105195309301054", community="500105001001", certified_on=date(2025, 1, 8))
    client = client_for(staff["street"])
    response = client.post(
        reverse("counter-desk"),
        {
            "id_number": "500105195309301054",
            "certify": "1",
            "certified_on": "2026-11-27",
            "id_document": "id_card",
            "method": "face",
        },
        follow=True,
    )
    banner = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert "2027-11-27" in banner and "2026-01-08" not in banner
    assert "2027年11月27日" in response.content.decode()  # the receipt says the same


def test_the_id_field_has_focus_and_after_lookup_the_form_has_it(client_for, staff):
    make_pensioner(id_number="500105195309301054", community="500105001001")
    client = client_for(staff["street"])
    empty = client.get(reverse("counter-desk")).content.decode()
    assert re.search(r'<input[^>]*name="id_number"[^>]*autofocus', empty)
    found = client.post(reverse("counter-desk"), {"id_number": "500105195309301054"}).content.decode()
    assert not re.search(r'<input[^>]*name="id_number"[^>]*autofocus', found)
    assert re.search(r'<input[^>]*name="certified_on"[^>]*autofocus', found)


def test_the_counter_form_defaults_to_the_id_card_seen_in_person(client_for, staff):
    make_pensioner(id_number="500105195309301054", community="500105001001")
    body = client_for(staff["street"]).post(reverse("counter-desk"), {"id_number": "500105195309301054"})
    body = body.content.decode()
    assert re.search(r'value="id_card"[^>]*checked', body)
    assert re.search(r'value="in_person"[^>]*checked', body)


def test_an_exact_id_number_opens_the_card_when_one_person_in_scope_has_it(client_for, staff):
    person = make_pensioner(id_number="500103194702141029", born=date(1947, 2, 14), male=False)
    make_pensioner(id_number="500105195309301054", community="500105001001")  # out of scope
    client = client_for(staff["street"])
    response = client.get(reverse("pensioner-search"), {"q": " 500103194702141029 "})
    assert response.status_code == 302 and response["Location"] == reverse("pensioner-card", args=[person.pk])
    outside = client.get(reverse("pensioner-search"), {"q": "500105195309301054"})
    assert outside.status_code == 200  # nobody in scope: the list says so, nothing leaks
    assert client.get(reverse("pensioner-search"), {"q": "1029"}).status_code == 200


def test_the_consular_form_leaves_the_date_on_the_form_empty(client_for, staff):
    person = make_pensioner(abroad_country="加拿大")
    body = client_for(staff["street"]).get(reverse("record-consular", args=[person.pk])).content.decode()
    field = re.search(r'<input[^>]*name="certified_on"[^>]*>', body).group(0)
    assert "value=" not in field


def test_the_receipt_prints_its_title_once_has_a_signature_line_and_goes_back_to_the_card(client_for, staff):
    person = make_pensioner(certified_on=date(2025, 12, 1))
    certification = record_counter(person, staff["street"], date(2026, 11, 27))
    body = client_for(staff["street"]).get(reverse("certification-receipt", args=[certification.pk]))
    body = body.content.decode()
    assert body.count("养老待遇资格认证回执") == 1 + body.count("<title>养老待遇资格认证回执")
    assert 'data-testid="receipt-sign"' in body
    back = re.search(r'href="([^"]+)" data-testid="receipt-back"', body).group(1)
    assert back == reverse("pensioner-card", args=[person.pk])


def test_a_voided_receipt_says_so_with_reason_and_date(client_for, staff):
    person = make_pensioner(certified_on=date(2025, 12, 1))
    certification = record_counter(person, staff["street"], date(2026, 11, 27))
    certification_void(certification=certification, actor=staff["supervisor"], reason="录错了人")
    body = client_for(staff["street"]).get(reverse("certification-receipt", args=[certification.pk]))
    body = body.content.decode()
    assert 'data-testid="void-mark"' in body and "已作废" in body
    void_line = re.search(r'data-testid="receipt-void">(.*?)</dd>', body, re.S).group(1)
    assert "录错了人" in void_line and "2026-11-27" in void_line
    assert 'data-testid="receipt-deadline"' not in body


def test_an_office_that_certified_someone_from_elsewhere_goes_back_to_its_counter(client_for, staff):
    person = make_pensioner(community="500105001001")
    certification = record_counter(person, staff["street"], date(2026, 11, 27))
    body = client_for(staff["street"]).get(reverse("certification-receipt", args=[certification.pk]))
    assert f'href="{reverse("counter-desk")}" data-testid="receipt-back"' in body.content.decode()
    assert Certification.objects.count() == 1
