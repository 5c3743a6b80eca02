"""The contact form: no preselected outcome, the time of the call recorded (default now, not in the future),
and only the details the chosen outcome needs."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from certification.models import ContactAttempt, DeathCase
from certification.queues.services import contact_attempt_record
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.errors import Refused

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


@pytest.fixture
def overdue(areas):
    return make_pensioner(name="逾期人", certified_on=date(2025, 6, 1))


def post(client, person, **fields):
    data = {"kind": "phone_call", "contacted_at": "2026-11-27T09:30", **fields}
    return client.post(reverse("contact-attempt", args=[person.pk]), data)


def test_the_rendered_form_preselects_no_outcome_and_offers_now_as_the_time(client_for, staff, overdue):
    body = client_for(staff["street"]).get(reverse("contact-attempt", args=[overdue.pk])).content.decode()
    select = body[body.index('name="outcome"') : body.index("</select>", body.index('name="outcome"'))]
    assert '<option value="" selected>' in select
    assert select.count("selected") == 1
    assert 'type="datetime-local" name="contacted_at" value="2026-11-27T10:00"' in body
    assert "checked" not in body[body.index('name="kind"') - 200 : body.index('name="outcome"')]


def test_saving_without_an_outcome_is_refused(client_for, staff, overdue):
    response = post(client_for(staff["street"]), overdue, outcome="")
    assert response.status_code == 400
    assert "请选择联系结果" in response.content.decode()
    assert not ContactAttempt.objects.exists()


def test_the_time_of_the_call_is_recorded_and_is_the_last_contact_day(client_for, staff, overdue):
    response = post(
        client_for(staff["street"]), overdue, outcome="not_reachable", contacted_at="2026-11-26T16:45"
    )
    assert response.status_code == 302
    attempt = ContactAttempt.objects.get()
    assert attempt.contacted_at == datetime(2026, 11, 26, 16, 45, tzinfo=SHANGHAI)
    state = CertificationState.objects.get(pensioner=overdue)
    assert (state.last_contact_outcome, state.last_contact_on) == ("not_reachable", date(2026, 11, 26))


def test_a_call_in_the_future_is_refused(client_for, staff, overdue):
    response = post(client_for(staff["street"]), overdue, outcome="refused", contacted_at="2026-11-27T11:30")
    assert response.status_code == 400
    assert "联系时间不能晚于现在" in response.content.decode()
    assert not ContactAttempt.objects.exists()


@pytest.mark.parametrize("junk", ["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "abc"])
def test_junk_times_answer_a_form_error_not_a_500(client_for, staff, overdue, junk):
    response = post(client_for(staff["street"]), overdue, outcome="refused", contacted_at=junk)
    assert response.status_code == 400
    assert not ContactAttempt.objects.exists()


def test_a_death_date_typed_for_another_outcome_is_ignored(client_for, staff, overdue):
    response = post(
        client_for(staff["street"]),
        overdue,
        outcome="not_reachable",
        died_on="2026-11-01",
        snooze_until="2026-12-05",
        moved_to="成都",
    )
    assert response.status_code == 302
    attempt = ContactAttempt.objects.get()
    assert (attempt.outcome, attempt.snooze_until, attempt.moved_to) == ("not_reachable", None, "")
    assert not DeathCase.objects.exists()
    assert CertificationState.objects.get(pensioner=overdue).snoozed_until is None


def test_reported_dead_keeps_its_death_date(client_for, staff, overdue):
    response = post(client_for(staff["street"]), overdue, outcome="reported_dead", died_on="2026-11-01")
    assert response.status_code == 302
    assert DeathCase.objects.get().reported_death_date == date(2026, 11, 1)


def test_the_service_refuses_details_that_do_not_belong_to_the_outcome(staff, overdue):
    with pytest.raises(Refused):
        contact_attempt_record(
            pensioner=overdue,
            actor=staff["street"],
            kind="phone_call",
            outcome="not_reachable",
            died_on=date(2026, 11, 1),
        )
    assert not ContactAttempt.objects.exists()


def test_logging_an_older_call_later_does_not_hide_the_newer_one(staff, overdue):
    contact_attempt_record(
        pensioner=overdue,
        actor=staff["street"],
        kind="phone_call",
        outcome="wrong_number",
        contacted_at=datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI),
    )
    contact_attempt_record(
        pensioner=overdue,
        actor=staff["street"],
        kind="letter",
        outcome="not_reachable",
        contacted_at=datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI),
    )
    state = CertificationState.objects.get(pensioner=overdue)
    assert (state.last_contact_outcome, state.last_contact_on) == ("wrong_number", date(2026, 11, 26))
