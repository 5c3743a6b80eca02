"""The http SMS backend against a real HTTP server on 127.0.0.1 that answers 200, 400 or 503."""

import json
import threading
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import time_machine

from certification.models import MessageStatus, OutboxMessage
from certification.reminders.services import reminders_dispatch, reminders_plan
from pensioners.tests.factories import make_pensioner

MORNING = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# The gateway's answer depends on the last digit of the number it is asked to text.
ANSWERS = {"0": 200, "4": 400, "5": 503}


class Gateway(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append((self.headers["Authorization"], self.headers["Idempotency-Key"], body))
        status = ANSWERS[body["to"][-1]]
        payload = json.dumps({"ok": status == 200}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received = []
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_HTTP_TOKEN = "secret-token"
    yield server
    server.shutdown()


@pytest.fixture(autouse=True)
def _morning():
    with time_machine.travel(MORNING, tick=False):
        yield


def overdue_person(phone):
    return make_pensioner(phone=phone, certified_on=date(2025, 1, 1))


def test_2xx_is_sent_with_the_bearer_token(areas, gateway):
    overdue_person("13800000000")
    reminders_plan(at=MORNING)
    reminders_dispatch(at=MORNING)
    message = OutboxMessage.objects.get()
    assert message.status == MessageStatus.SENT
    token, key, body = Gateway.received[0]
    assert token == "Bearer secret-token" and key == f"pension-portal-{message.pk}"
    assert body["to"] == "13800000000" and body["text"].startswith("【重庆市12333】")


def test_4xx_is_a_permanent_failure_never_retried(areas, gateway):
    overdue_person("13800000004")
    reminders_plan(at=MORNING)
    reminders_dispatch(at=MORNING)
    reminders_dispatch(at=MORNING + timedelta(hours=1))
    message = OutboxMessage.objects.get()
    assert message.status == MessageStatus.FAILED
    assert len(Gateway.received) == 1
    assert message.send_attempts.get().gateway_status == 400


def test_5xx_is_retried_with_backoff_then_given_up(areas, gateway):
    overdue_person("13800000005")
    reminders_plan(at=MORNING)
    reminders_dispatch(at=MORNING)
    message = OutboxMessage.objects.get()
    assert message.status == MessageStatus.QUEUED and message.next_attempt_at == MORNING + timedelta(
        minutes=1
    )
    reminders_dispatch(at=MORNING + timedelta(seconds=30))  # too early: waits for the backoff
    assert len(Gateway.received) == 1
    for minutes in (1, 6, 36):
        reminders_dispatch(at=MORNING + timedelta(minutes=minutes))
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert [attempt.gateway_status for attempt in message.send_attempts.all()] == [503, 503, 503, 503]


def test_a_gateway_that_is_down_is_a_temporary_failure(areas, settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = "http://127.0.0.1:1/send"
    overdue_person("13800000000")
    reminders_plan(at=MORNING)
    reminders_dispatch(at=MORNING)
    message = OutboxMessage.objects.get()
    assert message.status == MessageStatus.QUEUED
    assert "ConnectionRefused" in message.send_attempts.get().gateway_response
