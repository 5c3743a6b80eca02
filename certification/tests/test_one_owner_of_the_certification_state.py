"""Exactly one module writes the certification state (deadline, payment status, queue work): certification/
state.py. The registry announces new people, moves and benefit changes; it never writes the state."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pensioners import contracts
from pensioners.models import CertificationState, Scheme
from pensioners.services import BenefitLineData, pensioner_create

ROOT = Path(__file__).resolve().parents[2]
OWNER = ROOT / "certification" / "state.py"

# Ways to write the table: SQL, the ORM's writing verbs on the model, and saving a loaded state row.
WRITES = [
    re.compile(r"(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+pensioners_certificationstate", re.I),
    re.compile(r"CertificationState\.objects[^\n]*\.(create|update|delete|bulk_create|bulk_update|"
               r"get_or_create|update_or_create)\("),
    re.compile(r"\bstate\.save\("),
    re.compile(r"\bstate\.(next_due_on|latest_certified_on|status|death_reported|snoozed_until|assigned_to)\s*=(?!=)"),
]  # fmt: skip


def application_modules():
    for app in ("portal", "pensioners", "certification"):
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts or path == OWNER:
                continue
            yield path


def test_no_module_but_the_owner_writes_the_certification_state():
    writers = [
        f"{path.relative_to(ROOT)}: {pattern.pattern}"
        for path in application_modules()
        for pattern in WRITES
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert writers == []


def test_the_owner_is_found_by_the_scan():
    """The scan above would see a write: the owner itself has the ORM kinds of it (its SQL names the
    table through one constant, TABLE)."""
    text = OWNER.read_text(encoding="utf-8")
    assert all(pattern.search(text) for pattern in WRITES[1:])
    assert re.search(r"INSERT INTO \{TABLE\}", text)


@pytest.mark.django_db
def test_registering_a_person_goes_through_the_keeper_certification_registered(staff):
    person = pensioner_create(
        actor=staff["street"],
        id_number="500103194805120028",
        details={
            "name": "李秀英",
            "community_id": "500103003001",
            "phone": "13800000000",
            "address": "民生路1号",
        },
        benefit_lines=[BenefitLineData(Scheme.ENTERPRISE, date(2025, 3, 1), Decimal("2100.00"))],
    )
    state = CertificationState.objects.get(pensioner=person)
    assert state.next_due_on == date(2026, 3, 1)
    assert state.birth_date == person.birth_date == date(1948, 5, 12)  # the reports' ages read the state


@pytest.mark.django_db
def test_without_a_keeper_the_registry_refuses_to_register_anyone(staff, monkeypatch):
    monkeypatch.setattr(contracts, "_keeper", None)
    with pytest.raises(ImproperlyConfigured):
        pensioner_create(
            actor=staff["street"],
            id_number="500103194805120028",
            details={"name": "李秀英", "community_id": "500103003001", "phone": "", "address": ""},
            benefit_lines=[BenefitLineData(Scheme.ENTERPRISE, date(2025, 3, 1), Decimal("2100.00"))],
        )
