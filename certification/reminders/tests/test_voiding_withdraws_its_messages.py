"""A voided certification's deadline is never told to anyone: its confirmation and any reminder planned for
that date are withdrawn, and the dispatcher re-checks before sending."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from certification.models import MessageStage, MessageStatus, OutboxMessage, SkipReason
from certification.recording.services import certification_void
from certification.reminders.services import reminders_dispatch, reminders_plan
from certification.tests.helpers import record_counter
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 27)
MORNING = datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _file_backend(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    with time_machine.travel(MORNING, tick=False):
        yield


def texts_sent(settings) -> list[str]:
    try:
        with open(settings.SMS_FILE_PATH, encoding="utf-8") as handle:
            return [json.loads(line)["text"] for line in handle]
    except FileNotFoundError:
        return []


def record_now(person, actor, day, capture):
    with capture(execute=True):
        return record_counter(person, actor, day)


def test_voiding_cancels_the_unsent_confirmation_and_nothing_names_the_voided_deadline(
    areas, staff, settings, django_capture_on_commit_callbacks
):
    person = make_pensioner(certified_on=date(2025, 12, 20))  # deadline 2026-12-20, due soon today
    certification = record_now(person, staff["street"], TODAY, django_capture_on_commit_callbacks)
    confirmation = OutboxMessage.objects.get(pensioner=person, stage=MessageStage.CONFIRMATION)
    assert confirmation.deadline == date(2027, 11, 27) and confirmation.status == MessageStatus.QUEUED

    certification_void(certification=certification, actor=staff["supervisor"], reason="录错了人")

    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.skip_reason) == (MessageStatus.CANCELLED, SkipReason.VOIDED)
    assert CertificationState.objects.get(pensioner=person).next_due_on == date(2026, 12, 20)
    reminders_plan(at=MORNING)
    reminders_dispatch(at=MORNING)
    sent = texts_sent(settings)
    assert sent, "the reminder for the deadline that stands again is sent"
    assert not [text for text in sent if "2027年11月27日" in text]
    assert any("2026年12月20日" in text for text in sent)


def test_reminders_planned_for_the_voided_deadline_are_withdrawn_too(
    areas, staff, settings, django_capture_on_commit_callbacks
):
    person = make_pensioner(certified_on=date(2025, 1, 10))
    # Recorded back-dated: the new deadline 2026-12-10 is due soon, and its first reminder is planned.
    certification = record_now(
        person, staff["street"], date(2025, 12, 10), django_capture_on_commit_callbacks
    )
    reminders_plan(at=MORNING)
    planned = OutboxMessage.objects.get(pensioner=person, stage=MessageStage.FIRST_REMINDER)
    assert planned.deadline == date(2026, 12, 10)

    certification_void(certification=certification, actor=staff["supervisor"], reason="日期录错")

    assert not OutboxMessage.objects.filter(
        pensioner=person, deadline=date(2026, 12, 10), status=MessageStatus.QUEUED
    ).exists()
    reminders_dispatch(at=MORNING)
    assert not [text for text in texts_sent(settings) if "2026年12月10日" in text]


def test_a_message_the_void_could_not_reach_is_still_not_sent(areas, staff, settings):
    """A dispatcher may hold a message while the void commits: its last check before sending stops it."""
    person = make_pensioner(certified_on=date(2026, 1, 5))
    OutboxMessage.objects.create(
        pensioner=person,
        area_code=person.community_id,
        deadline=date(2027, 11, 27),  # later than the deadline that stands: only a voided record gave it
        stage=MessageStage.CONFIRMATION,
        channel="counter",
    )
    reminders_dispatch(at=MORNING)
    message = OutboxMessage.objects.get(pensioner=person)
    assert (message.status, message.skip_reason) == (MessageStatus.CANCELLED, SkipReason.VOIDED)
    assert texts_sent(settings) == []


def test_voiding_a_record_that_did_not_set_the_deadline_leaves_the_true_confirmation(
    areas, staff, django_capture_on_commit_callbacks
):
    person = make_pensioner(certified_on=date(2025, 12, 20))
    record_now(person, staff["street"], TODAY, django_capture_on_commit_callbacks)
    older = record_now(person, staff["street"], TODAY - timedelta(days=3), django_capture_on_commit_callbacks)
    certification_void(certification=older, actor=staff["supervisor"], reason="重复录入")
    confirmation = OutboxMessage.objects.get(pensioner=person, stage=MessageStage.CONFIRMATION)
    assert confirmation.status == MessageStatus.QUEUED and confirmation.deadline == date(2027, 11, 27)


def test_recording_the_same_date_again_after_a_void_is_confirmed_again(
    areas, staff, django_capture_on_commit_callbacks
):
    person = make_pensioner(certified_on=date(2025, 12, 20))
    first = record_now(person, staff["street"], TODAY, django_capture_on_commit_callbacks)
    certification_void(certification=first, actor=staff["supervisor"], reason="录错渠道")
    record_now(person, staff["street"], TODAY, django_capture_on_commit_callbacks)
    confirmation = OutboxMessage.objects.get(pensioner=person, stage=MessageStage.CONFIRMATION)
    assert (confirmation.status, confirmation.skip_reason) == (MessageStatus.QUEUED, "")
