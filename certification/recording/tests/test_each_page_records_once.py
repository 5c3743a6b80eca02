"""Each rendered recording page records once, however often and however fast it is submitted; two pages
that collide on a serial or an ID number end in a clear form error, never a 500.

The concurrent tests use two real threads, each with its own client and database connection, released
together by a barrier (the pattern of test_recording_moves_the_deadline.py)."""

import re
import threading
from datetime import date

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from certification.models import Certification
from certification.tests.helpers import JPEG, PDF
from pensioners.models import FormSubmission, Pensioner
from pensioners.tests.factories import make_pensioner

TOKEN = re.compile(r'name="form_token" value="([0-9a-f-]{36})"')


@pytest.fixture(autouse=True)
def _today_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


def token_of(response) -> str:
    found = TOKEN.search(response.content.decode())
    assert found, "the rendered form carries its token"
    return found.group(1)


def at_once(user, requests):
    """Send each (url, data) from its own client and connection at the same moment; the responses in order."""
    start = threading.Barrier(len(requests))
    responses = [None] * len(requests)
    errors = []

    def send(index, url, data):
        client = Client(raise_request_exception=True)
        client.force_login(user)
        try:
            start.wait()
            responses[index] = client.post(url, data)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, url, data)) for i, (url, data) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return responses


def counter_post(person, token):
    return {
        "id_number": person.id_number,
        "certify": "1",
        "certified_on": "2026-11-27",
        "id_document": "id_card",
        "method": "face",
        "form_token": token,
    }


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_of_one_counter_page_record_one_certification(areas, staff):
    person = make_pensioner(
        id_number="500105195309301054", community="500105001001", certified_on=date(2025, 1, 8)
    )
    client = Client()
    client.force_login(staff["street"])
    page = client.post(reverse("counter-desk"), {"id_number": person.id_number})
    token = token_of(page)
    first, second = at_once(staff["street"], [(reverse("counter-desk"), counter_post(person, token))] * 2)
    certification = Certification.objects.get()
    receipt = reverse("certification-receipt", args=[certification.pk])
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"] == receipt
    assert FormSubmission.objects.get().object_id == certification.pk


def test_a_counter_page_submitted_again_answers_with_the_first_receipt(client_for, staff):
    person = make_pensioner(certified_on=date(2025, 1, 8))
    client = client_for(staff["street"])
    token = token_of(client.get(reverse("record-counter", args=[person.pk])))
    data = {"certified_on": "2026-11-27", "id_document": "id_card", "method": "face", "form_token": token}
    first = client.post(reverse("record-counter", args=[person.pk]), data)
    again = client.post(reverse("record-counter", args=[person.pk]), data, follow=True)
    certification = Certification.objects.get()
    assert first["Location"] == reverse("certification-receipt", args=[certification.pk])
    assert again.redirect_chain[-1][0] == first["Location"]
    assert any(
        "已经提交" in str(message) or "already submitted" in str(message)
        for message in get_messages(again.wsgi_request)
    )


def test_a_home_visit_page_submitted_twice_records_once(client_for, staff):
    person = make_pensioner(certified_on=date(2025, 10, 1))
    client = client_for(staff["street"])
    token = token_of(client.get(reverse("record-home-visit", args=[person.pk])))

    def data():
        return {
            "certified_on": "2026-11-26",
            "visitors": [staff["visit"].pk],
            "address_visited": "重庆市渝中区民生路8号",
            "signer": "本人",
            "reason": "illness",
            "photo": SimpleUploadedFile("sign.jpg", JPEG, content_type="image/jpeg"),
            "form_token": token,
        }

    first = client.post(reverse("record-home-visit", args=[person.pk]), data())
    again = client.post(reverse("record-home-visit", args=[person.pk]), data())
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Certification.objects.count() == 1


def consular_post(token, serial="CSL-2026-0007"):
    return {
        "certified_on": "2026-10-20",
        "form_serial": serial,
        "body_kind": "embassy",
        "issuing_body": "中华人民共和国驻多伦多总领事馆",
        "country": "加拿大",
        "received_on": "2026-11-20",
        "filed": "in_person",
        "review": "accepted",
        "scan": SimpleUploadedFile("form.pdf", PDF, content_type="application/pdf"),
        "form_token": token,
    }


def test_a_consular_page_submitted_twice_answers_with_its_receipt_not_a_serial_error(client_for, staff):
    person = make_pensioner(abroad_country="加拿大", certified_on=date(2025, 9, 30))
    client = client_for(staff["street"])
    token = token_of(client.get(reverse("record-consular", args=[person.pk])))
    first = client.post(reverse("record-consular", args=[person.pk]), consular_post(token))
    again = client.post(reverse("record-consular", args=[person.pk]), consular_post(token))
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Certification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_consular_forms_with_one_serial_at_once_the_second_is_told_which_record_has_it(areas, staff):
    one = make_pensioner(name="高德明", abroad_country="加拿大", certified_on=date(2025, 9, 30))
    other = make_pensioner(name="林美华", abroad_country="加拿大", certified_on=date(2025, 9, 30), male=False)
    client = Client()
    client.force_login(staff["street"])
    requests = [
        (
            reverse("record-consular", args=[person.pk]),
            consular_post(token_of(client.get(reverse("record-consular", args=[person.pk])))),
        )
        for person in (one, other)
    ]
    responses = at_once(staff["street"], requests)
    winner = Certification.objects.get()
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 400]
    refused = next(response for response in responses if response.status_code == 400).content.decode()
    assert winner.receipt_number in refused and "CSL-2026-0007" in refused


def test_the_service_turns_a_lost_serial_race_into_a_form_error(client_for, staff, monkeypatch):
    """The losing request passed the form's serial check before the winner committed: the unique index
    refuses it, and the page names the record that holds the serial."""
    one = make_pensioner(name="高德明", abroad_country="加拿大", certified_on=date(2025, 9, 30))
    other = make_pensioner(name="林美华", abroad_country="加拿大", certified_on=date(2025, 9, 30), male=False)
    client = client_for(staff["street"])
    client.post(reverse("record-consular", args=[one.pk]), consular_post(""))
    winner = Certification.objects.get()
    # As if the winner had not committed yet when the loser's form was checked.
    monkeypatch.setattr(
        "certification.recording.forms.ConsularPaperForm.clean_form_serial",
        lambda form: form.cleaned_data["form_serial"].strip().upper(),
    )
    response = client.post(reverse("record-consular", args=[other.pk]), consular_post(""))
    assert response.status_code == 400
    assert winner.receipt_number in response.content.decode()
    assert Certification.objects.count() == 1


def pensioner_post(token, id_number="11010519491231002X"):
    return {
        "id_number": id_number,
        "name": "李秀英",
        "phone": "13800001111",
        "alternate_phone": "",
        "address": "重庆市渝中区民生路8号",
        "community": "500103003001",
        "abroad_country": "",
        "home_service_reason": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-scheme": "enterprise",
        "lines-0-first_benefit_date": "2010-03-01",
        "lines-0-monthly_amount": "3000.00",
        "form_token": token,
    }


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_of_one_new_pensioner_page_register_once(areas, staff):
    client = Client()
    client.force_login(staff["street"])
    token = token_of(client.get(reverse("pensioner-create")))
    responses = at_once(staff["street"], [(reverse("pensioner-create"), pensioner_post(token))] * 2)
    person = Pensioner.objects.get()
    card = reverse("pensioner-card", args=[person.pk])
    assert [response.status_code for response in responses] == [302, 302]
    assert {response["Location"] for response in responses} == {card}


@pytest.mark.django_db(transaction=True)
def test_two_new_pensioner_pages_with_one_id_number_at_once_the_second_gets_a_link_to_the_card(areas, staff):
    client = Client()
    client.force_login(staff["street"])
    tokens = [token_of(client.get(reverse("pensioner-create"))) for _ in range(2)]
    responses = at_once(
        staff["street"], [(reverse("pensioner-create"), pensioner_post(token)) for token in tokens]
    )
    person = Pensioner.objects.get()
    assert sorted(response.status_code for response in responses) == [302, 400]
    refused = next(response for response in responses if response.status_code == 400).content.decode()
    assert "该身份证号已登记" in refused
    assert f'href="{reverse("pensioner-card", args=[person.pk])}"' in refused


def test_a_registration_that_loses_the_race_at_the_database_gets_the_form_error(
    client_for, staff, monkeypatch
):
    existing = make_pensioner(id_number="11010519491231002X")
    # As if the other registration committed after this form's check.
    monkeypatch.setattr(
        "pensioners.forms.PensionerForm.clean_id_number", lambda form: form.cleaned_data["id_number"].upper()
    )
    client = client_for(staff["street"])
    response = client.post(reverse("pensioner-create"), pensioner_post(""))
    assert response.status_code == 400
    assert f'href="{reverse("pensioner-card", args=[existing.pk])}"' in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_of_the_visitors_certify_page_record_once(areas, staff):
    from certification.models import VisitTeam
    from certification.visits.services import home_visit_request, home_visit_schedule

    team = VisitTeam.objects.create(name="解放碑一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    person = make_pensioner(
        name="刘奶奶", male=False, certified_on=date(2025, 10, 1), needs_home_service=True
    )
    visit, _ = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="hotline", reason="illness"
    )
    home_visit_schedule(visits=[visit], team=team, visit_date=date(2026, 11, 27), actor=staff["street"])
    client = Client()
    client.force_login(staff["visit"])
    url = reverse("home-visit-certify", args=[visit.pk])
    token = token_of(client.get(url))

    def data():
        return {
            "certified_on": "2026-11-27",
            "visitors": [staff["visit"].pk],
            "address_visited": "民生路8号",
            "signer": "本人",
            "reason": "illness",
            "photo": SimpleUploadedFile("sign.jpg", JPEG, content_type="image/jpeg"),
            "form_token": token,
        }

    responses = at_once(staff["visit"], [(url, data()), (url, data())])
    assert [response.status_code for response in responses] == [302, 302]
    assert Certification.objects.filter(pensioner=person).count() == 1


def test_a_mangled_token_still_records_the_page(client_for, staff):
    person = make_pensioner(certified_on=date(2025, 1, 8))
    response = client_for(staff["street"]).post(
        reverse("record-counter", args=[person.pk]),
        {"certified_on": "2026-11-27", "id_document": "id_card", "method": "face", "form_token": "x' OR 1=1"},
    )
    assert response.status_code == 302 and Certification.objects.count() == 1
