"""The certification service: the deadline follows the latest passed certification, and only forward."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from certification.models import Certification, Channel, DecisionKind, Outcome, PaymentDecision
from certification.recording.services import (
    certification_record,
    certification_record_external,
    certification_void,
)
from certification.tests.helpers import record_counter
from pensioners.models import CertificationState, PaymentStatus
from pensioners.tests.factories import make_pensioner
from portal.errors import Refused
from portal.models import AuditEvent

pytestmark = pytest.mark.usefixtures("areas")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


def state_of(pensioner):
    return CertificationState.objects.get(pensioner=pensioner)


def test_a_certification_moves_the_deadline_to_365_days_after_it(staff):
    person = make_pensioner(certified_on=date(2025, 5, 20))
    certification = record_counter(person, staff["street"], date(2026, 11, 20))
    state = state_of(person)
    assert (state.latest_certified_on, state.next_due_on, state.latest_channel) == (
        date(2026, 11, 20),
        date(2027, 11, 20),
        "counter",
    )
    assert certification.receipt_number.startswith("RZ20261127")
    event = AuditEvent.objects.get(action="certification.recorded")
    assert event.before["next_due_on"] == "2026-05-20" and event.after["next_due_on"] == "2027-11-20"


def test_a_back_dated_certification_never_moves_the_deadline_earlier(staff):
    person = make_pensioner(certified_on=date(2026, 6, 1))
    record_counter(person, staff["street"], date(2026, 1, 10))
    assert state_of(person).next_due_on == date(2027, 6, 1)
    assert Certification.objects.filter(pensioner=person).count() == 1  # kept in the history all the same


def test_a_failed_attempt_never_moves_the_deadline(staff):
    person = make_pensioner(certified_on=date(2025, 5, 20))
    attempt = record_counter(person, staff["street"], date(2026, 11, 20), outcome=Outcome.FAILED)
    assert not attempt.counts
    assert state_of(person).next_due_on == date(2026, 5, 20)


@pytest.mark.parametrize(
    ("certified_on", "message"),
    [
        (date(2026, 11, 28), "不能晚于今天"),
        (date(2009, 12, 31), "不能早于首次领取日期"),
    ],
)
def test_impossible_dates_are_refused_and_nothing_is_saved(staff, certified_on, message):
    person = make_pensioner(first_benefit_date=date(2010, 1, 1))
    with pytest.raises(Refused, match=message):
        record_counter(person, staff["street"], certified_on)
    assert not Certification.objects.exists()


def test_a_date_after_a_recorded_death_is_refused(staff):
    person = make_pensioner(death_date=date(2026, 3, 1))
    with pytest.raises(Refused, match="死亡日期"):
        record_counter(person, staff["street"], date(2026, 3, 2))


def test_a_record_missing_its_channel_evidence_is_refused(staff):
    person = make_pensioner()
    with pytest.raises(Refused, match="核对的身份证件"):
        certification_record(
            pensioner=person,
            channel=Channel.COUNTER,
            certified_on=date(2026, 11, 1),
            actor=staff["street"],
            evidence={"office": "500103003", "method": "face"},
        )


def test_voiding_recomputes_the_deadline_from_what_remains(staff):
    person = make_pensioner(certified_on=date(2025, 5, 20))
    first = record_counter(person, staff["street"], date(2026, 2, 1))
    second = record_counter(person, staff["street"], date(2026, 11, 1))
    certification_void(certification=second, actor=staff["street"], reason="录错了人")
    assert (state_of(person).latest_certified_on, state_of(person).next_due_on) == (
        date(2026, 2, 1),
        date(2027, 2, 1),
    )
    certification_void(certification=first, actor=staff["street"], reason="录错了人")
    # Back to what the legacy roster knew.
    assert (state_of(person).latest_certified_on, state_of(person).next_due_on) == (
        date(2025, 5, 20),
        date(2026, 5, 20),
    )
    assert Certification.objects.filter(pensioner=person).count() == 2  # never deleted
    assert AuditEvent.objects.filter(action="certification.voided").count() == 2


def test_voiding_without_a_reason_is_refused(staff):
    certification = record_counter(make_pensioner(), staff["street"], date(2026, 11, 1))
    with pytest.raises(Refused):
        certification_void(certification=certification, actor=staff["street"], reason=" ")


def test_a_never_certified_person_falls_back_to_the_first_benefit_date_after_a_void(staff):
    person = make_pensioner(first_benefit_date=date(2026, 1, 1))
    certification = record_counter(person, staff["street"], date(2026, 11, 1))
    certification_void(certification=certification, actor=staff["street"], reason="重复录入")
    assert state_of(person).next_due_on == date(2027, 1, 1)


def test_channel_feeds_are_idempotent_on_their_reference(staff):
    person = make_pensioner(certified_on=date(2025, 5, 20))
    first, created = certification_record_external(
        pensioner=person,
        channel=Channel.APP_SELF,
        certified_on=date(2026, 10, 1),
        reference="APP-778",
        evidence={},
    )
    again, created_again = certification_record_external(
        pensioner=person,
        channel=Channel.APP_SELF,
        certified_on=date(2026, 10, 1),
        reference="APP-778",
        evidence={},
    )
    assert created and not created_again and first.pk == again.pk
    assert Certification.objects.count() == 1
    assert state_of(person).next_due_on == date(2027, 10, 1)


def test_a_suspended_person_who_certifies_gets_a_resumption_proposed_with_back_pay(staff):
    """The certification starts the new period at once; payment resumes only when a supervisor approves
    (issue 15), so the person stays suspended with a proposed resumption listing the back pay."""
    person = make_pensioner(certified_on=date(2025, 1, 10))
    person.benefit_lines.update(monthly_amount=3000)
    PaymentDecision.objects.create(
        pensioner=person,
        kind=DecisionKind.SUSPEND,
        area_code=person.community_id,
        effective_month=date(2026, 6, 1),
    )
    CertificationState.objects.filter(pensioner=person).update(status=PaymentStatus.SUSPENDED)
    with time_machine.travel(datetime(2026, 9, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        record_counter(person, staff["street"], date(2026, 9, 15))
    assert state_of(person).status == PaymentStatus.SUSPENDED
    assert state_of(person).next_due_on == date(2027, 9, 15)
    resumption = PaymentDecision.objects.get(kind=DecisionKind.RESUME)
    assert resumption.status == "proposed"
    # Suspended from June; certified (and proposed) in September: resumes in October, June-September back.
    assert (resumption.effective_month, resumption.back_pay_months, resumption.back_pay_amount) == (
        date(2026, 10, 1),
        4,
        12000,
    )


@pytest.mark.django_db(transaction=True)
def test_two_staff_recording_the_same_person_at_once_leave_the_right_deadline(areas, staff):
    """Two real database connections race; the row lock serialises them."""
    person = make_pensioner(certified_on=date(2025, 5, 20))
    start = threading.Barrier(2)
    errors = []

    def record(certified_on):
        try:
            start.wait()
            record_counter(person, staff["street"], certified_on)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(day,)) for day in (date(2026, 11, 20), date(2026, 8, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert state_of(person).next_due_on == date(2027, 11, 20)
    assert Certification.objects.filter(pensioner=person).count() == 2
