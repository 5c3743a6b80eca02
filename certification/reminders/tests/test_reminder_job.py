"""The reminder job: stages once per deadline, daytime only, skips with reasons, never twice."""

import json
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from certification.models import Channel, MessageStatus, OutboxMessage
from certification.recording.services import certification_record_external
from certification.reminders.services import reminders_dispatch, reminders_plan
from certification.tests.helpers import record_counter
from pensioners.models import CertificationState, PaymentStatus
from pensioners.tests.factories import make_pensioner

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 27)
MORNING = datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)
NIGHT = datetime(2026, 11, 27, 22, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _file_backend(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    with time_machine.travel(MORNING, tick=False):
        yield


def sent_lines(settings):
    try:
        with open(settings.SMS_FILE_PATH, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle]
    except FileNotFoundError:
        return []


def deadline_in(days: int) -> date:
    """The certification date that puts the deadline `days` from today."""
    return TODAY + timedelta(days=days) - timedelta(days=365)


def stages_of(person):
    return set(OutboxMessage.objects.filter(pensioner=person).values_list("stage", flat=True))


def test_each_person_gets_the_message_of_the_stage_they_are_in_now(areas):
    twenty = make_pensioner(name="二十天", certified_on=deadline_in(20))
    three = make_pensioner(name="三天", certified_on=deadline_in(3))
    long_overdue = make_pensioner(name="久逾期", certified_on=deadline_in(-200))
    far = make_pensioner(name="还早", certified_on=deadline_in(60))
    reminders_plan(at=MORNING)
    assert stages_of(twenty) == {"first_reminder"}
    assert stages_of(three) == {"final_reminder"}  # never the first reminder it missed
    assert stages_of(long_overdue) == {"overdue_notice"}
    assert stages_of(far) == set()


def test_running_the_plan_again_plans_nothing_new(areas):
    make_pensioner(certified_on=deadline_in(-50))
    first = reminders_plan(at=MORNING)
    again = reminders_plan(at=MORNING + timedelta(hours=3))
    assert first.counts == {"overdue_notice": 1} and again.counts == {}
    assert OutboxMessage.objects.count() == 1


def test_long_overdue_people_get_one_overdue_notice_however_many_days_pass(areas):
    person = make_pensioner(certified_on=deadline_in(-10))
    for day in range(5):
        reminders_plan(at=MORNING + timedelta(days=day))
    assert OutboxMessage.objects.filter(pensioner=person).count() == 1


def test_skips_are_counted_with_their_reason(areas):
    make_pensioner(name="无电话", phone="", certified_on=deadline_in(-5))
    make_pensioner(name="错号码", phone_known_wrong=True, certified_on=deadline_in(-5))
    dead = make_pensioner(name="已报死亡", certified_on=deadline_in(-5))
    gone = make_pensioner(name="已终止", certified_on=deadline_in(-5))
    suspended = make_pensioner(name="已暂停", certified_on=deadline_in(-5))
    CertificationState.objects.filter(pensioner=dead).update(death_reported=True)
    CertificationState.objects.filter(pensioner=gone).update(status=PaymentStatus.TERMINATED)
    CertificationState.objects.filter(pensioner=suspended).update(status=PaymentStatus.SUSPENDED)
    summary = reminders_plan(at=MORNING)
    assert summary.counts == {
        "skipped_no_phone": 1,
        "skipped_phone_wrong": 1,
        "skipped_death_reported": 1,
        "skipped_terminated": 1,
    }
    reminders_dispatch(at=MORNING)
    assert sent_lines(pytest.importorskip("django.conf").settings) == []


def test_nothing_is_sent_at_night_and_it_goes_in_the_morning(areas, settings):
    make_pensioner(certified_on=deadline_in(10))
    reminders_plan(at=NIGHT)
    night = reminders_dispatch(at=NIGHT)
    assert night.counts == {"waiting_for_daytime": 1}
    assert sent_lines(settings) == []
    morning = reminders_dispatch(at=NIGHT + timedelta(hours=11))
    assert morning.counts == {"sent_first_reminder": 1}
    assert len(sent_lines(settings)) == 1


def test_the_sent_message_is_logged_with_number_text_and_time(areas, settings):
    make_pensioner(name="马桂英", phone="13800000001", certified_on=deadline_in(20))
    reminders_plan(at=MORNING)
    reminders_dispatch(at=MORNING)
    message = OutboxMessage.objects.get()
    assert (message.status, message.phone, message.template_key) == (
        MessageStatus.SENT,
        "13800000001",
        "first_reminder",
    )
    assert message.text.startswith("【重庆市12333】马xx,您好") and "2026年12月17日" in message.text
    line = sent_lines(settings)[0]
    assert {"to", "kind", "text", "sent_at"} <= set(line)
    assert message.send_attempts.get().outcome == "sent"


def test_someone_who_certified_after_planning_is_not_reminded(areas, staff, settings):
    person = make_pensioner(certified_on=deadline_in(5))
    reminders_plan(at=MORNING)
    record_counter(person, staff["street"], TODAY)
    reminders_dispatch(at=MORNING)
    reminder = OutboxMessage.objects.get(pensioner=person, stage="final_reminder")
    assert (reminder.status, reminder.skip_reason) == (MessageStatus.CANCELLED, "certified")


def test_running_dispatch_twice_sends_each_message_once(areas, settings):
    for number in range(5):
        make_pensioner(name=f"人{number}", certified_on=deadline_in(-3))
    reminders_plan(at=MORNING)
    reminders_dispatch(at=MORNING)
    reminders_dispatch(at=MORNING)
    assert len(sent_lines(settings)) == 5


def test_the_rate_caps_hold(areas, settings):
    settings.SMS_RATE_PER_MINUTE = 2
    for number in range(5):
        make_pensioner(name=f"人{number}", certified_on=deadline_in(-3))
    reminders_plan(at=MORNING)
    first = reminders_dispatch(at=MORNING)
    assert first.counts["sent_overdue_notice"] == 2 and first.counts["held_by_rate_cap"] == 1
    settings.SMS_RATE_PER_MINUTE = 100
    settings.SMS_DAILY_CAP = 3
    second = reminders_dispatch(at=MORNING + timedelta(minutes=1))
    assert second.counts["sent_overdue_notice"] == 1  # 2 already sent today, the daily cap is 3


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_send_each_message_once(areas, settings):
    for number in range(30):
        make_pensioner(name=f"人{number}", certified_on=deadline_in(-3))
    barrier = threading.Barrier(2)

    def job():
        try:
            barrier.wait()
            reminders_plan(at=MORNING)
            reminders_dispatch(at=MORNING)
            reminders_dispatch(at=MORNING)
        finally:
            connection.close()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reminders_dispatch(at=MORNING)
    sent = sent_lines(settings)
    assert len(sent) == 30
    assert len({line["message_id"] for line in sent}) == 30


def test_a_certification_queues_its_confirmation(areas, staff, django_capture_on_commit_callbacks):
    person = make_pensioner(name="王建国", certified_on=deadline_in(100))
    with django_capture_on_commit_callbacks(execute=True):
        record_counter(person, staff["street"], TODAY)
    message = OutboxMessage.objects.get(pensioner=person)
    assert (message.stage, message.deadline, message.channel) == (
        "confirmation",
        date(2027, 11, 27),
        "counter",
    )
    reminders_dispatch(at=MORNING)
    message.refresh_from_db()
    assert "社保经办窗口现场认证" in message.text and "2027年11月27日" in message.text


def test_a_data_match_confirmation_uses_the_real_text(areas, django_capture_on_commit_callbacks):
    person = make_pensioner(name="王建国", certified_on=deadline_in(100))
    with django_capture_on_commit_callbacks(execute=True):
        certification_record_external(
            pensioner=person,
            channel=Channel.DATA_MATCH,
            certified_on=date(2023, 10, 7) + timedelta(days=1100),
            reference="YB-1",
            evidence={"source": "medical_insurance", "source_record_date": "2026-10-12"},
        )
    reminders_dispatch(at=MORNING)
    message = OutboxMessage.objects.get(pensioner=person)
    assert message.text == (
        "【重庆市12333】王xx,您好,社保经办机构通过大数据比对为您办理了养老待遇资格认证,认证期自动递延12个月,"
        "您可于2027年10月11日前办理下次认证。"
    )


def test_the_command_prints_counts_per_stage_last(areas, capsys):
    make_pensioner(certified_on=deadline_in(20))
    make_pensioner(phone="", certified_on=deadline_in(-20))
    call_command("send_reminders", "--at", "2026-11-27 09:00")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "planned_first_reminder=1 sent_first_reminder=1 skipped_no_phone=1"


def test_the_command_dry_run_writes_nothing(areas, capsys):
    make_pensioner(certified_on=deadline_in(20))
    call_command("send_reminders", "--today", "2026-11-27", "--dry-run")
    assert "planned_first_reminder=1" in capsys.readouterr().out
    assert not OutboxMessage.objects.exists()


def test_the_card_says_what_the_next_reminder_will_be(areas, staff, client_for):
    person = make_pensioner(certified_on=deadline_in(50))
    body = client_for(staff["street"]).get(reverse("pensioner-card", args=[person.pk])).content.decode()
    assert "2026年12月17日" in body  # first reminder: 30 days before the deadline of 2027-01-16
    wrong = make_pensioner(phone_known_wrong=True, certified_on=deadline_in(50))
    body = client_for(staff["street"]).get(reverse("pensioner-card", args=[wrong.pk])).content.decode()
    assert "电话号码已知有误" in body
