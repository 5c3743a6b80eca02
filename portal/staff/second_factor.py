"""The second factor, on django-otp: an authenticator app (TOTP) and ten one-time recovery codes.

django-otp keeps the devices and throttles wrong codes (each failure doubles the wait); this module
says which device is being enrolled, confirms it with a first code, and verifies the code at log-in.
Each step is audited.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit import audit_record
from portal.errors import Refused
from portal.staff.rules import SECOND_FACTOR_ROLES

RECOVERY_CODES = 10
# The session remembers whether its user has an authenticator (asked at log-in, see middleware.py).
SESSION_KEY = "portal_has_second_factor"
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"


def has_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def required_for(user) -> bool:
    return settings.SECOND_FACTOR_REQUIRED and user.role in SECOND_FACTOR_ROLES


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_device(user) -> TOTPDevice:
    """The authenticator being enrolled: one unconfirmed device per person, kept until confirmed so the
    QR code does not change when the page reloads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address (issuer OTP_TOTP_ISSUER, the login as label) as an SVG QR code in a
    data: URI: no script, no outside service sees the secret."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def readable_key(device: TOTPDevice) -> str:
    """The secret for typing into an app by hand, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def confirm(*, request, device: TOTPDevice, code: str) -> list[str]:
    """The first code from the app proves it is set up: the device is confirmed, any earlier one is
    replaced, and fresh recovery codes are made. Returns the codes, to be shown once."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        raise Refused(_("Too many wrong codes. Wait a moment and try again."), field="code")
    if not device.verify_token(code):
        raise Refused(
            _("That code is not right. Check the phone's clock and type the newest code."), field="code"
        )
    user = request.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
        audit_record(actor=user, action="staff.second_factor_enrolled", target=user)
    otp_login(request, device)  # this session counts as verified
    request.session[SESSION_KEY] = True
    return codes


def verify(*, request, code: str) -> None:
    """A code at log-in: the app's six digits or one recovery code (which is then used up)."""
    user = request.user
    for device in [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]:
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            audit_record(actor=user, action="staff.second_factor_failed", target=user, note="throttled")
            raise Refused(_("Too many wrong codes. Wait a moment and try again."), field="code")
        # Recovery codes are lower case on paper; people type them in capitals too.
        if device.verify_token(code.lower() if isinstance(device, StaticDevice) else code):
            otp_login(request, device)
            for every in [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]:
                every.throttle_reset()  # the right code ends the wait the wrong ones built up
            used = "recovery_code" if isinstance(device, StaticDevice) else "authenticator"
            audit_record(actor=user, action="staff.second_factor_passed", target=user, after={"by": used})
            return
    audit_record(actor=user, action="staff.second_factor_failed", target=user)
    raise Refused(_("That code is not right."), field="code")
