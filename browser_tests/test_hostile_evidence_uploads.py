"""Hostile evidence files through the rendered home-visit form, at phone width (issue 14 item 7): a JPEG
with an HTML page behind it is accepted and stored re-encoded, without the page; a file with a JPEG's
first bytes and garbage behind them is refused with the reason beside the photo field."""

import io
import random
from datetime import date

import pytest
from PIL import Image

from browser_tests.conftest import PHONE
from certification.models import Certification, EvidenceFile
from pensioners.tests.factories import make_pensioner
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def signed_form_jpeg() -> bytes:
    picture = Image.frombytes("RGB", (80, 60), random.Random(4).randbytes(80 * 60 * 3))
    output = io.BytesIO()
    picture.save(output, "JPEG", quality=90)
    return output.getvalue()


def fill_home_visit_form(page, live_server, person, staff, photo):
    page.goto(f"{live_server.url}/certification/record/{person.pk}/home-visit/")
    page.check(f"input[name=visitors][value='{staff['visit'].pk}']")
    page.fill("#id_signer", "本人")
    page.select_option("#id_reason", "illness")
    page.set_input_files("#id_photo", str(photo))
    page.click("[data-testid=record-form] button[type=submit]")


def test_a_jpeg_with_a_web_page_behind_it_is_stored_as_the_picture_alone(
    staff, new_page, log_in, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    person = make_pensioner(name="刘奶奶", male=False, certified_on=date(2025, 9, 1), address="民生路8号")
    photo = tmp_path / "sign.jpg"
    photo.write_bytes(signed_form_jpeg() + HTML)
    page = new_page(PHONE)
    log_in(page, "t_street", TEST_PASSWORD)
    fill_home_visit_form(page, live_server, person, staff, photo)
    page.wait_for_selector("[data-testid=receipt]")
    stored = EvidenceFile.objects.get(certification__pensioner=person)
    content = stored.file.read()
    assert stored.content_type == "image/jpeg"
    assert b"<html" not in content and b"script" not in content and content.endswith(b"\xff\xd9")
    with Image.open(io.BytesIO(content)) as image:
        assert (image.format, image.size) == ("JPEG", (80, 60))


def test_a_jpeg_header_on_garbage_is_refused_beside_the_photo_field(
    staff, new_page, log_in, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    person = make_pensioner(name="陈大爷", certified_on=date(2025, 9, 1), address="民生路9号")
    fake = tmp_path / "sign.jpg"
    fake.write_bytes(b"\xff\xd8\xff\xe0" + random.Random(6).randbytes(3000))
    page = new_page(PHONE)
    log_in(page, "t_street", TEST_PASSWORD)
    fill_home_visit_form(page, live_server, person, staff, fake)
    page.wait_for_selector("[data-field=photo] .invalid-feedback")
    assert "无法读取这张照片" in page.locator("[data-field=photo] .invalid-feedback").inner_text()
    assert page.locator("[data-testid=receipt]").count() == 0
    assert not Certification.objects.filter(pensioner=person).exists()
    assert not EvidenceFile.objects.exists()
