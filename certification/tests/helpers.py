"""Small builders shared by certification tests."""

import io
import random
from datetime import date

from PIL import Image

from certification.models import Channel
from certification.recording.services import EvidenceUpload


def _picture(image_format: str) -> bytes:
    """A real 16 x 16 picture: evidence photos are decoded in full, so a header alone is refused."""
    output = io.BytesIO()
    Image.frombytes("RGB", (16, 16), random.Random(16).randbytes(16 * 16 * 3)).save(output, image_format)
    return output.getvalue()


PNG = _picture("PNG")
JPEG = _picture("JPEG")
PDF = b"%PDF-1.4\n%%EOF\n"

COUNTER_EVIDENCE = {
    "office": "500103003",
    "office_name": "渝中区解放碑街道",
    "id_document": "id_card",
    "method": "face",
}


def record_counter(pensioner, actor, certified_on: date, **extra):
    from certification.recording.services import certification_record

    return certification_record(
        pensioner=pensioner,
        channel=Channel.COUNTER,
        certified_on=certified_on,
        actor=actor,
        evidence=COUNTER_EVIDENCE,
        acting_office=actor.area if actor else None,
        **extra,
    )


def scan(content: bytes = PDF, name: str = "scan.pdf") -> EvidenceUpload:
    content_type = {PNG: "image/png", JPEG: "image/jpeg"}.get(content, "application/pdf")
    return EvidenceUpload(name=name, content_type=content_type, content=content)
