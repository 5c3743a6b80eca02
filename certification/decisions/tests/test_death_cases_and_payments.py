from datetime import date

import pytest
import time_machine
from django.urls import reverse

from certification.decisions.rules import months_between, resumption, termination
from certification.decisions.services import death_case_open
from certification.models import Certification, DeathCase, DecisionKind, PaymentDecision
from certification.tests.helpers import record_counter
from pensioners.models import CertificationState, PaymentStatus
from pensioners.tests.factories import make_pensioner


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


def test_payment_stops_from_the_month_after_death_and_later_months_are_overpaid():
    # Died 10 May; paid through November: June..November are overpaid.
    assert termination(died_on=date(2026, 5, 10), paid_through=date(2026, 11, 1)) == (date(2026, 6, 1), 6)
    assert termination(died_on=date(2026, 5, 10), paid_through=date(2026, 5, 1)) == (date(2026, 6, 1), 0)


def test_resumption_pays_back_every_suspended_month():
    assert resumption(suspended_from=date(2026, 6, 1), certified_on=date(2026, 9, 15)) == (
        date(2026, 10, 1),
        4,
    )
    assert resumption(suspended_from=date(2026, 12, 1), certified_on=date(2027, 1, 3)) == (
        date(2027, 2, 1),
        2,
    )
    assert months_between(date(2026, 12, 1), date(2026, 11, 1)) == 0


@pytest.fixture
def case(areas, staff):
    person = make_pensioner(name="罗淑华", certified_on=date(2025, 12, 1))
    person.benefit_lines.update(monthly_amount=2000)
    case, _ = death_case_open(
        pensioner=person, origin="contact", actor=staff["community"], reported_death_date=date(2026, 5, 10)
    )
    return case


def test_the_supervisor_sees_open_cases_of_the_district_only(client_for, staff, case):
    assert "罗淑华" in client_for(staff["supervisor"]).get(reverse("death-cases")).content.decode()
    assert "罗淑华" not in client_for(staff["other_supervisor"]).get(reverse("death-cases")).content.decode()
    assert client_for(staff["street"]).get(reverse("death-cases")).status_code == 403


def test_dismissing_needs_a_reason_and_puts_the_person_back_in_the_queues(client_for, staff, case):
    client = client_for(staff["supervisor"])
    client.post(reverse("death-case", args=[case.pk]), {"decision": "dismiss", "reason": ""})
    assert DeathCase.objects.get().status == "open"
    client.post(reverse("death-case", args=[case.pk]), {"decision": "dismiss", "reason": "社区核实本人健在"})
    assert DeathCase.objects.get().status == "dismissed"
    assert not CertificationState.objects.get(pensioner=case.pensioner).death_reported


def test_confirming_terminates_payment_and_works_out_the_overpayment(client_for, staff, case):
    client_for(staff["supervisor"]).post(
        reverse("death-case", args=[case.pk]),
        {"decision": "confirm", "died_on": "2026-05-10", "paid_through": "2026-11"},
    )
    decision = PaymentDecision.objects.get(kind=DecisionKind.TERMINATE)
    assert (decision.effective_month, decision.overpaid_months, decision.overpaid_amount) == (
        date(2026, 6, 1),
        6,
        12000,
    )
    state = CertificationState.objects.get(pensioner=case.pensioner)
    assert state.status == PaymentStatus.TERMINATED
    case.pensioner.refresh_from_db()
    assert case.pensioner.death_date == date(2026, 5, 10)


def test_a_death_date_before_a_certification_flags_it_for_investigation(staff, areas):
    person = make_pensioner(certified_on=date(2025, 12, 1))
    certification = record_counter(person, staff["street"], date(2026, 6, 1))
    death_case_open(
        pensioner=person, origin="data", reported_death_date=date(2026, 5, 10), source="cremation"
    )
    certification.refresh_from_db()
    assert certification.needs_investigation
    assert Certification.objects.filter(needs_investigation=True).count() == 1


def test_a_second_report_adds_evidence_to_the_open_case(staff, case):
    again, opened = death_case_open(pensioner=case.pensioner, origin="data", source="cremation")
    assert not opened and again.pk == case.pk
    assert len(DeathCase.objects.get().evidence) == 2
