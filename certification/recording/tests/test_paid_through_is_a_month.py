"""On the death-case confirm form "paid up to" is a month (a month picker sending YYYY-MM), and junk in it
is a form error, never a server error and never a decision."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from certification.decisions.forms import ConfirmCaseForm
from certification.decisions.services import death_case_open
from certification.models import DeathCase, DecisionKind, PaymentDecision
from pensioners.tests.factories import make_pensioner


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


@pytest.fixture
def case(areas, staff):
    person = make_pensioner(name="罗淑华", certified_on=date(2025, 12, 1))
    person.benefit_lines.update(monthly_amount=2000)
    case, _ = death_case_open(
        pensioner=person, origin="contact", actor=staff["community"], reported_death_date=date(2026, 5, 10)
    )
    return case


def test_the_form_offers_a_month_picker(client_for, staff, case):
    body = client_for(staff["supervisor"]).get(reverse("death-case", args=[case.pk])).content.decode()
    assert 'type="month" name="paid_through"' in body


def test_the_month_sent_by_the_picker_confirms_the_death(client_for, staff, case):
    response = client_for(staff["supervisor"]).post(
        reverse("death-case", args=[case.pk]),
        {"decision": "confirm", "died_on": "2026-05-10", "paid_through": "2026-11"},
    )
    assert response.status_code == 302
    decision = PaymentDecision.objects.get(kind=DecisionKind.TERMINATE)
    assert (decision.effective_month, decision.overpaid_months) == (date(2026, 6, 1), 6)


@pytest.mark.parametrize(
    "typed", ["2026-13", "2026-00", "9999-12", "0001-01", "abc", "2026-11-30", "2026/11", "", "1" * 500]
)
def test_junk_in_the_month_is_a_form_error(client_for, staff, case, typed):
    response = client_for(staff["supervisor"]).post(
        reverse("death-case", args=[case.pk]),
        {"decision": "confirm", "died_on": "2026-05-10", "paid_through": typed},
    )
    assert response.status_code == 400
    assert not PaymentDecision.objects.exists()
    assert DeathCase.objects.get().status == "open"
    assert 'name="paid_through"' in response.content.decode()


def test_the_month_cleans_to_its_first_day():
    form = ConfirmCaseForm({"died_on": "2026-05-10", "paid_through": "2026-7"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["paid_through"] == date(2026, 7, 1)


def test_the_case_page_lists_its_evidence_as_labelled_facts(client_for, staff, case):
    death_case_open(
        pensioner=case.pensioner, origin="data", source="民政殡葬数据", evidence={"reference": "MZ-77"}
    )
    body = client_for(staff["supervisor"]).get(reverse("death-case", args=[case.pk])).content.decode()
    evidence = body[body.index('data-testid="case-evidence"') :][:1500]
    assert "MZ-77" in evidence and "民政殡葬数据" in evidence
    assert "业务流水号" in evidence  # the label of the reference, not the key
