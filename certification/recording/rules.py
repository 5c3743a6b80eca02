"""Certification rules as pure functions: what each channel must record, which dates are possible,
and the consular proxy rule. No database here; the services call these and the tests hit them fast."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from certification.models import Channel

HELPER_RELATIONSHIPS = (
    ("family", _("Family")),
    ("neighbour", _("Neighbour")),
    ("volunteer", _("Volunteer")),
    ("staff", _("Staff")),
)
OTHER_APPS = (
    ("yukuaiban", "渝快办"),
    ("zhangshang12333", "掌上12333"),
    ("e_sscard", "电子社保卡"),
    ("alipay", "支付宝"),
)
ID_DOCUMENTS = (("id_card", _("Resident ID card")), ("social_security_card", _("Social security card")))
COUNTER_METHODS = (
    ("face", _("Face recognition")),
    ("fingerprint", _("Fingerprint")),
    ("in_person", _("In person")),
)
CONSULAR_BODIES = (
    ("embassy", _("Embassy or consulate")),
    ("hk_macao", _("Hong Kong or Macao body")),
    ("notary", _("Notary")),
)

# What each channel must record besides person, date, who entered it and when (domain.md table).
REQUIRED_EVIDENCE: dict[str, tuple[str, ...]] = {
    Channel.DATA_MATCH: ("source", "source_record_date", "reference"),
    Channel.APP_SELF: ("reference",),
    Channel.APP_ASSISTED: ("helper_relationship",),
    Channel.OTHER_APP: ("app", "reference"),
    Channel.COUNTER: ("office", "id_document", "method"),
    Channel.HOME_VISIT: ("address_visited", "visitors", "signer", "reason"),
    Channel.ABROAD_APP: ("reference", "review_decision", "reviewer"),
    Channel.CONSULAR_PAPER: ("form_serial", "body_kind", "issuing_body", "country", "received_on", "proxy"),
}
# Channels whose record needs a photo or scan.
REQUIRES_FILE = {Channel.HOME_VISIT, Channel.CONSULAR_PAPER}

EVIDENCE_LABELS = {
    "source": _("source department"),
    "source_record_date": _("source record date"),
    "reference": _("reference"),
    "helper_relationship": _("helper's relationship"),
    "app": _("app"),
    "office": _("office"),
    "id_document": _("ID document checked"),
    "method": _("method"),
    "visit_request": _("visit request"),
    "address_visited": _("address visited"),
    "visitors": _("visitors"),
    "signer": _("signed by"),
    "reason": _("reason for home service"),
    "review_decision": _("review decision"),
    "reviewer": _("reviewer"),
    "form_serial": _("form serial"),
    "body_kind": _("issued by"),
    "issuing_body": _("embassy, consulate or body"),
    "country": _("country"),
    "received_on": _("date received"),
    "proxy": _("filed by proxy"),
    "file": _("photo or scan"),
}


def _present(value) -> bool:
    if isinstance(value, bool):
        return True  # False is an answer ("not by proxy")
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    return value not in (None, "")


def missing_evidence(channel: str, evidence: dict, *, file_count: int = 0) -> list[str]:
    """The evidence keys a record of this channel lacks (empty list: complete)."""
    missing = [key for key in REQUIRED_EVIDENCE[channel] if not _present(evidence.get(key))]
    if channel == Channel.HOME_VISIT and not (1 <= len(evidence.get("visitors") or []) <= 2):
        if "visitors" not in missing:
            missing.append("visitors")
    if channel in REQUIRES_FILE and file_count == 0:
        missing.append("file")
    return missing


def date_problems(
    *, certified_on: date, today: date, first_benefit_date: date | None, death_date: date | None
) -> list[str]:
    """Why a certification date is impossible, in the user's language (empty list: fine)."""
    problems = []
    if certified_on > today:
        problems.append(_("A certification date cannot be in the future."))
    if first_benefit_date is not None and certified_on < first_benefit_date:
        problems.append(_("A certification date cannot be before the first benefit date."))
    if death_date is not None and certified_on > death_date:
        problems.append(_("A certification date cannot be after the recorded date of death."))
    return problems


@dataclass(frozen=True)
class ConsularForm:
    form_date: date
    proxy: bool


def proxy_streak(forms: Iterable[ConsularForm]) -> int:
    """How many of the latest consular forms in a row, year after year, were filed by proxy."""
    streak = 0
    previous: date | None = None
    for form in sorted(forms, key=lambda item: item.form_date, reverse=True):
        if not form.proxy:
            break
        if previous is not None and (previous - form.form_date).days > 400:
            break  # a gap of more than a period ends the run of consecutive years
        streak += 1
        previous = form.form_date
    return streak


def proxy_warning_due(previous_forms: Iterable[ConsularForm], new_form: ConsularForm, *, limit: int) -> bool:
    """True when the new form makes `limit` (3) consecutive proxy years: the next must be in person."""
    if not new_form.proxy:
        return False
    return proxy_streak([*previous_forms, new_form]) >= limit


def receipt_number(recorded_on: date, sequence: int) -> str:
    """A number staff can read to a pensioner: RZ, the date recorded, a city-wide sequence."""
    return f"RZ{recorded_on:%Y%m%d}{sequence:07d}"
