"""Counter, home-visit and consular recording screens: what staff type, what is saved, what is refused."""

from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.models import Certification, Channel, EvidenceFile
from certification.tests.helpers import JPEG, PDF, PNG, record_counter
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.models import AuditEvent


@pytest.fixture(autouse=True)
def _today_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


# --- the counter -------------------------------------------------------------------------------


def test_any_street_office_certifies_anyone_in_the_city_by_exact_id(client_for, staff):
    person = make_pensioner(
        name="江北人", id_number="500105195309301054", community="500105001001", certified_on=date(2025, 1, 8)
    )
    client = client_for(staff["street"])  # 解放碑街道 staff; the person lives in 江北区
    found = client.post(reverse("counter-desk"), {"id_number": "500105195309301054"})
    assert found.status_code == 200 and "江北人" in found.content.decode()
    assert "500105195309301054" not in found.content.decode().replace('value="500105195309301054"', "")
    response = client.post(
        reverse("counter-desk"),
        {
            "id_number": "500105195309301054",
            "certify": "1",
            "certified_on": "2026-11-27",
            "id_document": "id_card",
            "method": "face",
        },
    )
    certification = Certification.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "certification-receipt", args=[certification.pk]
    )
    assert certification.acting_office_id == "500103003"  # where it happened ...
    assert certification.area_code == "500105001001"  # ... apart from where the person lives
    assert client.get(response["Location"]).status_code == 200  # the office can print its receipt
    assert (
        client.get(reverse("pensioner-card", args=[person.pk])).status_code == 404
    )  # but not browse the person
    assert AuditEvent.objects.filter(action="pensioner.counter_lookup", actor=staff["street"]).exists()


def test_the_counter_never_browses(client_for, staff):
    make_pensioner(name="王建国", id_number="500105195309301054", community="500105001001")
    response = client_for(staff["street"]).post(reverse("counter-desk"), {"id_number": "1054"})
    assert response.status_code == 400
    assert "王建国" not in response.content.decode()


def test_an_unknown_id_number_is_told_plainly(client_for, staff):
    response = client_for(staff["street"]).post(reverse("counter-desk"), {"id_number": "11010519491231002X"})
    assert "没有以此身份证号登记的领待人员" in response.content.decode()


def test_a_counter_form_missing_its_evidence_keeps_what_was_typed(client_for, staff):
    person = make_pensioner()
    response = client_for(staff["street"]).post(
        reverse("record-counter", args=[person.pk]), {"certified_on": "2026-11-20", "id_document": "id_card"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="2026-11-20"' in body
    assert 'value="id_card" ' in body and "checked" in body
    assert not Certification.objects.exists()


def test_visit_team_members_do_not_work_the_counter(client_for, staff):
    assert client_for(staff["visit"]).get(reverse("counter-desk")).status_code == 403


# --- home visits --------------------------------------------------------------------------------


def home_visit_data(staff, **overrides):
    data = {
        "certified_on": "2026-11-26",
        "visitors": [staff["visit"].pk],
        "address_visited": "重庆市渝中区民生路8号",
        "signer": "本人",
        "reason": "illness",
        "photo": SimpleUploadedFile("sign.jpg", JPEG, content_type="image/jpeg"),
    }
    data.update(overrides)
    return data


def test_a_home_visit_is_recorded_with_its_evidence_file(client_for, staff):
    person = make_pensioner(certified_on=date(2025, 10, 1))
    response = client_for(staff["street"]).post(
        reverse("record-home-visit", args=[person.pk]), home_visit_data(staff)
    )
    assert response.status_code == 302
    certification = Certification.objects.get(channel=Channel.HOME_VISIT)
    assert certification.evidence["visitors"][0]["id"] == staff["visit"].pk
    stored = EvidenceFile.objects.get()
    # Stored re-encoded (certification.recording.photos): a JPEG of its own size, not the bytes sent.
    assert (stored.content_type, stored.size) == ("image/jpeg", len(stored.file.read()))
    assert len(stored.sha256) == 64
    assert CertificationState.objects.get(pensioner=person).next_due_on == date(2027, 11, 26)


def test_an_upload_of_the_wrong_type_is_refused_before_anything_is_saved(client_for, staff):
    person = make_pensioner()
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    response = client_for(staff["street"]).post(
        reverse("record-home-visit", args=[person.pk]), home_visit_data(staff, photo=fake)
    )
    assert response.status_code == 400
    assert "只接受JPEG、PNG照片或PDF扫描件" in response.content.decode()
    assert not Certification.objects.exists() and not EvidenceFile.objects.exists()


def test_an_upload_that_is_too_large_is_refused(client_for, staff, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    person = make_pensioner()
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * 200, content_type="image/png")
    response = client_for(staff["street"]).post(
        reverse("record-home-visit", args=[person.pk]), home_visit_data(staff, photo=big)
    )
    assert "上限为" in response.content.decode()
    assert not Certification.objects.exists()


def test_a_home_visit_needs_one_or_two_visitors(client_for, staff, make_staff):
    person = make_pensioner()
    third = make_staff("visit_team", "500103003")
    visitors = [staff["visit"].pk, staff["street"].pk, third.pk]
    response = client_for(staff["street"]).post(
        reverse("record-home-visit", args=[person.pk]), home_visit_data(staff, visitors=visitors)
    )
    assert "请选择一至两名上门人员" in response.content.decode()


def test_evidence_files_are_served_only_in_scope(client_for, staff):
    person = make_pensioner()
    client_for(staff["street"]).post(reverse("record-home-visit", args=[person.pk]), home_visit_data(staff))
    stored = EvidenceFile.objects.get()
    own = client_for(staff["supervisor"]).get(reverse("evidence-file", args=[stored.pk]))
    assert own.status_code == 200 and own["Content-Type"] == "image/jpeg"
    assert b"".join(own.streaming_content) == Path(stored.file.path).read_bytes()
    assert (
        client_for(staff["other_street"]).get(reverse("evidence-file", args=[stored.pk])).status_code == 404
    )


# --- consular paper forms -----------------------------------------------------------------------


def consular_data(**overrides):
    data = {
        "certified_on": "2026-10-20",
        "form_serial": "csl-2026-0001",
        "body_kind": "embassy",
        "issuing_body": "中华人民共和国驻多伦多总领事馆",
        "country": "加拿大",
        "received_on": "2026-11-20",
        "filed": "in_person",
        "review": "accepted",
        "scan": SimpleUploadedFile("form.pdf", PDF, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


@pytest.fixture
def abroad(areas):
    return make_pensioner(name="高德明", abroad_country="加拿大", certified_on=date(2025, 9, 30))


def test_a_consular_form_certifies_on_the_date_on_the_form(client_for, staff, abroad):
    response = client_for(staff["street"]).post(reverse("record-consular", args=[abroad.pk]), consular_data())
    assert response.status_code == 302
    certification = Certification.objects.get()
    assert (certification.certified_on, certification.reference) == (date(2026, 10, 20), "CSL-2026-0001")
    assert CertificationState.objects.get(pensioner=abroad).next_due_on == date(2027, 10, 20)


def test_a_duplicate_form_serial_names_the_record_that_has_it(client_for, staff, abroad):
    client = client_for(staff["street"])
    client.post(reverse("record-consular", args=[abroad.pk]), consular_data())
    first = Certification.objects.get()
    response = client.post(
        reverse("record-consular", args=[abroad.pk]), consular_data(form_serial="CSL-2026-0001")
    )
    assert response.status_code == 400
    assert first.receipt_number in response.content.decode()
    assert Certification.objects.count() == 1


def test_a_form_rejected_on_review_is_kept_but_never_moves_the_deadline(client_for, staff, abroad):
    client_for(staff["street"]).post(
        reverse("record-consular", args=[abroad.pk]),
        consular_data(review="rejected", rejection_reason="签名与档案不符"),
    )
    assert Certification.objects.get().outcome == "failed"
    assert CertificationState.objects.get(pensioner=abroad).next_due_on == date(2026, 9, 30)


def test_the_third_consecutive_proxy_year_must_be_acknowledged(client_for, staff, abroad):
    client = client_for(staff["street"])
    for year, serial in ((2024, "A-2024"), (2025, "A-2025")):
        response = client.post(
            reverse("record-consular", args=[abroad.pk]),
            consular_data(
                certified_on=f"{year}-10-01", received_on=f"{year}-10-20", form_serial=serial, filed="proxy"
            ),
        )
        assert response.status_code == 302
    third = consular_data(form_serial="A-2026", filed="proxy")
    response = client.post(reverse("record-consular", args=[abroad.pk]), third)
    assert response.status_code == 400
    assert 'data-testid="proxy-warning"' in response.content.decode()
    assert Certification.objects.count() == 2
    acknowledged = consular_data(form_serial="A-2026", filed="proxy", proxy_warning_given="on")
    assert client.post(reverse("record-consular", args=[abroad.pk]), acknowledged).status_code == 302
    assert Certification.objects.get(reference="A-2026").evidence["proxy_warning_given"] is True


def test_received_before_the_form_date_is_refused(client_for, staff, abroad):
    response = client_for(staff["street"]).post(
        reverse("record-consular", args=[abroad.pk]), consular_data(received_on="2026-10-01")
    )
    assert "收到日期不能早于表格日期" in response.content.decode()


# --- history, receipt, void ---------------------------------------------------------------------


def test_the_card_shows_every_certification_newest_first_with_voids(client_for, staff):
    person = make_pensioner()
    older = record_counter(person, staff["street"], date(2026, 1, 5))
    newer = record_counter(person, staff["street"], date(2026, 6, 5))
    client = client_for(staff["street"])
    client.post(reverse("certification-void", args=[older.pk]), {"reason": "重复录入"})
    body = client.get(reverse("pensioner-card", args=[person.pk])).content.decode()
    assert body.index(newer.receipt_number) < body.index(older.receipt_number)
    assert "重复录入" in body and "已作废" in body


def test_the_receipt_shows_number_channel_and_next_deadline(client_for, staff):
    person = make_pensioner(name="马桂英")
    certification = record_counter(person, staff["street"], date(2026, 11, 27))
    body = (
        client_for(staff["street"])
        .get(reverse("certification-receipt", args=[certification.pk]))
        .content.decode()
    )
    assert certification.receipt_number in body
    assert "2027年11月27日" in body
    assert "马桂英" in body


def test_voiding_needs_a_reason_and_the_right_role(client_for, staff):
    certification = record_counter(make_pensioner(), staff["street"], date(2026, 11, 1))
    assert (
        client_for(staff["community"])
        .post(reverse("certification-void", args=[certification.pk]), {"reason": "x y"})
        .status_code
        == 403
    )
    response = client_for(staff["street"]).post(
        reverse("certification-void", args=[certification.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    certification.refresh_from_db()
    assert certification.voided_at is None
