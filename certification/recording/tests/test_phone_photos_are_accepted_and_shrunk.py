"""Phone photos as evidence: a 5 MB JPEG and an iPhone HEIC are accepted and stored as a sensible JPEG;
the photo inputs offer the camera and still take a PDF scan."""

import io
import random
from datetime import date
from html.parser import HTMLParser

import pytest
import time_machine
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from certification.models import EvidenceFile
from certification.recording.forms import evidence_upload_from
from certification.recording.photos import PHOTO_LONG_EDGE
from certification.tests.helpers import JPEG, PDF, PNG
from pensioners.tests.factories import make_pensioner


@pytest.fixture(autouse=True)
def _today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel("2026-11-30 10:00 +0800", tick=False):
        yield


def phone_jpeg(*, at_least: int = 5 * 1024 * 1024, exif: bool = False) -> bytes:
    """A real 12-megapixel JPEG of at least `at_least` bytes, as a phone camera writes one."""
    rng = random.Random(11)
    grain = Image.frombytes("RGB", (1000, 750), rng.randbytes(1000 * 750 * 3))
    picture = grain.resize((4000, 3000), Image.Resampling.BILINEAR)
    extra = {}
    if exif:
        tags = Image.Exif()
        tags[0x0112] = 6  # orientation: the phone was held upright
        tags[0x010F] = "PhoneMaker"
        extra["exif"] = tags.tobytes()
    for quality in (90, 95, 98, 100):
        output = io.BytesIO()
        picture.save(output, "JPEG", quality=quality, **extra)
        if output.tell() >= at_least:
            return output.getvalue()
    raise AssertionError("could not make a big enough JPEG")


def iphone_heic() -> bytes:
    """A real HEIC file, written by libheif through pillow-heif (small, to keep the encoder quick)."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    rng = random.Random(7)
    picture = Image.frombytes("RGB", (160, 120), rng.randbytes(160 * 120 * 3)).resize((640, 480))
    output = io.BytesIO()
    picture.save(output, "HEIF", quality=60)
    return output.getvalue()


def upload(content: bytes, name: str, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def home_visit_post(client, person, staff, photo):
    return client.post(
        reverse("record-home-visit", args=[person.pk]),
        {
            "certified_on": "2026-11-30",
            "visitors": [staff["visit"].pk],
            "address_visited": "重庆市渝中区民生路8号",
            "signer": "本人",
            "reason": "illness",
            "photo": photo,
        },
    )


def test_a_5_mb_phone_jpeg_is_recorded_as_a_smaller_jpeg(client_for, staff):
    original = phone_jpeg()
    assert len(original) >= 5 * 1024 * 1024
    person = make_pensioner(certified_on=date(2025, 10, 1))
    response = home_visit_post(client_for(staff["street"]), person, staff, upload(original, "IMG_0001.JPG"))
    assert response.status_code == 302
    stored = EvidenceFile.objects.get(certification__pensioner=person)
    assert stored.content_type == "image/jpeg" and stored.size < len(original) / 2
    with Image.open(stored.file.path) as image:
        assert image.format == "JPEG" and max(image.size) == PHOTO_LONG_EDGE


def test_an_iphone_heic_photo_is_recorded_as_a_jpeg(client_for, staff):
    person = make_pensioner(certified_on=date(2025, 10, 1))
    photo = upload(iphone_heic(), "IMG_0002.HEIC", "image/heic")
    response = home_visit_post(client_for(staff["street"]), person, staff, photo)
    assert response.status_code == 302
    stored = EvidenceFile.objects.get(certification__pensioner=person)
    assert (stored.content_type, stored.original_name) == ("image/jpeg", "IMG_0002.jpg")
    assert stored.file.name.endswith(".jpg")
    with Image.open(stored.file.path) as image:
        assert (image.format, image.size) == ("JPEG", (640, 480))


def test_the_shrunk_photo_is_turned_upright_and_keeps_no_camera_metadata():
    evidence = evidence_upload_from(upload(phone_jpeg(exif=True), "door.jpg"))
    with Image.open(io.BytesIO(evidence.content)) as image:
        assert image.size == (1500, 2000)  # held upright: portrait, not the sensor's landscape
        assert not image.getexif()


def test_a_small_photo_keeps_its_format_and_size_and_a_pdf_is_kept_exactly_as_sent():
    for content, name, image_format in ((JPEG, "small.jpg", "JPEG"), (PNG, "small.png", "PNG")):
        evidence = evidence_upload_from(upload(content, name))
        assert evidence.name == name  # re-encoded (certification.recording.photos), same format
        with Image.open(io.BytesIO(evidence.content)) as image:
            assert (image.format, image.size) == (image_format, (16, 16))
    assert evidence_upload_from(upload(PDF, "scan.pdf", "application/pdf")).content == PDF


def test_an_unreadable_heic_says_what_to_do():
    broken = b"\x00\x00\x00\x1cftypheic" + b"\x00" * 400
    with pytest.raises(forms.ValidationError) as refusal:
        evidence_upload_from(upload(broken, "IMG_0003.HEIC", "image/heic"))
    assert "Most Compatible" in str(refusal.value) or "兼容性最佳" in str(refusal.value)


def test_a_photo_over_the_upload_limit_is_refused_with_that_limit(settings):
    settings.EVIDENCE_PHOTO_MAX_BYTES = 1024 * 1024
    with pytest.raises(forms.ValidationError) as refusal:
        evidence_upload_from(upload(phone_jpeg(at_least=2 * 1024 * 1024), "big.jpg"))
    assert "1 MB" in str(refusal.value)


@pytest.mark.parametrize(("url_name", "field"), [("record-home-visit", "photo"), ("record-consular", "scan")])
def test_the_photo_inputs_offer_the_camera_and_still_take_a_pdf(client_for, staff, url_name, field):
    person = make_pensioner(abroad_country="加拿大")
    page = client_for(staff["street"]).get(reverse(url_name, args=[person.pk])).content.decode()
    inputs = [tag for tag in file_inputs(page) if tag.get("name") == field]
    camera = [tag for tag in inputs if tag.get("capture") == "environment"]
    chooser = [tag for tag in inputs if "capture" not in tag]
    assert len(camera) == 1 and camera[0]["accept"] == "image/*"
    assert len(chooser) == 1 and chooser[0]["id"] == f"id_{field}"
    assert "application/pdf" in chooser[0]["accept"] and "image/*" in chooser[0]["accept"]
    assert not any("required" in tag for tag in inputs)


def file_inputs(page: str) -> list[dict]:
    found = []

    class Inputs(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "input" and dict(attrs).get("type") == "file":
                found.append(dict(attrs))

    Inputs().feed(page)
    return found
