"""A real Celery worker, on the machine's Redis, runs the dispatch task: the planned message goes once."""

import json
import time
from datetime import date
from datetime import time as clock

import pytest
from celery.contrib.testing.worker import start_worker

from certification.models import JobRun, MessageStatus, OutboxMessage
from certification.reminders.services import reminders_plan
from certification.tasks import dispatch_reminders
from pensioners.tests.factories import make_pensioner
from portal.celery import app

TEST_BROKER = "redis://127.0.0.1:6379/15"  # portal.test_settings: a developer's worker never steals these


@pytest.fixture
def real_worker(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    settings.SMS_SEND_FROM, settings.SMS_SEND_UNTIL = clock(0, 0), clock(23, 59, 59)
    assert app.conf.broker_url == TEST_BROKER, "tests run with portal.test_settings"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield tmp_path / "sms.jsonl"


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_planned_message_is_sent_once_by_the_worker(areas, real_worker):
    make_pensioner(name="马桂英", certified_on=date(2025, 1, 1))
    reminders_plan()
    dispatch_reminders.delay()
    dispatch_reminders.delay()  # a second run, as the beat would start a minute later
    wait_until(lambda: JobRun.objects.filter(kind="dispatch", finished_at__isnull=False).count() == 2)
    lines = real_worker.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["kind"] == "overdue_notice"
    assert OutboxMessage.objects.get().status == MessageStatus.SENT
