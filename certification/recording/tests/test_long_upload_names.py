"""A file whose name is longer than any file system allows is stored under a short safe name (never a 500)."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.models import Certification, EvidenceFile
from certification.tests.helpers import JPEG, PDF
from pensioners.tests.factories import make_pensioner
from portal.models import ImportJob

LONG_CHINESE = "养老待遇资格认证表扫描件" * 25  # 300 characters, 900 bytes in UTF-8
LONG_LATIN = "x" * 300


@pytest.fixture(autouse=True)
def _today_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


@pytest.mark.parametrize("stem", [LONG_CHINESE, LONG_LATIN])
def test_a_home_visit_photo_with_a_300_character_name_is_stored(client_for, staff, stem):
    person = make_pensioner(certified_on=date(2025, 12, 1))
    response = client_for(staff["street"]).post(
        reverse("record-home-visit", args=[person.pk]),
        {
            "certified_on": "2026-11-27",
            "visitors": [staff["visit"].pk],
            "address_visited": "民生路8号",
            "signer": "本人",
            "reason": "illness",
            "photo": SimpleUploadedFile(f"{stem}.jpg", JPEG, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = EvidenceFile.objects.get()
    assert stored.file.name.endswith(".jpg") and len(stored.original_name) <= 200
    assert stored.file.read().startswith(b"\xff\xd8\xff")  # the photo, re-encoded as it is stored


@pytest.mark.parametrize("stem", [LONG_CHINESE, LONG_LATIN])
def test_a_consular_scan_with_a_300_character_name_is_stored(client_for, staff, stem):
    person = make_pensioner(abroad_country="加拿大", certified_on=date(2025, 12, 1))
    response = client_for(staff["street"]).post(
        reverse("record-consular", args=[person.pk]),
        {
            "certified_on": "2026-11-02",
            "form_serial": "CA-2026-0001",
            "body_kind": "embassy",
            "issuing_body": "中国驻多伦多总领事馆",
            "country": "加拿大",
            "received_on": "2026-11-20",
            "filed": "in_person",
            "review": "accepted",
            "scan": SimpleUploadedFile(f"{stem}.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Certification.objects.get().files.get().file.name.endswith(".pdf")


@pytest.mark.parametrize("stem", [LONG_CHINESE, LONG_LATIN])
def test_a_roster_file_with_a_300_character_name_is_accepted(client_for, staff, stem):
    roster = "身份证号,姓名,社区代码,待遇类型,首次领取日期\n500103194702141029,马桂英,500103003001,enterprise,2007-03-01\n"
    upload = SimpleUploadedFile(f"{stem}.csv", roster.encode(), content_type="text/csv")
    response = client_for(staff["admin"]).post(reverse("roster-import"), {"file": upload, "dry_run": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get()
    assert job.file.name.endswith(".csv") and len(job.file.name) <= 300
    assert job.original_name == f"{stem}.csv"[:200]
