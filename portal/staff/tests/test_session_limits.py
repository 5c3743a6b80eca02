"""Shared counter PCs: a session idle for SESSION_IDLE_SECONDS ends (asking how long is left does not
count as activity); the 8-hour absolute limit stays however busy the session is."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _log_in(user):
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    return client


def test_an_idle_session_ends_after_thirty_minutes(staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in(staff["street"])
        clock.shift(timedelta(minutes=29))
        assert client.get(reverse("dashboard")).status_code == 200
        clock.shift(timedelta(minutes=29))  # 29 minutes after the last click: still in
        assert client.get(reverse("dashboard")).status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get(reverse("dashboard"), follow=True)
        assert response.redirect_chain[0][0].startswith(reverse("login"))
        assert "30" in response.content.decode()  # the login page says why


def test_asking_how_long_is_left_is_not_activity(staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in(staff["street"])
        clock.shift(timedelta(minutes=20))
        assert client.get(reverse("session-status")).json()["remaining"] == 600
        clock.shift(timedelta(minutes=11))
        assert client.get(reverse("dashboard")).status_code == 302


def test_keep_working_counts_as_activity(staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in(staff["street"])
        clock.shift(timedelta(minutes=29))
        assert client.post(reverse("session-status")).json()["remaining"] == 1800
        clock.shift(timedelta(minutes=29))
        assert client.get(reverse("dashboard")).status_code == 200


def test_the_absolute_limit_holds_however_busy(staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in(staff["street"])
        for _ in range(47):  # a click every ten minutes for 7 h 50 min
            clock.shift(timedelta(minutes=10))
            assert client.get(reverse("dashboard")).status_code == 200
        clock.shift(timedelta(minutes=11))
        assert client.get(reverse("dashboard")).status_code == 302


def test_the_idle_limit_is_a_setting(staff, settings):
    settings.SESSION_IDLE_SECONDS = 120
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in(staff["street"])
        clock.shift(timedelta(seconds=150))
        assert client.get(reverse("dashboard")).status_code == 302
