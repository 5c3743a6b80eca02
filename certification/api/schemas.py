"""The channel API's published shapes (OpenAPI components). Keep them stable: other systems code
against them.

A batch's records are documented in full but parsed leniently here: a record with a wrong field is
rejected on its own, with its reason, and never fails the other 999 (certification/api/rules.py judges
each one)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from certification.api.models import API_CHANNELS
from certification.api.rules import MAX_RECORDS, REASONS, REFERENCE_MAX_LENGTH
from certification.recording.rules import HELPER_RELATIONSHIPS, OTHER_APPS

RECORD_SCHEMA = {
    "type": "object",
    "title": "CertificationRecord",
    "required": ["reference", "id_number", "name", "channel", "certified_on"],
    "properties": {
        "reference": {
            "type": "string",
            "maxLength": REFERENCE_MAX_LENGTH,
            "description": "The client's own reference of this certification; the same reference again "
            "answers `duplicate`.",
        },
        "id_number": {
            "type": "string",
            "description": "18-character resident ID number (15 digits accepted).",
        },
        "name": {"type": "string", "description": "The name as the registry holds it."},
        "channel": {"type": "string", "enum": [channel.value for channel in API_CHANNELS]},
        "certified_on": {"type": "string", "format": "date", "description": "The day the person was seen."},
        "evidence": {
            "type": "object",
            "description": "app_assisted needs `helper_relationship`; other_app needs `app`.",
            "properties": {
                "helper_relationship": {
                    "type": "string",
                    "enum": [code for code, _label in HELPER_RELATIONSHIPS],
                },
                "helper_name": {"type": "string"},
                "app": {"type": "string", "enum": [code for code, _label in OTHER_APPS]},
                "country": {"type": "string"},
                "city": {"type": "string"},
                "device": {"type": "string"},
            },
        },
    },
}


class CertificationsIn(Schema):
    records: Annotated[
        list[Any],
        Field(
            min_length=1,
            max_length=MAX_RECORDS,
            json_schema_extra={"items": RECORD_SCHEMA},
            description=f"1 to {MAX_RECORDS} records; each is answered on its own, in order.",
        ),
    ]


class Reason(Schema):
    code: str = Field(description="Machine code: " + ", ".join(sorted(REASONS)))
    message: str = Field(description="The reason in Chinese.")


class RecordResult(Schema):
    reference: str | None
    status: Literal["accepted", "duplicate", "rejected", "pending_review"]
    reason: Reason
    next_due_on: date | None = Field(description="The person's deadline after this batch (null if unknown).")


class CertificationsOut(Schema):
    results: list[RecordResult]


class Problem(Schema):
    code: str
    detail: str


class PensionerStatus(Schema):
    state: Literal["current", "due_soon", "overdue", "suspended", "terminated"]
    next_due_on: date | None
