"""Login lockout on django-axes: 5 failures for one login from any address lock it for 15 minutes, the
message never tells whether the login exists, an address that fails too often is locked too, and an
administrator sees and lifts locks."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _try(username, password, address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(reverse("login"), {"username": username, "password": password})


def _logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def test_five_failures_then_the_right_password_is_refused(staff):
    user = staff["street"]
    for attempt in range(5):
        _try(user.username, "wrong", address=f"10.0.0.{attempt + 1}")  # from any address
    response = _try(user.username, TEST_PASSWORD, address="10.9.9.9")
    assert response.status_code == 429 and not _logged_in(response)
    assert "15" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.locked_out", note=user.username).exists()


def test_the_lock_says_the_same_for_a_login_that_does_not_exist(staff):
    for _ in range(5):
        _try(staff["street"].username, "wrong")
        _try("nobody-here", "wrong", address="10.0.0.2")
    real = _try(staff["street"].username, "wrong", address="10.0.0.3").content.decode()
    made_up = _try("nobody-here", "wrong", address="10.0.0.4").content.decode()
    marker = 'data-testid="login-locked">'
    assert marker in real and marker in made_up
    assert real.split(marker)[1].split("<")[0] == made_up.split(marker)[1].split("<")[0]


def test_four_failures_do_not_lock(staff):
    for _ in range(4):
        _try(staff["street"].username, "wrong")
    assert _logged_in(_try(staff["street"].username, TEST_PASSWORD))


def test_the_lock_lifts_after_fifteen_minutes(staff):
    for _ in range(5):
        _try(staff["street"].username, "wrong")
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert _logged_in(_try(staff["street"].username, TEST_PASSWORD))


def test_an_address_that_fails_over_many_logins_is_locked_too(staff, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for number in range(8):
        _try(f"guess{number}", "wrong", address="10.6.6.6")
    # a real login from that address is refused; from another address it works
    assert _try(staff["street"].username, TEST_PASSWORD, address="10.6.6.6").status_code == 429
    assert _logged_in(_try(staff["street"].username, TEST_PASSWORD, address="10.7.7.7"))


def test_an_office_of_colleagues_mistyping_is_not_locked(staff):
    # Four colleagues behind one address each mistype twice: far below the address limit.
    for name in ["street", "community", "visit", "supervisor"]:
        for _ in range(2):
            _try(staff[name].username, "wrong", address="10.1.1.1")
    assert _logged_in(_try(staff["street"].username, TEST_PASSWORD, address="10.1.1.1"))


def test_the_administrator_sees_and_lifts_a_lock(client_for, staff):
    user = staff["street"]
    for _ in range(5):
        _try(user.username, "wrong")
    admin = client_for(staff["admin"])
    page = admin.get(reverse("login-locks")).content.decode()
    assert user.username in page
    admin.post(reverse("login-locks"), {"username": user.username})
    assert user.username not in admin.get(reverse("login-locks")).content.decode()
    assert _logged_in(_try(user.username, TEST_PASSWORD))
    assert AuditEvent.objects.filter(action="staff.lock_cleared", note=user.username).exists()


def test_only_the_city_administrator_sees_locks(client_for, staff):
    assert client_for(staff["supervisor"]).get(reverse("login-locks")).status_code == 403
