"""Hostile evidence files (issue 14 item 7), made for real in each test: a photo is decoded in full and
stored re-encoded (no trailing HTML, no EXIF, no comment), a picture that does not decode or declares
too many pixels is refused, a PDF with active content is refused; each refusal is a message on the form
and nothing is saved."""

import io
import random
import struct
import zlib
from datetime import date

import pytest
import time_machine
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import ExifTags, Image

from certification.models import Certification, EvidenceFile
from certification.recording.forms import evidence_upload_from
from certification.recording.photos import PHOTO_MAX_PIXELS
from certification.recording.scans import pdf_refusal
from pensioners.tests.factories import make_pensioner

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(autouse=True)
def _today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel("2026-11-30 10:00 +0800", tick=False):
        yield


def photo(image_format: str = "JPEG", *, size=(64, 48), **save) -> bytes:
    picture = Image.frombytes("RGB", size, random.Random(5).randbytes(size[0] * size[1] * 3))
    output = io.BytesIO()
    picture.save(output, image_format, **save)
    return output.getvalue()


def jpeg_with_gps() -> bytes:
    tags = Image.Exif()
    tags[ExifTags.Base.Make] = "PhoneMaker"
    tags[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (29.0, 33.0, 24.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (106.0, 34.0, 48.0),
    }
    content = photo(exif=tags.tobytes(), comment=b"<script>alert(1)</script>")
    with Image.open(io.BytesIO(content)) as image:  # the original really carries them
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) and image.info.get("comment")
    return content


def png_bomb(width: int = 9000, height: int = 9000) -> bytes:
    """A real PNG of a few kilobytes that decodes to `width` x `height` grey pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte, then the row
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def scanner_pdf() -> bytes:
    """A PDF as a scanner writes one: a page holding a JPEG picture (written by Pillow)."""
    output = io.BytesIO()
    Image.frombytes("RGB", (120, 170), random.Random(3).randbytes(120 * 170 * 3)).save(output, "PDF")
    return output.getvalue()


def pdf(*objects: bytes) -> bytes:
    """A small PDF with these objects (numbered from 1) and a cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PAGES = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
)


def object_stream(*dictionaries: bytes, filters: bytes = b"/FlateDecode") -> bytes:
    """An object stream (PDF 1.5) holding these dictionaries as objects 10, 11..., compressed."""
    offsets, body = [], b""
    for dictionary in dictionaries:
        offsets.append(len(body))
        body += dictionary + b"\n"
    index = b" ".join(b"%d %d" % (10 + number, offset) for number, offset in enumerate(offsets)) + b"\n"
    data = zlib.compress(index + body)
    return (
        b"<< /Type /ObjStm /N %d /First %d /Filter %s /Length %d >>\nstream\n"
        % (len(dictionaries), len(index), filters, len(data))
        + data
        + b"\nendstream"
    )


# --- photos -------------------------------------------------------------------------------------


def test_a_jpeg_with_an_html_page_behind_it_is_stored_without_it(client_for, staff):
    polyglot = photo() + HTML
    person = make_pensioner(certified_on=date(2025, 10, 1))
    response = home_visit_post(client_for(staff["street"]), person, staff, upload(polyglot, "sign.jpg"))
    assert response.status_code == 302
    stored = EvidenceFile.objects.get(certification__pensioner=person)
    content = stored.file.read()
    assert stored.content_type == "image/jpeg" and content != polyglot
    assert b"<html" not in content and b"script" not in content
    assert content.endswith(b"\xff\xd9")  # the JPEG's own end: nothing after the picture
    with Image.open(io.BytesIO(content)) as image:
        assert (image.format, image.size) == ("JPEG", (64, 48))


def test_a_jpeg_with_gps_and_a_comment_comes_out_without_them():
    evidence = evidence_upload_from(upload(jpeg_with_gps(), "door.jpg"))
    assert b"Exif" not in evidence.content and b"PhoneMaker" not in evidence.content
    with Image.open(io.BytesIO(evidence.content)) as image:
        assert not image.getexif() and "comment" not in image.info


def test_a_png_keeps_no_text_chunks_nor_trailing_bytes():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    evidence = evidence_upload_from(upload(photo("PNG", pnginfo=info) + HTML, "form.png", "image/png"))
    assert evidence.content_type == "image/png"
    assert b"script" not in evidence.content and evidence.content.endswith(b"IEND\xaeB`\x82")


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff\xe0" + random.Random(1).randbytes(4000),  # a JPEG's first bytes, then garbage
        b"\xff\xd8\xff\xe0" + HTML,
        photo()[:300],  # cut off in the middle of the picture
        b"\x89PNG\r\n\x1a\n" + HTML,
    ],
    ids=["jpeg-header-garbage", "jpeg-header-html", "truncated-jpeg", "png-header-html"],
)
def test_a_picture_that_does_not_decode_is_refused(content):
    with translation.override("en"), pytest.raises(forms.ValidationError) as refusal:
        evidence_upload_from(upload(content, "photo.jpg"))
    assert "could not be read" in str(refusal.value)


def test_a_png_decompression_bomb_is_refused():
    bomb = png_bomb()
    assert len(bomb) < 200_000 and 9000 * 9000 > PHOTO_MAX_PIXELS
    with translation.override("en"), pytest.raises(forms.ValidationError) as refusal:
        evidence_upload_from(upload(bomb, "bomb.png", "image/png"))
    assert "81 megapixels" in str(refusal.value)


def test_a_refused_photo_is_a_message_on_the_form_and_nothing_is_saved(client_for, staff):
    person = make_pensioner(certified_on=date(2025, 10, 1))
    garbage = b"\xff\xd8\xff\xe0" + random.Random(2).randbytes(4000)
    response = home_visit_post(client_for(staff["street"]), person, staff, upload(garbage, "sign.jpg"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "无法读取这张照片" in page
    assert "无法读取这张照片" in str(response.context["form"].errors["photo"])
    assert not Certification.objects.exists() and not EvidenceFile.objects.exists()


# --- PDF scans ----------------------------------------------------------------------------------


def test_a_scanners_pdf_and_a_plain_pdf_are_accepted():
    assert pdf_refusal(scanner_pdf()) is None
    assert pdf_refusal(pdf(b"<< /Type /Catalog /Pages 2 0 R >>", *PAGES)) is None
    # Object streams that hold only ordinary dictionaries, as PDF 1.5 writers pack them.
    packed = pdf(b"<< /Type /Catalog /Pages 10 0 R >>", object_stream(*PAGES))
    assert pdf_refusal(packed) is None
    evidence = evidence_upload_from(upload(scanner_pdf(), "scan.pdf", "application/pdf"))
    assert evidence.content_type == "application/pdf" and evidence.content == scanner_pdf()


@pytest.mark.parametrize(
    ("catalog", "name"),
    [
        (b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", "/OpenAction"),
        (b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>", "/JavaScript"),
        (b"<< /Type /Catalog /Pages 2 0 R /Op#65nAction 4 0 R >>", "/OpenAction"),  # #65 is "e"
        (b"<< /Type /Catalog /Pages 2 0 R /AA << /O 4 0 R >> >>", "/AA"),
        (b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>", "/EmbeddedFiles"),
        (b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /XFA 4 0 R >> >>", "/XFA"),
        (b"<< /Type /Catalog /Pages 2 0 R /Info (see /Launch) >>", "/Launch"),  # inside the text too
    ],
)
def test_a_pdf_with_active_content_is_refused_naming_it(catalog, name):
    action = b"<< /S /URI /URI (http://x) >>"
    with translation.override("en"):
        refusal = pdf_refusal(pdf(catalog, *PAGES, action))
    assert refusal and "active content" in refusal and name in refusal


def test_active_content_packed_in_a_compressed_object_stream_is_found():
    hidden = object_stream(
        b"<< /Type /Catalog /Pages 11 0 R /OpenAction 12 0 R >>",
        PAGES[0],
        b"<< /S /JavaScript /JS (app.alert(1)) >>",
    )
    with translation.override("en"):
        refusal = pdf_refusal(pdf(hidden))
    assert refusal and "/OpenAction" in refusal and "/JavaScript" in refusal and "/JS" in refusal
    assert hidden.count(b"OpenAction") == 0  # compressed: not in the raw bytes


def test_an_obj_inside_the_streams_own_dictionary_does_not_hide_it():
    # A bare "obj" in the dictionary (a name, a string) once made the scan start after /ObjStm.
    hidden = object_stream(
        b"<< /Type /Catalog /Pages 11 0 R /OpenAction 12 0 R >>",
        PAGES[0],
        b"<< /S /JavaScript /JS (app.alert(1)) >>",
    ).replace(b"/Type /ObjStm", b"/Type /ObjStm /Xobj 1 /Note (obj)")
    with translation.override("en"):
        refusal = pdf_refusal(pdf(hidden))
    assert refusal and "/OpenAction" in refusal


def test_an_object_stream_that_cannot_be_read_is_refused():
    unreadable = object_stream(PAGES[0], filters=b"[/ASCII85Decode /FlateDecode]")
    with translation.override("en"):
        assert "cannot be checked" in pdf_refusal(pdf(b"<< /Type /Catalog >>", unreadable))
        broken = pdf(b"<< /Type /Catalog >>", object_stream(PAGES[0]).replace(b"\nstream\n", b"\nstream\nxx"))
        assert "cannot be checked" in pdf_refusal(broken)


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n1 0 obj << >> endobj\n",  # no %%EOF: cut off
        b"<html>%PDF-1.4\n%%EOF\n",  # wrapped
        b"%PDF-1.4\n%%EOF\n" + HTML * 40,  # something after the end
    ],
)
def test_a_pdf_that_is_cut_off_or_wrapped_is_refused(content):
    with translation.override("en"):
        refusal = pdf_refusal(content)
    assert refusal and "incomplete or damaged" in refusal


def test_a_refused_pdf_is_a_message_on_the_consular_form_and_nothing_is_saved(client_for, staff):
    person = make_pensioner(abroad_country="加拿大", certified_on=date(2025, 10, 1))
    hostile = pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", *PAGES, b"<< /S /JavaScript /JS (1) >>"
    )
    response = client_for(staff["street"]).post(
        reverse("record-consular", args=[person.pk]),
        {
            "certified_on": "2026-11-02",
            "form_serial": "CA-2026-0009",
            "body_kind": "embassy",
            "issuing_body": "中国驻多伦多总领事馆",
            "country": "加拿大",
            "received_on": "2026-11-20",
            "filed": "in_person",
            "review": "accepted",
            "scan": upload(hostile, "form.pdf", "application/pdf"),
        },
    )
    assert response.status_code == 400
    errors = str(response.context["form"].errors["scan"])
    assert "此PDF含有活动内容" in errors and "/OpenAction" in errors
    assert "此PDF含有活动内容" in response.content.decode()
    assert not Certification.objects.exists() and not EvidenceFile.objects.exists()


def upload(content: bytes, name: str, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def home_visit_post(client, person, staff, photo_file):
    return client.post(
        reverse("record-home-visit", args=[person.pk]),
        {
            "certified_on": "2026-11-30",
            "visitors": [staff["visit"].pk],
            "address_visited": "重庆市渝中区民生路8号",
            "signer": "本人",
            "reason": "illness",
            "photo": photo_file,
        },
    )


def test_a_16_bit_greyscale_scan_keeps_its_greys():
    from certification.recording.photos import reencode_photo

    scan = Image.new("I;16", (40, 30))
    scan.putdata([40000] * (40 * 30))  # a mid grey, in 16 bits
    buffer = io.BytesIO()
    scan.save(buffer, "PNG")
    stored = reencode_photo(upload(buffer.getvalue(), "scan.png", "image/png"))
    grey = Image.open(io.BytesIO(stored.content)).convert("L").getpixel((5, 5))
    assert 150 <= grey <= 160  # not clipped to white (255)


def test_a_picture_past_pillows_own_limit_is_told_its_size():
    from django import forms as django_forms

    from certification.recording.photos import reencode_photo

    huge = Image.new("1", (20000, 20000))  # 400 megapixels of one colour: a small file
    buffer = io.BytesIO()
    huge.save(buffer, "PNG")
    with translation.override("en"), pytest.raises(django_forms.ValidationError) as refusal:
        reencode_photo(upload(buffer.getvalue(), "huge.png", "image/png"))
    assert "400 megapixels" in str(refusal.value)
