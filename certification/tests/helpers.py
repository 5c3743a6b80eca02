"""Small builders shared by certification tests."""

from datetime import date

from certification.models import Channel
from certification.recording.services import EvidenceUpload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
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
