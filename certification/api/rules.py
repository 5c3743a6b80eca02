"""The channel API's rules as pure functions: the shape of a record, the verdict on it, the reasons in
the client's language, tokens, and the state a status call reports. No database here."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from certification.api.models import API_CHANNELS, RecordStatus
from certification.recording.models import Channel
from certification.recording.rules import HELPER_RELATIONSHIPS, OTHER_APPS, REQUIRED_EVIDENCE
from pensioners.models import PaymentStatus
from pensioners.rules import IdNumberError, parse_id_number
from portal.deadlines import deadline_state

MAX_RECORDS = 1000
# A tuple, not a set: a client may send a list or an object as the channel, and `in` must still answer.
API_CHANNEL_CODES = tuple(channel.value for channel in API_CHANNELS)
REFERENCE_MAX_LENGTH = 64
NAME_MAX_LENGTH = 100
TOKEN_PREFIX = "pcc_"

# Each answer's machine code, and its message in the client's language (the API answers in Chinese).
REASONS = {
    "certified": _("Certified: the deadline follows this certification."),
    "certified_deadline_unchanged": _(
        "Recorded: a later certification is already on file, so the deadline does not change."
    ),
    "awaiting_review": _("Received: a clerk reviews records from abroad before they count."),
    "duplicate": _("This reference was reported before; nothing was recorded again."),
    "invalid_record": _("A record must be a JSON object."),
    "missing_reference": _("The record has no reference."),
    "invalid_reference": _("A reference has 1 to 64 printable characters."),
    "invalid_id_number": _("The ID number is not valid"),
    "missing_name": _("The record has no name."),
    "unknown_channel": _("Unknown channel."),
    "channel_forbidden": _("This client may not report this channel."),
    "invalid_date": _("certified_on must be a date written YYYY-MM-DD."),
    "future_date": _("A certification date cannot be in the future."),
    "before_first_benefit": _("A certification date cannot be before the first benefit date."),
    "after_death": _("A certification date cannot be after the recorded date of death."),
    "missing_evidence": _("This channel must record"),
    "invalid_evidence": _("The evidence must be a JSON object."),
    "unknown_person": _("No pensioner has this ID number."),
    "name_mismatch": _("The name does not match the registry's."),
    "open_death_case": _("A death case is open for this person: staff must settle it first."),
    "terminated": _("This person's death is confirmed and payment has ended."),
}
# Reasons that are a refusal of the client's rights rather than of the record (HTTP 403 when a whole
# request consists of them).
FORBIDDEN_REASONS = {"channel_forbidden"}

# What the client supplies per channel. The reference is the record's own; the review decision and the
# reviewer of a record from abroad are added by the clerk who reviews it.
SUPPLIED_ON_REVIEW = {"reference", "review_decision", "reviewer"}
CLIENT_EVIDENCE = {
    channel: tuple(key for key in REQUIRED_EVIDENCE[channel] if key not in SUPPLIED_ON_REVIEW)
    for channel in API_CHANNELS
}
# The evidence keys kept from a record (anything else a client sends is not stored).
KEPT_EVIDENCE = {
    Channel.APP_SELF: ("device",),
    Channel.APP_ASSISTED: ("helper_relationship", "helper_name", "device"),
    Channel.OTHER_APP: ("app", "device"),
    Channel.ABROAD_APP: ("country", "city", "device"),
}
EVIDENCE_CHOICES = {
    "helper_relationship": {code for code, _label in HELPER_RELATIONSHIPS},
    "app": {code for code, _label in OTHER_APPS},
}
EVIDENCE_TEXT_MAX = 100
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Verdict:
    status: str
    code: str
    detail: str = ""

    @property
    def message(self) -> str:
        text = str(REASONS[self.code])
        return f"{text}: {self.detail}" if self.detail else text


@dataclass(frozen=True)
class ChannelReport:
    """A record whose shape is right: what the database must now judge."""

    position: int
    reference: str
    id_number: str
    name: str
    channel: str
    certified_on: date
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PersonFacts:
    pensioner_id: int
    name: str
    area_code: str
    status: str
    death_reported: bool
    death_date: date | None
    first_benefit_date: date | None
    latest_certified_on: date | None
    next_due_on: date | None
    # "" when the latest date came from the legacy roster (no certification record behind it).
    latest_channel: str = ""


def rejected(code: str, detail: str = "") -> Verdict:
    return Verdict(RecordStatus.REJECTED, code, detail)


def reference_of(raw) -> str | None:
    """The record's reference as the answer repeats it (None if there is none to repeat)."""
    if isinstance(raw, dict) and isinstance(raw.get("reference"), str):
        return raw["reference"][: REFERENCE_MAX_LENGTH * 2]
    return None


def same_name(a: str, b: str) -> bool:
    """Names match as people read them: full-width and half-width forms, and surrounding spaces, alike."""
    return unicodedata.normalize("NFKC", a or "").strip() == unicodedata.normalize("NFKC", b or "").strip()


def check_record_shape(position: int, raw, *, allowed_channels, today: date) -> ChannelReport | Verdict:
    """Everything that can be said of a record without the registry: its fields, the channel and the
    client's right to it, the ID number's checksum, the date, and the evidence its channel needs."""
    if not isinstance(raw, dict):
        return rejected("invalid_record")
    reference = raw.get("reference")
    if reference in (None, ""):
        return rejected("missing_reference")
    if (
        not isinstance(reference, str)
        or len(reference) > REFERENCE_MAX_LENGTH
        or reference != reference.strip()
        or not reference.isprintable()
    ):
        return rejected("invalid_reference")
    channel = raw.get("channel")
    if channel not in API_CHANNEL_CODES:
        return rejected("unknown_channel")
    if channel not in allowed_channels:
        return rejected("channel_forbidden")
    id_text = raw.get("id_number")
    try:
        id_number = parse_id_number(id_text if isinstance(id_text, str) else "", today=today).number
    except IdNumberError as problem:
        return rejected("invalid_id_number", str(problem))
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        return rejected("missing_name")
    if len(name) > NAME_MAX_LENGTH:
        return rejected("name_mismatch")
    text = raw.get("certified_on")
    if not isinstance(text, str) or not _DATE.match(text):
        return rejected("invalid_date")
    try:
        certified_on = date.fromisoformat(text)
    except ValueError:
        return rejected("invalid_date")
    if certified_on > today:
        return rejected("future_date")
    evidence = raw.get("evidence") or {}
    if not isinstance(evidence, dict):
        return rejected("invalid_evidence")
    missing = [
        key
        for key in CLIENT_EVIDENCE[channel]
        if not isinstance(evidence.get(key), str)
        or not evidence[key].strip()
        or (key in EVIDENCE_CHOICES and evidence[key] not in EVIDENCE_CHOICES[key])
    ]
    if missing:
        return rejected("missing_evidence", ", ".join(f"evidence.{key}" for key in missing))
    kept = {
        key: value.strip()[:EVIDENCE_TEXT_MAX]
        for key in KEPT_EVIDENCE[channel]
        if isinstance(value := evidence.get(key), str) and value.strip()
    }
    # Control characters (a NUL above all, which PostgreSQL's jsonb refuses) are a broken record, not text.
    unprintable = [key for key, value in kept.items() if not value.isprintable()]
    if unprintable:
        return rejected("invalid_evidence", ", ".join(f"evidence.{key}" for key in unprintable))
    return ChannelReport(
        position=position,
        reference=reference,
        id_number=id_number,
        name=name,
        channel=channel,
        certified_on=certified_on,
        evidence=kept,
    )


def judge_record(report: ChannelReport, person: PersonFacts | None) -> Verdict:
    """The verdict on a well-formed record, against the registry (the same rules as every channel)."""
    if person is None:
        return rejected("unknown_person")
    if not same_name(report.name, person.name):
        return rejected("name_mismatch")
    if person.status == PaymentStatus.TERMINATED:
        return rejected("terminated")
    if person.death_date is not None and report.certified_on > person.death_date:
        return rejected("after_death")
    if person.death_reported:
        return rejected("open_death_case")
    if person.first_benefit_date is not None and report.certified_on < person.first_benefit_date:
        return rejected("before_first_benefit")
    if report.channel == Channel.ABROAD_APP:
        return Verdict(RecordStatus.PENDING_REVIEW, "awaiting_review")
    latest = person.latest_certified_on
    # A record of the very day the roster already knew of sets that day's channel: it is the certification
    # behind the deadline, and its confirmation goes out (state.py treats it the same way).
    same_day_as_roster = report.certified_on == latest and not person.latest_channel
    if latest is not None and report.certified_on <= latest and not same_day_as_roster:
        return Verdict(RecordStatus.ACCEPTED, "certified_deadline_unchanged")
    return Verdict(RecordStatus.ACCEPTED, "certified")


def api_state(*, status: str, next_due_on: date | None, today: date) -> str:
    """What a status call reports: the payment status where a decision set one, else the clock's state.
    An imprisonment stop reads as suspended: payment is not being made."""
    if status == PaymentStatus.TERMINATED:
        return "terminated"
    if status in (PaymentStatus.SUSPENDED, PaymentStatus.STOPPED):
        return "suspended"
    if next_due_on is None:
        return "current"
    return deadline_state(next_due_on, today)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to store them (no slow hash needed): the
    digest finds the client in one index lookup per call."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
