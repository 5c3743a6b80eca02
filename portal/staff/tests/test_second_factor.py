"""The second factor on django-otp: enrolment with a QR code and a first code, recovery codes that work
once, the code asked at every log-in, and required for supervisors and administrators in production."""

import re
from base64 import b32decode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from portal.models import AuditEvent
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _code_from(page: str) -> str:
    """What the phone's app shows now, from the key the enrolment page prints for typing by hand."""
    key = re.search(r'data-testid="second-factor-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    secret = b32decode(key + "=" * (-len(key) % 8))
    return f"{totp(secret, t0=0, step=30, digits=6):06d}"


def _log_in(username, address="10.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD})
    return client


def _enrol(client) -> list[str]:
    page = client.get(reverse("second-factor-enrol")).content.decode()
    assert "data:image/svg+xml" in page  # the QR code, with no outside service
    response = client.post(reverse("second-factor-enrol"), {"code": _code_from(page)})
    assert response.status_code == 200
    return re.findall(r'<li class="col">([a-z0-9]+)</li>', response.content.decode())


def test_enrolment_then_every_log_in_asks_for_the_code(staff):
    supervisor = staff["supervisor"]
    client = _log_in(supervisor.username)
    enrol_page = client.get(reverse("second-factor-enrol")).content.decode()
    codes = _enrol(client)
    assert len(codes) == 10
    assert AuditEvent.objects.filter(
        action="staff.second_factor_enrolled", object_id=str(supervisor.pk)
    ).exists()

    again = _log_in(supervisor.username)
    response = again.get(reverse("pensioner-search"))
    assert response.status_code == 302 and reverse("second-factor-verify") in response["Location"]
    wrong = again.post(reverse("second-factor-verify"), {"code": "000000"})
    assert wrong.status_code == 400
    assert again.get(reverse("dashboard")).status_code == 302  # still nothing opens
    assert enrol_page  # the enrolment page was reachable before any device existed


def test_the_right_code_opens_the_portal(staff):
    supervisor = staff["supervisor"]
    client = _log_in(supervisor.username)
    page = client.get(reverse("second-factor-enrol")).content.decode()
    client.post(reverse("second-factor-enrol"), {"code": _code_from(page)})
    again = _log_in(supervisor.username)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=supervisor, confirmed=True)
    device.last_t = -1  # the enrolment used this time step's code; a new log-in may use it again in tests
    device.save()
    code = f"{totp(device.bin_key, step=30, t0=0, digits=6):06d}"
    response = again.post(
        reverse("second-factor-verify"), {"code": code, "next": reverse("pensioner-search")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("pensioner-search")
    assert again.get(reverse("pensioner-search")).status_code == 200


def test_a_recovery_code_works_once(staff):
    supervisor = staff["supervisor"]
    codes = _enrol(_log_in(supervisor.username))
    first = _log_in(supervisor.username)
    assert first.post(reverse("second-factor-verify"), {"code": codes[0]}).status_code == 302
    assert first.get(reverse("dashboard")).status_code == 200
    second = _log_in(supervisor.username)
    assert second.post(reverse("second-factor-verify"), {"code": codes[0]}).status_code == 400


def test_production_requires_it_of_supervisors_and_administrators_only(staff, settings):
    settings.SECOND_FACTOR_REQUIRED = True
    for name in ["supervisor", "admin"]:
        response = _log_in(staff[name].username).get(reverse("dashboard"))
        assert response.status_code == 302 and response["Location"] == reverse("second-factor-enrol")
    assert _log_in(staff["street"].username).get(reverse("dashboard")).status_code == 200


def test_the_demo_leaves_it_optional(staff, settings):
    settings.SECOND_FACTOR_REQUIRED = False
    assert _log_in(staff["supervisor"].username).get(reverse("dashboard")).status_code == 200


def test_a_manager_removes_a_lost_authenticator(client_for, staff):
    _enrol(_log_in(staff["street"].username))
    client_for(staff["supervisor"]).post(reverse("staff-reset-second-factor", args=[staff["street"].pk]))
    assert _log_in(staff["street"].username).get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="staff.second_factor_reset").exists()
